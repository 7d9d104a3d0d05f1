import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseExplainFlags, runExplain } from '../../../src/cli/commands/explain.js';
import { testCtx } from '../../helpers/ctx.js';

// explain --requests reads through the same reader as --events: gzip by its magic bytes, not its name.

const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-explain-requests-'));
const requests = [
  { user: 'alice', groups: ['system:authenticated'], verb: 'get', namespace: 'default', resource: 'pods' },
  { user: 'system:kube-proxy', verb: 'watch', resource: 'endpoints' },
  { user: 'kubelet', groups: ['system:nodes'], verb: 'get', path: '/healthz' },
];
const text = `${requests.map((r) => JSON.stringify(r)).join('\n')}\n`;

function file(name: string, content: string | Buffer): string {
  writeFileSync(path.join(dir, name), content);
  return name;
}

/** Runs explain --requests; a failure (exit 1) is returned as its message. */
async function explainRequests(requestsFile: string, input?: string | Buffer) {
  const ctx = testCtx({ cwd: dir });
  if (input !== undefined) (ctx.io as { stdin: unknown }).stdin = [Buffer.from(input)];
  const options = parseExplainFlags({ policy: 'gce', requests: requestsFile, output: 'json' });
  let error: string | undefined;
  try {
    await runExplain(options, ctx);
  } catch (e) {
    error = (e as Error).message;
  }
  return { stdout: ctx.out.text, stderr: ctx.err.text, error };
}

describe('explain --requests', () => {
  it('reads a gzipped file whatever its name, and a plain file named .gz as plain', async () => {
    const plain = await explainRequests(file('requests.jsonl', text));
    expect(plain.error).toBeUndefined();
    expect(plain.stdout.trim().split('\n')).toHaveLength(requests.length);
    for (const [name, content] of [
      ['gzipped.jsonl', gzipSync(text)],
      ['plain.jsonl.gz', text],
      ['gzipped.jsonl.gz', gzipSync(text)],
    ] as const) {
      expect(await explainRequests(file(name, content)), name).toEqual(plain);
    }
    expect(await explainRequests('-', gzipSync(text))).toEqual(plain);
  });

  it('explains what a cut-short gzip holds and says on stderr that it was cut short', async () => {
    const many = text.repeat(2000);
    const whole = await explainRequests(file('many.jsonl', many));
    const gz = gzipSync(many);
    const cut = await explainRequests(file('cut.jsonl.gz', gz.subarray(0, Math.floor(gz.length / 2))));
    expect(whole.stderr).toBe('');
    expect(cut.stderr).toBe(
      'Warning: cut.jsonl.gz is a gzip stream cut short: only the requests it holds were explained.\n',
    );
    const explained = cut.stdout.trim().split('\n');
    // The line the cut went through is not JSON: an error line in its place, and exit 1.
    const last = JSON.parse(explained.pop()!);
    expect(last).toEqual({ line: explained.length + 1, error: 'not JSON' });
    expect(cut.error).toMatch(/^1 line of cut\.jsonl\.gz could not be explained/);
    expect(explained.length).toBeGreaterThan(0);
    expect(explained).toEqual(whole.stdout.trim().split('\n').slice(0, explained.length));
  });

  it('says which file it cannot read', async () => {
    expect((await explainRequests('missing.jsonl')).error).toBe(
      'Cannot read the request list missing.jsonl: no such file.',
    );
  });
});

// The README promises one output line per input line, in order (issue 11): blank lines too.
describe('explain --requests and --events: a blank line gets a line of its own', () => {
  const event = JSON.stringify({
    kind: 'Event',
    verb: 'get',
    requestURI: '/metrics',
    user: { username: 'u' },
  });
  const request = JSON.stringify({ user: 'u', verb: 'get', path: '/metrics' });
  const run = async (kind: 'requests' | 'events', line: string, output: 'text' | 'json') => {
    const name = file(`blank-${kind}-${output}.txt`, `${line}\n\n   \r\n${line}\n`);
    const ctx = testCtx({ cwd: dir });
    const code = await runExplain(parseExplainFlags({ policy: 'basic', [kind]: name, output }), ctx);
    return { code, lines: ctx.out.text.split('\n').slice(0, -1), stderr: ctx.err.text };
  };

  it.each([
    ['requests', request],
    ['events', event],
  ] as const)('--%s -o json: {"line": N, "blank": true}, exit 0', async (kind, line) => {
    const { code, lines, stderr } = await run(kind, line, 'json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'Metadata', rule: 0, omitStages: ['RequestReceived'], omitManagedFields: false },
      { line: 2, blank: true },
      { line: 3, blank: true },
      { level: 'Metadata', rule: 0, omitStages: ['RequestReceived'], omitManagedFields: false },
    ]);
  });

  it.each([
    ['requests', request],
    ['events', event],
  ] as const)('--%s text: a line saying it was blank', async (kind, line) => {
    const { code, lines } = await run(kind, line, 'text');
    expect(code).toBe(0);
    expect(lines).toEqual([
      '1\tMetadata\trules[0]\tu get /metrics (non-resource URL)',
      '2\tblank\t(blank line: nothing to explain)',
      '3\tblank\t(blank line: nothing to explain)',
      '4\tMetadata\trules[0]\tu get /metrics (non-resource URL)',
    ]);
  });
});

// checker.go: no rule with users or userGroups matches a request with no user (issue 11).
describe('explain --requests: a request with no user ("user": null)', () => {
  const lines = [
    { user: null, verb: 'get', path: '/healthz' },
    { verb: 'get', path: '/healthz' },
    { user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', path: '/healthz' },
    { user: 'kubelet', groups: ['system:authenticated'], verb: 'get', path: '/healthz' },
  ];
  const name = file('no-user.jsonl', `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  // The kubernetes.io example's rule for health checks: only authenticated ones are dropped.
  const policy = file(
    'probes.yaml',
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  userGroups: ["system:authenticated"]\n  nonResourceURLs: ["/healthz*"]\n- level: None\n  users: ["system:anonymous"]\n- level: Metadata\n',
  );

  it('is matched by no users or userGroups rule, unlike the anonymous user: the catch-all logs it', async () => {
    const ctx = testCtx({ cwd: dir });
    expect(await runExplain(parseExplainFlags({ policy, requests: name, output: 'text' }), ctx)).toBe(0);
    expect(ctx.out.text.split('\n').slice(0, -1)).toEqual([
      '1\tMetadata\trules[2]\t(no user: unauthenticated) get /healthz (non-resource URL)',
      '2\tMetadata\trules[2]\t(no user: unauthenticated) get /healthz (non-resource URL)',
      '3\tNone\trules[1]\tsystem:anonymous (groups system:unauthenticated) get /healthz (non-resource URL)',
      '4\tNone\trules[0]\tkubelet (groups system:authenticated) get /healthz (non-resource URL)',
    ]);
  });
});
