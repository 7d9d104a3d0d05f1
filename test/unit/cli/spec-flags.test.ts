/** Flag parsing of enable/disable/status: pure, so every flag error is tested without a process. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { templatePath } from '../../../src/cli/assets.js';
import { parseEnableArgs } from '../../../src/cli/commands/enable.js';
import { parseAuditSettingFlags, parseOutputChoice } from '../../../src/cli/commands/spec-flags.js';
import { requireTarget } from '../../../src/cli/define/flags.js';
import { canPrompt } from '../../../src/cli/prompt.js';
import { UsageError } from '../../../src/errors.js';
import { loadPolicy } from '../../../src/policy/load.js';
import { testCtx } from '../../helpers/ctx.js';

describe('output choice', () => {
  it.each([
    [{ filename: 'c.yaml' }, 'write'],
    [{ filename: 'c.yaml', dryRun: true }, 'dry-run'],
    [{ filename: 'c.yaml', stdout: true }, 'stdout'],
    [{ filename: '-' }, 'pipe'],
    [{ filename: '-', stdout: true }, 'pipe'],
    [{ filename: '-', dryRun: true }, 'dry-run'],
  ])('%j -> %s', (raw, mode) => {
    expect(parseOutputChoice(raw).mode).toBe(mode);
  });
  it.each([
    [{ filename: 'c.yaml', dryRun: true, stdout: true }, /cannot be combined/],
    [{ filename: '-', output: 'json' }, /-f - \(stdout carries the new spec\)/],
    [{ filename: 'c.yaml', stdout: true, output: 'json' }, /--stdout/],
  ])('%j is refused', (raw, message) => {
    expect(() => parseOutputChoice(raw)).toThrow(message);
  });
});

describe('audit setting flags', () => {
  it('reads numbers, durations and the kops version', () => {
    expect(
      parseAuditSettingFlags({
        backend: 'log,webhook',
        maxAge: '90',
        maxBackups: '0',
        webhookBatchMaxWait: '1m30s',
        webhookBatchThrottleQps: '3.14',
        kopsVersion: '1.28.4',
      }),
    ).toMatchObject({
      backend: 'log,webhook',
      maxAge: 90,
      maxBackups: 0,
      kopsVersion: { major: 1, minor: 28, patch: 4 },
      webhookFields: { auditWebhookBatchMaxWait: '1m30s', auditWebhookBatchThrottleQps: 3.14 },
    });
  });
  it.each([
    [{ maxAge: '-1' }, /--max-age must be a whole number/],
    [{ maxBackups: '1.5' }, /--max-backups must be a whole number/],
    [{ maxSize: '99999999999' }, /--max-size must be a whole number/],
    [{ logPath: 'audit.log' }, /--log-path must be an absolute path/],
    [{ policyPath: 'policy.yaml' }, /--policy-path must be an absolute path/],
    [{ kopsVersion: 'v-next' }, /is not a kops version/],
    [{ webhookBatchMaxWait: '5 seconds', backend: 'webhook' }, /must be a duration/],
    [{ webhookBatchMaxWait: '5s' }, /--webhook-batch-max-wait is for the webhook backend/],
    [{ webhookConfig: 'k.yaml' }, /--webhook-config is for the webhook backend/],
    [{ backend: 'webhook', logPath: '/var/log/a.log' }, /--log-path is for the log backend/],
  ])('%j is a usage error', (raw, message) => {
    expect(() => parseAuditSettingFlags(raw)).toThrow(UsageError);
    expect(() => parseAuditSettingFlags(raw)).toThrow(message);
  });
  // kops reads these fields with Go's time.ParseDuration: what it takes, and what it refuses.
  it.each(['0', '1m30s', '1.5h', '.5s', '2.s', '100us', '100\u00b5s', '100\u03bcs', '250ms'])(
    '--webhook-batch-max-wait %s is a Go duration',
    (wait) => {
      expect(parseAuditSettingFlags({ backend: 'webhook', webhookBatchMaxWait: wait }).webhookFields).toEqual(
        { auditWebhookBatchMaxWait: wait },
      );
    },
  );
  it.each(['s', '5', '.s', '1.5', '5sec', '-5s', '1m 30s', ''])(
    '--webhook-batch-max-wait %j is not a duration',
    (wait) => {
      expect(() => parseAuditSettingFlags({ backend: 'webhook', webhookBatchMaxWait: wait })).toThrow(
        /must be a duration/,
      );
    },
  );
  it('--log-path - (stdout) is allowed', () => {
    expect(parseAuditSettingFlags({ logPath: '-' }).logPath).toBe('-');
  });
  it('keeps --policy and --webhook-config for later reading', () => {
    expect(
      parseEnableArgs({ filename: 'c.yaml', policy: 'basic', backend: 'webhook', webhookConfig: 'k.yaml' }),
    ).toMatchObject({ filename: 'c.yaml', policy: 'basic', webhookConfigFile: 'k.yaml' });
  });
});

describe('prompting', () => {
  it('asks only when stdin and stderr are terminals', () => {
    expect(canPrompt(testCtx({ tty: true }))).toBe(true);
    expect(canPrompt(testCtx({ tty: false }))).toBe(false);
    const half = testCtx({ tty: true });
    half.io.stdinIsTTY = false;
    expect(canPrompt(half)).toBe(false);
  });
});

describe('the shipped templates (not re-validated at run time, so validated here)', () => {
  it.each(['basic', 'gce'])('%s loads as kube-apiserver would, without warnings', (name) => {
    const result = loadPolicy(readFileSync(templatePath(name), 'utf8'), name);
    expect(result.loaded).toBeDefined();
    expect(result.diagnostics).toEqual([]);
  });
});

describe('what to change: -f FILE or a cluster name', () => {
  it('takes exactly one', () => {
    expect(requireTarget('enable', 'c.yaml', undefined)).toBe('c.yaml');
    expect(requireTarget('enable', undefined, 'prod.example.com')).toBeUndefined();
    expect(() => requireTarget('enable', 'c.yaml', 'prod.example.com')).toThrow(/not both/);
  });

  it.each([
    ['enable', 'kops-audit enable -f cluster.yaml --dry-run'],
    ['disable', 'kops-audit disable -f cluster.yaml --dry-run'],
    // status has no --dry-run: its example must be one status accepts.
    ['status', 'kops-audit status -f cluster.yaml'],
  ] as const)('%s with neither suggests `%s`', (command, example) => {
    let error: UsageError | undefined;
    try {
      requireTarget(command, undefined, undefined);
    } catch (caught) {
      error = caught as UsageError;
    }
    expect(error?.hint).toBe(`For example: ${example}`);
  });
});
