// `enable|disable|status <cluster>` through the built CLI, with the kops emulator as `kops` on PATH.
// kops facts: ../shared/research/kops.md §2 (roles), §3 (mounts), §4 (CLI contract).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ENABLE, NAME, world } from '../helpers/cluster-world.js';
import { expectGolden } from '../helpers/golden.js';
import { CLI, REPO_ROOT } from '../helpers/paths.js';
import { readCloud, readCluster } from '../kops-emulator/store.mjs';

describe('enable <cluster> in a pipeline (no terminal)', () => {
  it('without --yes prints the plan and kops-style "Must specify --yes", changes nothing, exit 0 (2 with --detailed-exitcode)', async () => {
    const w = world();
    const result = await w.cli(ENABLE);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nMust specify --yes to apply changes\n$/);
    expectGolden(w.normal(result.stdout), 'cluster/enable-plan.txt');
    expect(w.commands()).toEqual(['version', 'get']);
    expect(w.audited()).toBe(false);
    expect((await w.cli([...ENABLE, '--detailed-exitcode'])).code).toBe(2);
  });

  it('never waits on an open stdin that sends nothing', async () => {
    const w = world();
    const child = spawn(process.execPath, [CLI, ...ENABLE], {
      env: { ...process.env, ...w.env() } as NodeJS.ProcessEnv,
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });

  it('--dry-run prints the plan and runs only read commands', async () => {
    const w = world();
    const result = await w.cli([...ENABLE, '--dry-run', '--yes', '--kops-version', '1.25.0']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    // The kops that applies the spec decides the version rules (ControlPlane on 1.28), not the flag.
    expect(result.stdout).toContain(
      'Warning: --kops-version 1.25.0 is ignored: the spec is written for kops 1.28.4',
    );
    expect(result.stdout).toContain('for ControlPlane (12 lines)');
    expect(w.commands()).toEqual(['version', 'get']);
    expect(existsSync(w.backups)).toBe(false);
  });

  it('--yes backs up (0600), re-reads, replaces, updates and rolls the control plane; again: nothing to do', async () => {
    const w = world();
    const result = await w.cli([...ENABLE, '--yes']);
    expect(result.code).toBe(0);
    expect(w.commands()).toEqual([
      'version',
      'get',
      'get',
      'replace',
      // Read back: the state store must have moved by exactly our generation.
      'get',
      'update --yes',
      'rolling-update --yes',
    ]);
    expectGolden(w.normal(result.stdout), 'cluster/enable-yes.txt');
    expect(result.stderr).toContain(
      '==> [5/5] Roll the nodes that run kube-apiserver (control-plane-us-east-1a)',
    );
    expect(result.stderr).toContain(`Rolling update completed for cluster "${NAME}"!`);
    const [backup] = readdirSync(w.backups);
    expect(statSync(path.join(w.backups, backup!)).mode & 0o777).toBe(0o600);
    const replace = w.invocations().find((i) => i.command === 'replace')!;
    expect(replace.files![0]!.mode).toBe('0600');
    expect(existsSync(replace.files![0]!.path)).toBe(false);
    expect(readCloud(w.stateDir, NAME).instanceGroups['control-plane-us-east-1a']).toEqual({
      running: 1,
      target: 1,
    });

    const again = await w.cli([...ENABLE, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do');
    expect(w.commands().slice(7)).toEqual(['version', 'get', 'update', 'rolling-update']);
  });

  it('--output json prints one JSON object on stdout; kops output and progress go to stderr', async () => {
    const w = world();
    const result = await w.cli([...ENABLE, '--yes', '--output', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      version: 2,
      action: 'enable',
      source: `cluster/${NAME}`,
      cluster: { name: NAME, apiVersion: 'kops.k8s.io/v1alpha2' },
      kopsVersion: '1.28.4',
      result: 'applied',
      changed: true,
      auditDestinations: ['/var/log/kube-apiserver-audit.log on each control-plane node'],
    });
    expect(report.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'backup:done',
      'verify:done',
      'replace:done',
      'update:done',
      'rolling-update:done',
    ]);
    expect(report.backup).toMatch(/backups\/demo\.example\.com-\d{8}T\d{6}Z\.yaml$/);
    expect(result.stderr).toContain('Cluster changes have been applied to the cloud.');
  });

  it('--no-rolling-update stops after update and says what to run later', async () => {
    const w = world('1.25.4');
    const result = await w.cli([...ENABLE, '--yes', '--no-rolling-update']);
    expect(result.code).toBe(0);
    expect(w.commands().at(-1)).toBe('update --yes');
    expect(result.stdout).toContain(
      `Roll it when convenient:\n  kops rolling-update cluster --name ${NAME} --instance-group-roles master --yes\n`,
    );
    // status must not call a spec that the control plane does not run yet a pass.
    const status = await runCli(['status', NAME], { env: w.env() });
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(
      `FAIL  the control plane runs this spec: the control plane has not been rolled yet, so kube-apiserver still runs the old settings; run \`kops rolling-update cluster --name ${NAME} --instance-group-roles master --yes\``,
    );
    expect((await w.cli([...ENABLE, '--yes'])).code).toBe(0);
    const rolled = await runCli(['status', NAME], { env: w.env() });
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toContain(
      'ok    the control plane runs this spec: kops reports nothing left to apply or roll',
    );
  });

  it('file mode and cluster mode describe a change with the same lines and the same JSON keys', async () => {
    const w = world();
    const cluster = JSON.parse((await w.cli([...ENABLE, '--dry-run', '-o', 'json'])).stdout);
    const specFile = path.join(w.dir, 'cluster.yaml');
    writeFileSync(specFile, readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml')));
    const file = JSON.parse(
      (await w.cli(['enable', '-f', specFile, '--policy', 'basic', '--dry-run', '-o', 'json'])).stdout,
    );
    expect(Object.keys(file)).toEqual(Object.keys(cluster));
    expect(cluster.result).toBe('planned');
    expect(file.result).toBe('planned');
    const text = await w.cli([...ENABLE, '--dry-run']);
    expect(text.stdout).toContain(
      '  + add spec.kubeAPIServer.auditPolicyFile: /srv/kubernetes/kube-apiserver/audit/policy-config.yaml\n',
    );
  });
});

describe('enable <cluster> on each kops version', () => {
  it.each([
    ['1.21.0', 'master'],
    ['1.25.4', 'master'],
    ['1.26.2', 'control-plane'],
    ['1.28.4', 'control-plane'],
    ['1.34.1', 'control-plane'],
    ['1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264', 'control-plane'],
  ])('kops %s: the rolled control plane comes up with the policy (roles %s)', async (version, role) => {
    const w = world(version);
    const result = await w.cli([...ENABLE, '--yes']);
    expect(result.stderr).not.toContain('Error:');
    expect(result.code).toBe(0);
    const roll = w.invocations().at(-1)!;
    expect(roll.argv).toEqual([
      'rolling-update',
      'cluster',
      '--name',
      NAME,
      '--instance-group-roles',
      role,
      '--yes',
    ]);
    // The emulator's rolling update only completes when kube-apiserver finds the policy (kops.md §2-§3).
    expect(roll.exitCode).toBe(0);
    expect(result.stdout).toContain(`kops ${version}`);
  });

  it('kops 1.26.2 with a webhook backend: the kubeconfig ships beside the policy and its token is never shown', async () => {
    const w = world('1.26.2');
    const kubeconfig = path.join(w.dir, 'webhook.kubeconfig');
    const token = 'tok-3b1f9c0e-secret';
    writeFileSync(
      kubeconfig,
      readFileSync(path.join(REPO_ROOT, 'examples/webhook.kubeconfig'), 'utf8').replace(
        'REPLACE-WITH-YOUR-TOKEN',
        token,
      ),
    );
    const result = await w.cli([
      ...ENABLE,
      '--backend',
      'log,webhook',
      '--webhook-config',
      kubeconfig,
      '--yes',
      '-o',
      'json',
    ]);
    expect(result.code).toBe(0);
    // The emulator only completes the roll when kube-apiserver can read both files (kops.md §3).
    expect(w.invocations().at(-1)).toMatchObject({ command: 'rolling-update', exitCode: 0 });
    const spec = JSON.stringify(readCluster(w.stateDir, NAME)!.spec);
    expect(spec).toContain(token);
    expect(result.stdout).not.toContain(token);
    expect(result.stderr).not.toContain(token);
    const [backup] = readdirSync(w.backups);
    expect(JSON.parse(result.stdout).auditDestinations).toEqual([
      '/var/log/kube-apiserver-audit.log on each control-plane node',
      'the webhook configured in /srv/kubernetes/kube-apiserver/audit/webhook-config.yaml',
    ]);
    expect(backup).toBeDefined();
  });

  it('a cluster with APIServer instance groups rolls them too (--instance-group-roles ...,apiserver)', async () => {
    const w = world('1.26.2', { apiserver: true });
    const result = await w.cli([...ENABLE, '--yes']);
    expect(result.code).toBe(0);
    expect(w.invocations().at(-1)!.argv).toContain('control-plane,apiserver');
    const cloud = readCloud(w.stateDir, NAME);
    expect(cloud.instanceGroups['apiserver-us-east-1a']).toEqual({ running: 1, target: 1 });
    expect(cloud.instanceGroups['nodes-us-east-1a']).toEqual({ running: 0, target: 0 });
  });
});
