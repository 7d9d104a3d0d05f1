import { describe, expect, it } from 'vitest';
import { clusterModeOptionsFrom, resumeCommand } from '../../../src/apply/cluster-command.js';
import { UsageError } from '../../../src/errors.js';

const request = (flags: Record<string, unknown>, cluster = 'prod.example.com') => ({
  command: 'enable' as const,
  cluster,
  flags,
});

describe('cluster-mode options', () => {
  it('the resume command repeats what the user chose, never --dry-run or --output, and adds --yes', () => {
    expect(
      resumeCommand(
        request({
          policy: './my policy.yaml',
          backend: 'log',
          maxAge: '60',
          force: true,
          rollingUpdate: false,
          dryRun: true,
          output: 'json',
          detailedExitcode: true,
          yes: true,
          state: 's3://acme-state',
        }),
      ),
    ).toBe(
      "kops-audit enable prod.example.com --policy './my policy.yaml' --backend log --max-age 60 --force --no-rolling-update --state s3://acme-state --yes",
    );
  });

  it('maps flags to options; --no-rolling-update, --state and --kops pass through', () => {
    expect(
      clusterModeOptionsFrom(
        request({ rollingUpdate: false, state: 's3://x', kops: '/opt/kops', yes: true }),
      ),
    ).toMatchObject({
      cluster: 'prod.example.com',
      yes: true,
      dryRun: false,
      rollingUpdate: false,
      state: 's3://x',
      kops: '/opt/kops',
      output: 'text',
    });
  });

  it('refuses --stdout (file mode only) and names that are not kops cluster names', () => {
    expect(() => clusterModeOptionsFrom(request({ stdout: true }))).toThrow(UsageError);
    expect(() => clusterModeOptionsFrom(request({}, '--name'))).toThrow(/is not a kops cluster name/);
    expect(() => clusterModeOptionsFrom(request({}, 'a b'))).toThrow(UsageError);
  });
});
