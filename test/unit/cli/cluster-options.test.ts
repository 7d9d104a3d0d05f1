import { describe, expect, it } from 'vitest';
import { parseClusterChangeOptions, resumeCommand } from '../../../src/cli/commands/cluster-options.js';
import { UsageError } from '../../../src/errors.js';

describe('cluster-mode options', () => {
  it('the resume command repeats what the user chose, never --dry-run or --output, and adds --yes', () => {
    expect(
      resumeCommand('enable', 'prod.example.com', {
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
    ).toBe(
      "kops-audit enable prod.example.com --policy './my policy.yaml' --backend log --max-age 60 --force --no-rolling-update --state s3://acme-state --yes",
    );
  });

  it('maps flags to typed options; --no-rolling-update, --state and --kops pass through', () => {
    expect(
      parseClusterChangeOptions('enable', 'prod.example.com', {
        rollingUpdate: false,
        state: 's3://x',
        kops: '/opt/kops',
        yes: true,
      }),
    ).toEqual({
      cluster: 'prod.example.com',
      yes: true,
      dryRun: false,
      rollingUpdate: false,
      detailedExitcode: false,
      json: false,
      state: 's3://x',
      kops: '/opt/kops',
      resumeCommand:
        'kops-audit enable prod.example.com --no-rolling-update --state s3://x --kops /opt/kops --yes',
    });
  });

  it('refuses --stdout (file mode only) and names that are not kops cluster names', () => {
    const parse =
      (cluster: string, flags = {}) =>
      () =>
        parseClusterChangeOptions('enable', cluster, flags);
    expect(parse('prod.example.com', { stdout: true })).toThrow(UsageError);
    expect(parse('--name')).toThrow(/is not a kops cluster name/);
    expect(parse('a b')).toThrow(UsageError);
  });
});
