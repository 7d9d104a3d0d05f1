// Cluster mode in-process: the real planner, kops client and step runner against the kops emulator.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterRequest } from '../../src/apply/cluster-plan.js';
import { runClusterChange } from '../../src/cli/commands/cluster-change.js';
import type { ClusterChangeOptions } from '../../src/cli/commands/cluster-options.js';
import { InterruptedError, type KopsAuditError } from '../../src/errors.js';
import { testCtx } from '../helpers/ctx.js';
import { emulatorWorld } from '../helpers/kops-emulator.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { minimalCluster, readCloud, readCluster, seedCluster } from '../kops-emulator/store.mjs';

const NAME = 'demo.example.com';
const policy = {
  source: 'templates/basic.yaml',
  text: readFileSync(path.join(REPO_ROOT, 'templates/basic.yaml'), 'utf8'),
};
const enable: ClusterRequest = { action: 'enable', settings: { policy, backend: 'log' } };
const disable: ClusterRequest = { action: 'disable' };

function setup(version = '1.28.4', extraEnv: Record<string, string> = {}, apiserver = false) {
  const world = emulatorWorld(version);
  seedCluster(world.stateDir, NAME, { apiserver });
  const env = world.env(extraEnv) as Record<string, string>;
  const options = (more: Partial<ClusterChangeOptions> = {}): ClusterChangeOptions => ({
    cluster: NAME,
    yes: true,
    dryRun: false,
    rollingUpdate: true,
    detailedExitcode: false,
    json: false,
    backupDir: path.join(world.dir, 'backups'),
    resumeCommand: `kops-audit enable ${NAME} --backup-dir ${path.join(world.dir, 'backups')} --yes`,
    ...more,
  });
  return { world, env, options };
}

