// Cluster mode when things go wrong (kops failures, concurrent edits, Ctrl-C), disable and status,
// and one run at a real terminal. The kops emulator is `kops` on PATH (test/kops-emulator/README.md).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ENABLE, NAME, waitFor, world } from '../helpers/cluster-world.js';
import { expectGolden } from '../helpers/golden.js';
import { EMULATOR_KOPS } from '../helpers/kops-emulator.js';
import { CLI, REPO_ROOT } from '../helpers/paths.js';
import { readCluster } from '../kops-emulator/store.mjs';

describe('failures and resume', () => {
  it.each([
    ['get', 2, 'Step 2 of 5 (Re-read the spec and check nobody changed it since the plan) failed', false],
    ['replace', 1, 'Step 3 of 5 (Replace the cluster spec) failed', false],
    ['update', 1, 'Step 4 of 5 (Apply the spec to the cloud) failed', true],
    ['rolling-update', 1, 'Step 5 of 5 (Roll the nodes that run kube-apiserver) failed', true],
  ] as const)(
    'kops %s failing: the message names the step, backup and commands; re-running finishes',
    async (cmd, nth, step, replaced) => {
      const w = world();
      const failed = await w.cli([...ENABLE, '--yes'], { KOPS_EMULATOR_FAIL: `${cmd}:${nth}` });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`Error: ${step}: \``);
      expect(failed.stderr).toContain(
        replaced ? 'The new spec is in the state store.' : 'The spec in the state store was not changed.',
      );
      expect(failed.stderr).toMatch(
        /The previous spec is backed up at \S+backups\/demo\.example\.com-\d{8}T\d{6}Z\.yaml\./,
      );
      expect(failed.stderr).toContain(
        `Hint: Resume: \`kops-audit enable ${NAME} --backend log --policy basic --backup-dir `,
      );
      expect(failed.stderr).toContain('Undo: `kops replace -f ');
      expect(w.audited()).toBe(replaced);
      const before = w.invocations().length;
      const resumed = await w.cli([...ENABLE, '--yes']);
      expect(resumed.code).toBe(0);
      const again = w.commands().slice(before);
      expect(again.includes('replace')).toBe(!replaced);
      expect(again.at(-1)).toBe('rolling-update --yes');
      expect(w.audited()).toBe(true);
      if (cmd === 'rolling-update')
        expectGolden(
          w.normal(failed.stderr.slice(failed.stderr.lastIndexOf('Error: Step'))),
          'cluster/rolling-update-failed.txt',
        );
    },
  );

  it('--output json: a failed step is in the one change object, with the error, and nothing else on stdout', async () => {
    const w = world();
    const failed = await w.cli([...ENABLE, '--yes', '-o', 'json'], { KOPS_EMULATOR_FAIL: 'update:1' });
    expect(failed.code).toBe(1);
    const report = JSON.parse(failed.stdout);
    expect(report).toMatchObject({ version: 2, result: 'failed', changed: true });
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual([
      'done',
      'done',
      'done',
      'failed',
      'pending',
    ]);
    expect(report.error.message).toMatch(/^Step 4 of 5 \(Apply the spec to the cloud\) failed: /);
    expect(report.error.hint).toContain('Resume: `kops-audit enable');
    expect(report.error.exitCode).toBe(1);
    expect(failed.stderr).toContain('Error: Step 4 of 5');
  });

  it('a spec changed between plan and replace: abort before replacing, keep the other change', async () => {
    const w = world();
    const result = await w.cli([...ENABLE, '--yes'], { KOPS_EMULATOR_CONCURRENT_EDIT: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Error: The spec of ${NAME} changed in the state store after kops-audit read it`,
    );
    expect(w.commands()).not.toContain('replace');
    expect(JSON.stringify(readCluster(w.stateDir, NAME)!.spec)).toContain('maxRequestsInflight');
    expect(w.audited()).toBe(false);
  });

  // kops replace cannot refuse to overwrite a newer spec, so an edit landing right after the re-read
  // is lost; reading the generation back catches it before anything reaches the cloud.
  it('a spec changed between the re-read and the replace: stop before update, say so', async () => {
    const w = world();
    const result = await w.cli([...ENABLE, '--yes'], { KOPS_EMULATOR_CONCURRENT_EDIT: '2' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Error: Another change to ${NAME} reached the state store while kops-audit replaced its spec (generation 2, expected 1)`,
    );
    expect(result.stderr).toContain('Nothing was applied to the cloud.');
    expect(w.commands()).toContain('replace');
    expect(w.commands()).not.toContain('update --yes');
  });

  it('a kops error before any step quotes kops: cluster not found', async () => {
    const w = world();
    const result = await w.cli(['enable', 'missing.example.com', '--policy', 'basic', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Error: `kops get all --name missing.example.com -o yaml` failed: cluster "missing.example.com" not found\n',
    );
  });

  it('Ctrl-C while kops runs is forwarded to kops; exit 130, the spec is whole', async () => {
    const w = world();
    const child = spawn(process.execPath, [CLI, ...ENABLE, '--yes', '--backup-dir', w.backups], {
      env: { ...process.env, ...w.env({ KOPS_EMULATOR_HANG: 'update' }) } as NodeJS.ProcessEnv,
    });
    const stderr = await waitFor(child, 'KOPS_EMULATOR_HANG');
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr.text).toContain('Error: Step 4 of 5 (Apply the spec to the cloud) was interrupted.');
    expect(w.invocations().at(-1)).toMatchObject({ command: 'update', signal: 'SIGINT' });
    expect(w.audited()).toBe(true);
  });

  // A cancelled CI job gets SIGTERM, a dropped ssh session SIGHUP: both used to end the process at
  // once, leaving the temporary spec (with the webhook's token) on disk and no word on the state.
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s while kops replaces the spec: forwarded, reported, temporary spec removed, exit %i',
    async (signal, exitCode) => {
      const w = world();
      const tmp = mkdtempSync(path.join(tmpdir(), 'signal-tmp-'));
      const webhook = [
        '--backend',
        'log,webhook',
        '--webhook-config',
        path.join(REPO_ROOT, 'examples/webhook.kubeconfig'),
      ];
      const child = spawn(
        process.execPath,
        [CLI, ...ENABLE, ...webhook, '--yes', '--backup-dir', w.backups],
        {
          env: {
            ...process.env,
            ...w.env({ KOPS_EMULATOR_HANG: 'replace' }),
            TMPDIR: tmp,
          } as NodeJS.ProcessEnv,
        },
      );
      const stderr = await waitFor(child, 'KOPS_EMULATOR_HANG');
      child.kill(signal);
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(exitCode);
      expect(stderr.text).toContain('Error: Step 3 of 5 (Replace the cluster spec) was interrupted.');
      expect(stderr.text).toContain('Hint: Resume: `kops-audit enable');
      expect(w.invocations().at(-1)).toMatchObject({ command: 'replace', signal });
      expect(readdirSync(tmp)).toEqual([]);
    },
  );
});

