import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** render, explain and lint through the built CLI (run `npm run build` first; `npm test` does). */

const FIXTURES = 'test/fixtures/policy';
/** Output of one JSON object per line, parsed. */
const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
const template = (name: string) => readFileSync(path.join(REPO_ROOT, 'templates', `${name}.yaml`), 'utf8');

describe('help', () => {
  it.each(['render', 'explain', 'lint'])('%s --help', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, `policy/help-${command}.txt`);
  });
});

describe('kops-audit render', () => {
  it('prints the gce template by default (the default of every command), byte for byte', async () => {
    const result = await runCli(['render']);
    expect(result).toEqual({ code: 0, stdout: template('gce'), stderr: '' });
  });

  it('prints basic as YAML with its comments', async () => {
    const result = await runCli(['render', '--policy', 'basic']);
    expect(result).toEqual({ code: 0, stdout: template('basic'), stderr: '' });
  });

  it('prints gce as YAML with its comments', async () => {
    const result = await runCli(['render', '--policy', 'gce']);
    expect(result).toEqual({ code: 0, stdout: template('gce'), stderr: '' });
  });

  it('--output json prints the Policy object kube-apiserver would use', async () => {
    const result = await runCli(['render', '--policy', 'gce', '--output', 'json']);
    expect(result.code).toBe(0);
    const policy = JSON.parse(result.stdout);
    expect(policy).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy' });
    expect(policy.rules).toHaveLength(17);
    expectGolden(result.stdout, 'policy/render-gce.json');
  });

  it('a file with warnings is printed, the warnings go to stderr', async () => {
    const result = await runCli(['render', '--policy', `${FIXTURES}/team.yaml`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(path.join(REPO_ROOT, FIXTURES, 'team.yaml'), 'utf8'));
    expectGolden(result.stderr, 'policy/render-team-warnings.txt');
  });

  it('a policy kube-apiserver refuses: every error with its line, exit 1, nothing on stdout', async () => {
    const result = await runCli(['render', '--policy', `${FIXTURES}/refused.yaml`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expectGolden(result.stderr, 'policy/render-refused.txt');
  });

  it('a missing file is one paragraph naming it', async () => {
    const result = await runCli(['render', '--policy', 'no-such-policy.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expectGolden(result.stderr, 'policy/render-missing.txt');
  });

  it('--policy - reads stdin', async () => {
    const text = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n';
    const result = await runCli(['render', '--policy', '-', '-o', 'json'], { input: text });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      rules: [{ level: 'None' }],
    });
  });
});

describe('kops-audit explain', () => {
  it('answers for the request kube-apiserver will see, and says what it changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'explain-'));
    const policy = path.join(dir, 'p.yaml');
    writeFileSync(
      policy,
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  namespaces: [""]\n',
    );
    const explain = (...args: string[]) =>
      runCli(['explain', '--policy', policy, '--user', 'alice', ...args]);
    const deleted = await explain('--verb', 'delete', '--resource', 'namespaces', '--name', 'foo');
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toContain('Note: a request on the Namespace object "foo" has namespace "foo"');
    expect(deleted.stdout).toMatch(/^Level: +None/m);
    const upper = await explain('--verb', 'GET', '--path', '/healthz');
    expect(upper.code).toBe(1);
    expect(upper.stderr).toMatch(/^Error: Verb "GET" never reaches a policy: .*use "get"\.\n/);
  });

  it('one request: level, rule with its source, later rules that also match', async () => {
    const result = await runCli([
      'explain',
      '--policy',
      'gce',
      '--user',
      'alice',
      '--group',
      'dev',
      '--group',
      'system:authenticated',
      '--verb',
      'create',
      '--resource',
      'pods/exec',
      '--namespace',
      'default',
      '--name',
      'web-1',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expectGolden(result.stdout, 'policy/explain-exec.txt');
  });

  it('one request as JSON', async () => {
    const result = await runCli([
      'explain',
      '--policy',
      'gce',
      '--user',
      'system:kube-proxy',
      '--verb',
      'watch',
      '--resource',
      'endpoints',
      '-o',
      'json',
    ]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ version: 1, level: 'None', rule: 0, line: 9 });
    expectGolden(result.stdout, 'policy/explain-kube-proxy.json');
  });

  it('a non-resource URL no None rule covers (gce logs /readyz at Metadata)', async () => {
    const result = await runCli([
      'explain',
      '--policy',
      'gce',
      '--user',
      'kubelet',
      '--verb',
      'get',
      '--path',
      '/readyz',
    ]);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, 'policy/explain-readyz.txt');
  });

  it('a request no rule matches is not logged', async () => {
    const result = await runCli([
      'explain',
      '--policy',
      `${FIXTURES}/team.yaml`,
      '--user',
      'bob',
      '--verb',
      'delete',
      '--api-group',
      'example.com',
      '--resource',
      'widgets',
      '--namespace',
      'default',
      '--name',
      'w',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Level:   None: no rule matches, so kube-apiserver does not log this request',
    );
    expectGolden(result.stdout, 'policy/explain-no-match.txt');
  });

  it('--requests: one JSON line per request, in order; bad lines get an error line and exit 1', async () => {
    const result = await runCli([
      'explain',
      '--policy',
      'gce',
      '--requests',
      `${FIXTURES}/requests.jsonl`,
      '-o',
      'json',
    ]);
    expect(result.code).toBe(1);
    expectGolden(result.stdout, 'policy/explain-requests.jsonl');
    expectGolden(result.stderr, 'policy/explain-requests-stderr.txt');
  });

  it('--events: a malformed line gets an error line in its place (as simulate counts it), exit 1', async () => {
    const good = JSON.stringify({
      kind: 'Event',
      verb: 'get',
      requestURI: '/metrics',
      user: { username: 'u' },
    });
    const input = [
      good,
      '{"kind":"Event","verb":"get",',
      JSON.stringify({ kind: 'Event', user: {} }),
      good,
      '',
    ];
    const result = await runCli(['explain', '--policy', 'basic', '--events', '-', '-o', 'json'], {
      input: input.join('\n'),
    });
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([
      { level: 'Metadata', rule: 0, omitStages: ['RequestReceived'], omitManagedFields: false },
      { line: 2, error: 'not JSON' },
      { line: 3, error: 'no verb' },
      { level: 'Metadata', rule: 0, omitStages: ['RequestReceived'], omitManagedFields: false },
    ]);
    expect(result.stderr).toMatch(/^Error: 2 lines of - could not be explained \(first: line 2: not JSON\)/);
  });

  it('--events text: an event of a stage the policy omits is marked as not written', async () => {
    const event = (stage: string) =>
      JSON.stringify({
        kind: 'Event',
        stage,
        verb: 'get',
        user: { username: 'alice' },
        objectRef: { resource: 'pods', namespace: 'd', name: 'p' },
      });
    const input = `${event('RequestReceived')}\n${event('ResponseComplete')}\n`;
    const result = await runCli(['explain', '--policy', 'basic', '--events', '-'], { input });
    expect(result.code).toBe(0);
    const [received, complete] = result.stdout.trim().split('\n');
    expect(received).toMatch(/^1\tMetadata\trules\[0\]\t.*\(stage RequestReceived omitted: not written\)$/);
    expect(complete).not.toContain('omitted');
  });

  it('--events - reads audit events from stdin (v1 and v1beta1 shapes)', async () => {
    const events = [
      {
        apiVersion: 'audit.k8s.io/v1',
        kind: 'Event',
        verb: 'get',
        requestURI: '/healthz',
        user: { username: 'kubelet' },
      },
      {
        kind: 'Event',
        verb: 'update',
        user: { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] },
        objectRef: { resource: 'nodes', subresource: 'status', name: 'n1' },
      },
      {
        apiVersion: 'audit.k8s.io/v1beta1',
        verb: 'create',
        user: { username: 'admin' },
        impersonatedUser: { username: 'system:kube-proxy' },
        objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'x' },
      },
    ];
    const input = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
    const result = await runCli(['explain', '--policy', 'gce', '--events', '-', '-o', 'json'], { input });
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      { level: 'None', rule: 8, omitStages: [], omitManagedFields: false },
      { level: 'Request', rule: 11, omitStages: ['RequestReceived'], omitManagedFields: false },
      { level: 'Metadata', rule: 13, omitStages: ['RequestReceived'], omitManagedFields: false },
    ]);
  });

  it('--events FILE.gz in kube-apiserver field order (fast path), CRLF and blank lines, same answers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-'));
    const event = (verb: string, extra: object) =>
      JSON.stringify({
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        auditID: 'x',
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/kube-system/configmaps/c',
        verb,
        user: { username: 'system:unsecured', groups: ['system:masters'] },
        ...extra,
        responseStatus: { code: 200 },
      });
    const lines = [
      event('get', { objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'c' } }),
      event('update', { objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'c' } }),
      '',
      event('get', {}),
    ];
    const file = path.join(dir, 'audit.log.gz');
    writeFileSync(file, gzipSync(`${lines.join('\r\n')}\r\n`));
    const result = await runCli(['explain', '--policy', 'gce', '--events', file, '-o', 'json']);
    expect(result.code).toBe(0);
    // The blank line gets a line of its own, in its place (one output line per input line).
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).rule ?? JSON.parse(l)),
    ).toEqual([1, 13, { line: 3, blank: true }, 16]);
  });

  it('--events text output: one line per event', async () => {
    const input = `${JSON.stringify({ verb: 'list', user: { username: 'a' }, objectRef: { resource: 'pods' } })}\n`;
    const result = await runCli(['explain', '--policy', 'basic', '--events', '-'], { input });
    expect(result).toEqual({
      code: 0,
      stdout: '1\tMetadata\trules[0]\ta list pods (cluster-wide)\n',
      stderr: '',
    });
  });

  it.each([
    [['explain', '--user', 'a', '--verb', 'get', '--resource', 'pods'], 'explain needs --policy'],
    [
      ['explain', '--policy', 'gce', '--verb', 'get', '--resource', 'pods', '--path', '/x', '--user', 'a'],
      'give either --path or --resource',
    ],
    [['explain', '--policy', 'gce', '--user', 'a', '--verb', 'get'], 'explain needs --resource'],
    [['explain', '--policy', 'gce', '--events', 'x', '--user', 'a'], 'not several'],
    [
      ['explain', '--policy', 'gce', '--events', 'no-such.log'],
      'Cannot read the audit log no-such.log: no such file.',
    ],
  ])('usage error: %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});

describe('kops-audit lint', () => {
  it('gce: no errors, the two warnings pinned in the unit tests, exit 0', async () => {
    const result = await runCli(['lint', 'gce']);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, 'policy/lint-gce.txt');
  });

  it('--strict turns warnings into exit 1', async () => {
    expect((await runCli(['lint', 'gce', '--strict'])).code).toBe(1);
  });

  it('a clean policy exits 0 even with --strict', async () => {
    const text =
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: None\n  resources: [{group: "", resources: [pods/exec, pods/attach, pods/portforward]}]\n- level: Metadata\n';
    const result = await runCli(['lint', '-', '--strict'], { input: text });
    expect(result).toEqual({
      code: 0,
      stdout: '-: 0 errors, 0 warnings; kube-apiserver 1.36 accepts it.\n',
      stderr: '',
    });
  });

  it('a policy with the usual mistakes: every warning with line and fix', async () => {
    const result = await runCli(['lint', `${FIXTURES}/team.yaml`]);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, 'policy/lint-team.txt');
  });

  it('--output json', async () => {
    const result = await runCli(['lint', `${FIXTURES}/team.yaml`, '--output', 'json']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ version: 2, valid: true, errors: [] });
    expect(parsed.warnings.length).toBeGreaterThan(5);
    expectGolden(result.stdout, 'policy/lint-team.json');
  });

  it('a refused policy: errors with lines, exit 1', async () => {
    const result = await runCli(['lint', `${FIXTURES}/refused.yaml`]);
    expect(result.code).toBe(1);
    expectGolden(result.stdout, 'policy/lint-refused.txt');
  });

  it('--kubernetes-version decides what is refused (group "*" from 1.36)', async () => {
    const text =
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{group: "*"}]\n';
    const old = await runCli(['lint', '-', '--kubernetes-version', '1.34', '-o', 'json'], { input: text });
    expect(old.code).toBe(1);
    expect(JSON.parse(old.stdout).errors.map((e: { code: string }) => e.code)).toEqual([
      'GROUP_WILDCARD_UNSUPPORTED',
    ]);
    const current = await runCli(['lint', '-', '--kubernetes-version', 'v1.36.0', '-o', 'json'], {
      input: text,
    });
    expect(current.code).toBe(0);
  });

  it('a bad --kubernetes-version is a usage error', async () => {
    const result = await runCli(['lint', 'gce', '--kubernetes-version', 'latest']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Error: --kubernetes-version latest is not a Kubernetes version.\nHint: Write it as 1.30 or v1.30.2 (default 1.36).\n',
    );
  });
});
