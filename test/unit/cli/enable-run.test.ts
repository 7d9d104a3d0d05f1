/** runEnable in-process: the policy prompt is used only at a terminal, and only without --policy. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseEnableArgs, runEnable } from '../../../src/cli/commands/enable.js';
import { testCtx } from '../../helpers/ctx.js';
import { REPO_ROOT } from '../../helpers/paths.js';

// Hoisted with the mock: enable.js imports @inquirer/prompts as it loads, before the test's own code runs.
const { select } = vi.hoisted(() => ({ select: vi.fn() }));
vi.mock('@inquirer/prompts', () => ({ select, input: vi.fn(), confirm: vi.fn() }));

let dir: string;
beforeEach(() => {
  select.mockReset();
  dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-run-'));
  writeFileSync(path.join(dir, 'cluster.yaml'), readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml')));
});

const args = (extra: Record<string, unknown> = {}) =>
  parseEnableArgs({ filename: 'cluster.yaml', dryRun: true, ...extra });

describe('enable: choosing the policy', () => {
  it('asks at a terminal without --policy and uses the answer', async () => {
    select.mockResolvedValue('basic');
    const ctx = testCtx({ tty: true, cwd: dir });
    expect(await runEnable(args(), ctx)).toBe(0);
    expect(select).toHaveBeenCalledOnce();
    expect(ctx.out.text).toContain('kops-audit "basic" policy');
  });

  it('does not ask when --policy is given', async () => {
    const ctx = testCtx({ tty: true, cwd: dir });
    await runEnable(args({ policy: 'basic' }), ctx);
    expect(select).not.toHaveBeenCalled();
  });

  it('Ctrl-C at the prompt is an interruption (exit 130), not a crash', async () => {
    select.mockRejectedValue(
      Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' }),
    );
    const ctx = testCtx({ tty: true, cwd: dir });
    await expect(runEnable(args(), ctx)).rejects.toMatchObject({ exitCode: 130 });
  });

  it('does not ask without a terminal, and uses gce', async () => {
    const ctx = testCtx({ tty: false, cwd: dir });
    await runEnable(args(), ctx);
    expect(select).not.toHaveBeenCalled();
    expect(ctx.out.text).toContain('kops-audit "gce" policy');
  });
});

describe('enable: files saved with a byte order mark', () => {
  it('embeds a policy and a kubeconfig without it (go-yaml refuses U+FEFF inside a document)', async () => {
    const bom = '\uFEFF';
    writeFileSync(
      path.join(dir, 'policy.yaml'),
      `${bom}${readFileSync(path.join(REPO_ROOT, 'templates/basic.yaml'), 'utf8')}`,
    );
    writeFileSync(
      path.join(dir, 'webhook.kubeconfig'),
      `${bom}${readFileSync(path.join(REPO_ROOT, 'examples/webhook.kubeconfig'), 'utf8')}`,
    );
    const ctx = testCtx({ tty: false, cwd: dir });
    const code = await runEnable(
      parseEnableArgs({
        filename: 'cluster.yaml',
        stdout: true,
        policy: 'policy.yaml',
        backend: 'log,webhook',
        webhookConfig: 'webhook.kubeconfig',
      }),
      ctx,
    );
    expect(code).toBe(0);
    expect(ctx.out.text).toContain('name: kops-audit-webhook-config');
    expect(ctx.out.text).not.toContain(bom);
  });

  it('a kubeconfig that is not YAML is named with its line, and its text is not quoted', async () => {
    writeFileSync(path.join(dir, 'bad.kubeconfig'), 'clusters:\n- name: a\n  token: "s3cret\n');
    const ctx = testCtx({ tty: false, cwd: dir });
    await expect(
      runEnable(
        parseEnableArgs({
          filename: 'cluster.yaml',
          dryRun: true,
          backend: 'webhook',
          webhookConfig: 'bad.kubeconfig',
        }),
        ctx,
      ),
    ).rejects.toThrow(/^--webhook-config bad\.kubeconfig:\d+ is not valid YAML, so not a kubeconfig\.$/);
  });
});

describe('enable -f: the commands that apply the written file', () => {
  it('roll the control plane with the role name of the --kops-version the spec was written for', async () => {
    const ctx = testCtx({ cwd: dir });
    await runEnable(
      parseEnableArgs({ filename: 'cluster.yaml', policy: 'basic', kopsVersion: '1.28.4' }),
      ctx,
    );
    expect(ctx.out.text).toContain(
      'kops rolling-update cluster --name prod-eu1.k8s.example.com --instance-group-roles control-plane --yes\n',
    );
  });

  it('without --kops-version, `master`, which every kops version reads', async () => {
    const ctx = testCtx({ cwd: dir });
    await runEnable(parseEnableArgs({ filename: 'cluster.yaml', policy: 'basic' }), ctx);
    expect(ctx.out.text).toContain('--instance-group-roles master --yes\n');
  });
});