describe('disable and status <cluster>', () => {
  it('status reports the live spec; disable --yes removes what enable added', async () => {
    const w = world();
    expect((await w.cli([...ENABLE, '--yes'])).code).toBe(0);
    const status = await runCli(['status', NAME], { env: w.env() });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Cluster ${NAME} (cluster/${NAME}), checked for kops 1.28.4`);
    const disabled = await w.cli(['disable', NAME, '--yes']);
    expect(disabled.code).toBe(0);
    expect(w.audited()).toBe(false);
    expect(w.commands().slice(-4)).toEqual(['replace', 'get', 'update --yes', 'rolling-update --yes']);
    expect((await runCli(['status', NAME], { env: w.env() })).code).toBe(1);
    // --kops and --state instead of PATH and KOPS_STATE_STORE; both reach kops as given.
    const explicit = await runCli(
      ['status', NAME, '--kops', EMULATOR_KOPS, '--state', `file://${w.stateDir}/`],
      {
        env: { ...w.env(), PATH: process.env.PATH, KOPS_STATE_STORE: undefined },
      },
    );
    expect(explicit.code).toBe(1);
    expect(w.invocations().at(-1)!.argv.slice(0, 2)).toEqual(['--state', `file://${w.stateDir}/`]);
    expect(w.invocations().at(-1)!.stateStore).toBe(`file://${w.stateDir}`);
  });
});

describe('enable <cluster> at a terminal (real pseudo-terminal via script(1))', () => {
  it.each([
    ['n', false],
    ['y', true],
  ])('answering %s: applied = %s', async (key, applied) => {
    const w = world();
    const command = [process.execPath, CLI, ...ENABLE, '--backup-dir', w.backups]
      .map((a) => `'${a}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, ...w.env(), TERM: 'xterm' } as NodeJS.ProcessEnv,
      cwd: REPO_ROOT,
    });
    const out = await waitFor(child, 'Apply these changes to demo.example.com?', 'stdout');
    child.stdin.write(key);
    await new Promise((r) => setTimeout(r, 200));
    child.stdin.write('\r');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(out.text).toContain('Steps:');
    expect(code).toBe(applied ? 0 : 1);
    expect(w.audited()).toBe(applied);
    expect(w.commands().includes('replace')).toBe(applied);
    child.stdin.end();
  });
});