describe('enable <cluster> (in-process)', () => {
  it('--yes backs up, verifies, replaces, updates and rolls the control plane; a second run does nothing', async () => {
    const { world, env, options } = setup();
    const ctx = testCtx({ env });
    expect(await runClusterChange(enable, options(), ctx)).toBe(0);
    const commands = world.invocations().map((i) => i.argv.slice(0, 2).join(' '));
    expect(commands).toEqual([
      'version',
      'get all',
      'get cluster',
      'replace -f',
      // Read back: the store must have moved by exactly our generation.
      'get cluster',
      'update cluster',
      'rolling-update cluster',
    ]);
    expect(world.invocations().at(-1)!.argv).toEqual([
      'rolling-update',
      'cluster',
      '--name',
      NAME,
      '--instance-group-roles',
      'control-plane',
      '--yes',
    ]);
    const spec = readCluster(world.stateDir, NAME)!;
    expect((spec.spec.kubeAPIServer as Record<string, unknown>).auditPolicyFile).toBeDefined();
    const cloud = readCloud(world.stateDir, NAME);
    expect(cloud.instanceGroups['control-plane-us-east-1a']).toEqual({ running: 1, target: 1 });
    const backup = /backup: (\S+)/.exec(ctx.err.text)![1]!;
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(readFileSync(backup, 'utf8')).not.toContain('audit');
    expect(ctx.out.text).toContain('Audit logging is on for demo.example.com');

    const again = testCtx({ env });
    expect(await runClusterChange(enable, options(), again)).toBe(0);
    expect(again.out.text).toContain('Nothing to do');
    expect(
      world
        .invocations()
        .slice(7)
        .map((i) => i.argv.slice(0, 2).join(' ')),
    ).toEqual(['version', 'get all', 'update cluster', 'rolling-update cluster']);
  });

  it('without a TTY and without --yes prints the plan, changes nothing, never reads stdin', async () => {
    const { world, env, options } = setup();
    const ctx = testCtx({ env });
    expect(await runClusterChange(enable, options({ yes: false }), ctx)).toBe(0);
    expect(ctx.out.text).toMatch(/Must specify --yes to apply changes\n$/);
    expect(ctx.out.text).toMatch(/^\+ +auditPolicyFile: /m);
    expect(readCluster(world.stateDir, NAME)!.metadata.generation).toBeUndefined();
    const detailed = testCtx({ env });
    expect(await runClusterChange(enable, options({ yes: false, detailedExitcode: true }), detailed)).toBe(2);
  });

  it("the plan's diff is coloured where colour is on (a terminal, or FORCE_COLOR), plain otherwise", async () => {
    const { env, options } = setup();
    const coloured = testCtx({ env: { ...env, FORCE_COLOR: '1' } });
    expect(await runClusterChange(enable, options({ dryRun: true }), coloured)).toBe(0);
    expect(coloured.out.text).toContain('\u001b[32m+  fileAssets:');
    const plain = testCtx({ env });
    expect(await runClusterChange(enable, options({ dryRun: true }), plain)).toBe(0);
    expect(plain.out.text).not.toContain('\u001b[');
    expect(plain.out.text).toContain('\n+  fileAssets:\n');
  });

  it('a spec changed between plan and replace aborts before replacing', async () => {
    const { world, env, options } = setup('1.28.4', { KOPS_EMULATOR_CONCURRENT_EDIT: '1' });
    const error = (await runClusterChange(enable, options(), testCtx({ env })).catch(
      (e) => e,
    )) as KopsAuditError;
    expect(error.message).toContain('changed in the state store after kops-audit read it');
    expect(error.message).toContain('backed up at');
    expect(world.invocations().map((i) => i.command)).not.toContain('replace');
  });

  it('a failed update names the step, the backup and the resume/undo commands; re-running resumes', async () => {
    const { world, env, options } = setup('1.25.4', { KOPS_EMULATOR_FAIL: 'update:1' }, true);
    const error = (await runClusterChange(enable, options(), testCtx({ env })).catch(
      (e) => e,
    )) as KopsAuditError;
    expect(error.message).toMatch(
      /^Step 4 of 5 \(Apply the spec to the cloud\) failed: `kops update cluster --name demo.example.com --yes` failed: error running tasks/,
    );
    expect(error.message).toContain('The new spec is in the state store. The previous spec is backed up at ');
    expect(error.hint).toContain(`Resume: \`kops-audit enable ${NAME} --backup-dir`);
    expect(error.hint).toContain('Undo: `kops replace -f ');
    const ctx = testCtx({ env });
    expect(await runClusterChange(enable, options(), ctx)).toBe(0);
    // The first run stopped at update; the second finds the spec in place: no backup, no replace.
    const resumed = world
      .invocations()
      .slice(6)
      .map((i) => i.argv.slice(0, 3).join(' '));
    expect(resumed).toEqual([
      'version',
      `get --name ${NAME}`,
      'update cluster --name',
      'update cluster --name',
      'rolling-update cluster --name',
    ]);
    expect(world.invocations().at(-1)!.argv).toContain('master,apiserver');
  });

  it('Ctrl-C during the rolling update is forwarded to kops and ends with exit 130', async () => {
    const { world, env, options } = setup('1.28.4', { KOPS_EMULATOR_HANG: 'rolling-update' });
    let handler: (() => void) | undefined;
    const onInterrupt = (h: () => void) => {
      handler = h;
      return () => {
        handler = undefined;
      };
    };
    const ctx = { ...testCtx({ env }), onInterrupt };
    const pending = runClusterChange(enable, options(), ctx).catch((e) => e);
    while (!ctx.err.text.includes('KOPS_EMULATOR_HANG')) await new Promise((r) => setTimeout(r, 20));
    handler!();
    const error = (await pending) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    expect(error.message).toContain('Step 5 of 5');
    expect(handler).toBeUndefined();
    expect(world.invocations().at(-1)).toMatchObject({ command: 'rolling-update', signal: 'SIGINT' });
  });

  it('--force over a hand-written webhook backend says, in the plan, that a log backend drops it', async () => {
    const world = emulatorWorld('1.28.4');
    const cluster = minimalCluster(NAME, world.stateDir);
    const dir = '/srv/kubernetes/kube-apiserver/audit';
    cluster.spec.kubeAPIServer = {
      auditPolicyFile: `${dir}/policy.yaml`,
      auditWebhookConfigFile: `${dir}/webhook.yaml`,
    };
    (cluster.spec as Record<string, unknown>).fileAssets = [
      { name: 'audit-policy', path: `${dir}/policy.yaml`, roles: ['ControlPlane'], content: 'x' },
      { name: 'audit-webhook', path: `${dir}/webhook.yaml`, roles: ['ControlPlane'], content: 'y' },
    ];
    seedCluster(world.stateDir, NAME, { cluster });
    const ctx = testCtx({ env: world.env() as Record<string, string> });
    const request: ClusterRequest = { action: 'enable', settings: { policy, backend: 'log', force: true } };
    const options: ClusterChangeOptions = {
      cluster: NAME,
      yes: false,
      dryRun: true,
      rollingUpdate: true,
      detailedExitcode: false,
      json: false,
      resumeCommand: '',
    };
    expect(await runClusterChange(request, options, ctx)).toBe(0);
    expect(ctx.out.text).toContain(
      `Warning: --force removes the hand-written webhook backend (auditWebhookConfigFile ${dir}/webhook.yaml); add --backend log,webhook --webhook-config FILE to keep sending events to a webhook.\n`,
    );
  });

  it('disable reverses enable through the same flow', async () => {
    const { world, env, options } = setup();
    await runClusterChange(enable, options(), testCtx({ env }));
    const ctx = testCtx({ env });
    expect(await runClusterChange(disable, options(), ctx)).toBe(0);
    const spec = readCluster(world.stateDir, NAME)!;
    expect(spec.spec.fileAssets ?? []).toEqual([]);
    expect(JSON.stringify(spec.spec.kubeAPIServer ?? {})).not.toContain('audit');
    expect(existsSync(path.join(world.dir, 'backups'))).toBe(true);
  });
});
