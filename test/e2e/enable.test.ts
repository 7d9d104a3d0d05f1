/**
 * enable / disable / status in file mode through the built CLI (run `npm run build` first): every
 * output mode and exit code of issue 2, and every bad input (one paragraph, exit 1, FILE unchanged).
 */
import {
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';
import { REPO_ROOT } from '../helpers/paths.js';

const EXAMPLE = path.join(REPO_ROOT, 'examples/cluster.yaml');
const original = readFileSync(EXAMPLE, 'utf8');
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: sink
  cluster:
    server: https://audit.example.com/events
users:
- name: kube-apiserver
  user:
    token: s3cr3t-t0ken
contexts:
- name: default
  context:
    cluster: sink
    user: kube-apiserver
current-context: default
`;

let dir: string;
const file = () => path.join(dir, 'cluster.yaml');
const read = () => readFileSync(file(), 'utf8');
const cli = (args: string[], input?: string) =>
  runCli(args, { cwd: dir, ...(input !== undefined ? { input } : {}) });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-e2e-'));
  copyFileSync(EXAMPLE, file());
  writeFileSync(path.join(dir, 'webhook.kubeconfig'), KUBECONFIG);
});

describe('enable -f FILE', () => {
  it('--dry-run prints the diff and the changes, writes nothing, exit 0', async () => {
    const result = await cli(['enable', '-f', 'cluster.yaml', '--dry-run', '--policy', 'basic']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expectGolden(result.stdout, 'enable/dry-run.txt');
    expect(read()).toBe(original);
  });

  it('writes the file in place keeping its permissions, then has nothing more to do', async () => {
    chmodSync(file(), 0o640);
    const first = await cli(['enable', '-f', 'cluster.yaml', '--policy', 'basic']);
    expect(first.code).toBe(0);
    expectGolden(first.stdout, 'enable/write.txt');
    expect(read()).not.toBe(original);
    expect(statSync(file()).mode & 0o777).toBe(0o640);
    const second = await cli(['enable', '-f', 'cluster.yaml', '--policy', 'basic']);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toBe(
      'No changes: cluster.yaml (cluster prod-eu1.k8s.example.com) already has this audit setup.\n',
    );
  });

  it('keeps a group-writable mode the umask would drop, and the owner and group (as root)', async () => {
    chmodSync(file(), 0o664);
    const root = process.getuid?.() === 0;
    // Any ids do: root may give a file to users that do not exist.
    if (root) chownSync(file(), 4242, 4343);
    expect((await cli(['enable', '-f', 'cluster.yaml'])).code).toBe(0);
    const info = statSync(file());
    expect(info.mode & 0o7777).toBe(0o664);
    if (root) expect([info.uid, info.gid]).toEqual([4242, 4343]);
  });

  it.each(['enable', 'disable'])(
    '%s refuses a read-only spec (even as root), exit 1, file unchanged',
    async (command) => {
      if (command === 'disable') await cli(['enable', '-f', 'cluster.yaml']);
      const before = read();
      chmodSync(file(), 0o444);
      const result = await cli([command, '-f', 'cluster.yaml']);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expectGolden(result.stderr, 'errors/read-only-spec.txt');
      expect(read()).toBe(before);
      expect(statSync(file()).mode & 0o777).toBe(0o444);
      // What it suggests works: --stdout prints the new spec and leaves the file alone.
      expect((await cli([command, '-f', 'cluster.yaml', '--stdout'])).code).toBe(0);
    },
  );

  it('through a symlink, writes the file it points at and keeps the link', async () => {
    symlinkSync('cluster.yaml', path.join(dir, 'link.yaml'));
    expect((await cli(['enable', '-f', 'link.yaml'])).code).toBe(0);
    expect(lstatSync(path.join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(read()).toContain('name: kops-audit-policy');
  });

  it('--detailed-exitcode: 2 when something would change, 0 when nothing does', async () => {
    expect((await cli(['enable', '-f', 'cluster.yaml', '--dry-run', '--detailed-exitcode'])).code).toBe(2);
    expect(read()).toBe(original);
    expect((await cli(['enable', '-f', 'cluster.yaml', '--detailed-exitcode'])).code).toBe(2);
    expect((await cli(['enable', '-f', 'cluster.yaml', '--detailed-exitcode'])).code).toBe(0);
  });

  it('--stdout prints the new spec and leaves the file alone', async () => {
    const result = await cli(['enable', '-f', 'cluster.yaml', '--stdout']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('name: kops-audit-policy');
    expect(result.stdout.endsWith(original.slice(original.indexOf('---')))).toBe(true);
    expect(read()).toBe(original);
    // The summary on stderr must not read as if the file had been changed.
    expect(result.stderr).toMatch(
      /^Enabled audit logging in the copy of cluster\.yaml printed on stdout \(cluster \S+; the file is unchanged\):/,
    );
  });

  it('--output json gives one versioned object, with --dry-run or after writing', async () => {
    const dry = await cli([
      'enable',
      '-f',
      'cluster.yaml',
      '--dry-run',
      '--output',
      'json',
      '--policy',
      'basic',
    ]);
    expect(dry.code).toBe(0);
    expectGolden(dry.stdout, 'enable/dry-run.json');
    const written = JSON.parse((await cli(['enable', '-f', 'cluster.yaml', '-o', 'json'])).stdout);
    expect(written).toMatchObject({ version: 2, action: 'enable', changed: true, result: 'applied' });
    const again = JSON.parse((await cli(['enable', '-f', 'cluster.yaml', '-o', 'json'])).stdout);
    expect(again).toMatchObject({ version: 2, changed: false, result: 'unchanged' });
  });

  it('the webhook backend masks the kubeconfig in the diff and JSON', async () => {
    const args = ['enable', '-f', 'cluster.yaml', '--policy', 'basic', '--backend', 'log,webhook'];
    const flags = [
      '--webhook-config',
      'webhook.kubeconfig',
      '--kops-version',
      '1.28.4',
      '--webhook-batch-max-wait',
      '5s',
    ];
    const dry = await cli([...args, ...flags, '--dry-run']);
    expect(dry.code).toBe(0);
    expectGolden(dry.stdout, 'enable/webhook-dry-run.txt');
    const json = await cli([...args, ...flags, '--dry-run', '-o', 'json']);
    for (const output of [dry.stdout, dry.stderr, json.stdout, json.stderr]) {
      expect(output).not.toContain('s3cr3t-t0ken');
      expect(output).not.toContain('audit.example.com');
    }
    const write = await cli([...args, ...flags]);
    expect(write.stdout).not.toContain('s3cr3t-t0ken');
    expect(read()).toContain('token: s3cr3t-t0ken');
  });
});

describe('enable -f FILE --force over a hand-written webhook backend', () => {
  const handWritten = original
    .replace(
      '  kubeAPIServer:\n',
      '  kubeAPIServer:\n    auditPolicyFile: /etc/kubernetes/audit/policy.yaml\n    auditWebhookConfigFile: /etc/kubernetes/audit/webhook.yaml\n',
    )
    .replace(
      '  iam:\n',
      '  fileAssets:\n  - name: audit-webhook\n    path: /etc/kubernetes/audit/webhook.yaml\n    roles: [ControlPlane]\n    content: |\n      kind: Config\n  iam:\n',
    );
  const warning =
    '--force removes the hand-written webhook backend (auditWebhookConfigFile /etc/kubernetes/audit/webhook.yaml); add --backend log,webhook --webhook-config FILE to keep sending events to a webhook.';

  it('warns in text (stderr) and JSON that the webhook goes', async () => {
    writeFileSync(file(), handWritten);
    const text = await cli(['enable', '-f', 'cluster.yaml', '--force', '--dry-run']);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe(`Warning: ${warning}\n`);
    expect(text.stdout).toContain('- remove spec.kubeAPIServer.auditWebhookConfigFile');
    const json = await cli(['enable', '-f', 'cluster.yaml', '--force', '--dry-run', '-o', 'json']);
    expect(JSON.parse(json.stdout).warnings).toEqual([warning]);
  });
});

describe('enable -f FILE --backend log,webhook: where the credentials land', () => {
  const webhook = [
    'enable',
    '-f',
    'cluster.yaml',
    '--backend',
    'log,webhook',
    '--webhook-config',
    'webhook.kubeconfig',
  ];
  const credentials = /^Warning: cluster\.yaml now holds the webhook's credentials/m;

  it('warns on stderr, not in the JSON, when group or others can read the file', async () => {
    chmodSync(file(), 0o644);
    // With a version that has `mode`, the credentials warning is the only one.
    const result = await cli([...webhook, '--kops-version', '1.28.4', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).warnings).toEqual([]);
    expectGolden(result.stderr, 'enable/webhook-credentials-readable.txt');
  });

  it.each(['directory', 'file'])('warns when the file is in a git work tree (.git %s)', async (kind) => {
    chmodSync(file(), 0o600);
    const sub = path.join(dir, 'clusters');
    mkdirSync(sub);
    renameSync(file(), path.join(sub, 'cluster.yaml'));
    writeFileSync(path.join(sub, 'webhook.kubeconfig'), KUBECONFIG);
    if (kind === 'directory') mkdirSync(path.join(dir, '.git'));
    else writeFileSync(path.join(dir, '.git'), 'gitdir: /elsewhere/.git/worktrees/x\n');
    const result = await runCli(webhook, { cwd: sub });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(credentials);
    expect(result.stderr).toContain(
      `inside the git work tree ${realpathSync(dir)}, where a commit keeps them`,
    );
    expect(result.stderr).toContain('keep the file out of git');
    expect(result.stderr).not.toContain('chmod 600');
  });

  it('says nothing when only the owner can read it, outside git, or when nothing is written', async () => {
    chmodSync(file(), 0o600);
    expect((await cli(webhook)).stderr).not.toMatch(credentials);
    chmodSync(file(), 0o644);
    expect((await cli([...webhook, '--dry-run'])).stderr).not.toMatch(credentials);
    expect((await cli([...webhook, '--stdout'])).stderr).not.toMatch(credentials);
  });
});

describe('-f - (a pipe: kops get ... | kops-audit enable -f - | kops replace -f -)', () => {
  it('reads stdin, writes the spec to stdout and the summary to stderr; disable -f - restores it', async () => {
    const enabled = await cli(['enable', '-f', '-', '--policy', 'basic'], original);
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toContain('name: kops-audit-policy');
    expect(enabled.stderr).toMatch(/^Enabled audit logging in the spec from stdin/);
    const disabled = await cli(['disable', '-f', '-'], enabled.stdout);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toBe(original);
  });

  it('never prompts when stdin is the spec', async () => {
    const result = await cli(['enable', '-f', '-'], original);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('gce');
  });
});

describe('disable -f FILE', () => {
  it('removes exactly what enable added', async () => {
    await cli([
      'enable',
      '-f',
      'cluster.yaml',
      '--backend',
      'log,webhook',
      '--webhook-config',
      'webhook.kubeconfig',
    ]);
    const dry = await cli(['disable', '-f', 'cluster.yaml', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toContain('s3cr3t-t0ken');
    const result = await cli(['disable', '-f', 'cluster.yaml']);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, 'disable/write.txt');
    expect(read()).toBe(original);
    const again = await cli(['disable', '-f', 'cluster.yaml', '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^No changes/);
  });
});

describe('status -f FILE', () => {
  it('exit 1 while a check fails, 0 once enable has run', async () => {
    const before = await cli(['status', '-f', 'cluster.yaml']);
    expect(before.code).toBe(1);
    expectGolden(before.stdout, 'status/before.txt');
    await cli(['enable', '-f', 'cluster.yaml', '--policy', 'basic']);
    const after = await cli(['status', '-f', 'cluster.yaml', '--kops-version', '1.28.4']);
    expect(after.code).toBe(0);
    expectGolden(after.stdout, 'status/after.txt');
    const json = await cli(['status', '-f', 'cluster.yaml', '--output', 'json']);
    expect(json.code).toBe(0);
    expectGolden(json.stdout, 'status/after.json');
  });
});

describe('status -f FILE after enable -f --kops-version', () => {
  it('checks for the family of versions enable wrote for, without the flag again', async () => {
    await cli(['enable', '-f', 'cluster.yaml', '--policy', 'basic', '--kops-version', '1.28.4']);
    const after = await cli(['status', '-f', 'cluster.yaml']);
    expect(after.code).toBe(0);
    expectGolden(after.stdout, 'status/after-kops-version.txt');
  });

  it('kops 1.25: the Master family', async () => {
    await cli(['enable', '-f', 'cluster.yaml', '--kops-version', '1.25.0']);
    const after = await cli(['status', '-f', 'cluster.yaml']);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(
      /^Cluster \S+ \(cluster\.yaml\), checked for kops 1\.25 and older \(the roles kops-audit wrote\)\n/,
    );
  });
});

describe('bad input: one paragraph, exit 1, no stack trace, FILE unchanged', () => {
  const specs: Record<string, string> = {
    'not-yaml': 'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n  a: [1, 2\n',
    'no-cluster': 'apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\n',
    'two-clusters': `${original.split('---')[0]}---\n${original.split('---')[0]}`,
    'spec-not-mapping': 'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: x\nspec: []\n',
    'file-assets-not-list': original.replace('  iam:\n', '  fileAssets:\n    name: motd\n  iam:\n'),
    'misspelt-field': original.replace('    oidcClientID', '    auditLogMaxage: 30\n    oidcClientID'),
    'binary-spec': `${original.slice(0, 40)}\0\0\x01${original.slice(40)}`,
    'empty-spec': '',
    'json-spec': `${JSON.stringify(parse(original.split('---')[0]!), null, 2)}\n`,
    'hand-written-setup': original.replace(
      '  kubeAPIServer:\n',
      '  kubeAPIServer:\n    auditPolicyFile: /etc/kubernetes/audit/policy-config.yaml\n',
    ),
  };
  const cases: [string, string[], string?][] = [
    ['missing-file', ['enable', '-f', 'missing.yaml']],
    ['not-yaml', ['enable', '-f', 'cluster.yaml'], 'not-yaml'],
    ['no-cluster', ['enable', '-f', 'cluster.yaml'], 'no-cluster'],
    ['two-clusters', ['enable', '-f', 'cluster.yaml'], 'two-clusters'],
    ['spec-not-mapping', ['enable', '-f', 'cluster.yaml'], 'spec-not-mapping'],
    ['file-assets-not-list', ['enable', '-f', 'cluster.yaml'], 'file-assets-not-list'],
    ['misspelt-field', ['enable', '-f', 'cluster.yaml'], 'misspelt-field'],
    ['hand-written-setup', ['enable', '-f', 'cluster.yaml'], 'hand-written-setup'],
    ['unknown-policy', ['enable', '-f', 'cluster.yaml', '--policy', 'strict']],
    ['invalid-policy', ['enable', '-f', 'cluster.yaml', '--policy', 'bad-policy.yaml']],
    ['relative-policy-path', ['enable', '-f', 'cluster.yaml', '--policy-path', 'audit/policy.yaml']],
    [
      'unmounted-policy-path',
      ['enable', '-f', 'cluster.yaml', '--policy-path', '/etc/kubernetes/audit/policy.yaml'],
    ],
    ['negative-max-age', ['enable', '-f', 'cluster.yaml', '--max-age', '-5']],
    ['non-numeric-max-size', ['enable', '-f', 'cluster.yaml', '--max-size', 'big']],
    ['unknown-flag', ['enable', '-f', 'cluster.yaml', '--max-ag', '30']],
    ['bad-kops-version', ['enable', '-f', 'cluster.yaml', '--kops-version', 'latest']],
    ['webhook-without-config', ['enable', '-f', 'cluster.yaml', '--backend', 'webhook']],
    [
      'webhook-config-not-kubeconfig',
      ['enable', '-f', 'cluster.yaml', '--backend', 'webhook', '--webhook-config', 'bad-policy.yaml'],
    ],
    ['log-flag-for-webhook', ['enable', '-f', 'cluster.yaml', '--backend', 'webhook', '--max-age', '30']],
    ['no-target', ['enable']],
    ['dry-run-and-stdout', ['disable', '-f', 'cluster.yaml', '--dry-run', '--stdout']],
    ['status-not-yaml', ['status', '-f', 'cluster.yaml'], 'not-yaml'],
    ['binary-spec', ['enable', '-f', 'cluster.yaml'], 'binary-spec'],
    ['empty-spec', ['disable', '-f', 'cluster.yaml'], 'empty-spec'],
    ['empty-stdin', ['enable', '-f', '-']],
    ['json-spec', ['enable', '-f', 'cluster.yaml'], 'json-spec'],
  ];
  it.each(cases)('%s', async (name, args, spec) => {
    const content = spec ? specs[spec]! : original;
    writeFileSync(file(), content);
    writeFileSync(
      path.join(dir, 'bad-policy.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n',
    );
    const result = await cli(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expectGolden(result.stderr, `errors/${name}.txt`);
    expect(read()).toBe(content);
  });

  it('a compressed spec (not UTF-8) is binary data, not YAML without a Cluster', async () => {
    const gzipped = gzipSync(original);
    writeFileSync(file(), gzipped);
    const result = await cli(['status', '-f', 'cluster.yaml']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(
      /^Error: cluster\.yaml is not text \(it holds binary data\); give the YAML kops prints\.\n/,
    );
    expect(readFileSync(file())).toEqual(gzipped);
  });

  it('--debug adds the stack trace', async () => {
    const result = await cli(['enable', '-f', 'missing.yaml', '--debug']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe('--help', () => {
  it.each(['enable', 'disable', 'status'])('%s --help', async (command) => {
    const result = await cli([command, '--help']);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, `help/${command}.txt`);
  });
});
