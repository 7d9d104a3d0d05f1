import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLogLines } from '../../bench/generate-log.mjs';
import { runCli } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';
import { CONFORMANCE_DIR, conformanceMissing, REPO_ROOT } from '../helpers/paths.js';

// `kops-audit simulate` through the built CLI (issue 5): the real Falco events and a small seeded
// synthetic log (bench/generate-log.mjs), from a file, a .gz and stdin, with malformed lines. Outputs are
// pinned by golden files; per-level counts must equal what `explain --events` says for the same input.

const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-simulate-'));
const synthetic = `${[...auditLogLines({ seed: 11, bytes: 600_000 })].join('\n')}\n`;
const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'];

const FALCO = 'audit-events/falco-k8s-audit';
const falcoMissing = conformanceMissing(FALCO);

function falcoLog(): string {
  const events = path.join(CONFORMANCE_DIR, FALCO);
  return readdirSync(events)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readFileSync(path.join(events, f), 'utf8').trimEnd())
    .join('\n');
}

/** Level → events, from explain --events --output json (one line per event). */
async function explainCounts(policy: string, file: string): Promise<Record<string, number>> {
  const result = await runCli(['explain', '--policy', policy, '--events', file, '--output', 'json'], {
    cwd: dir,
  });
  const counts: Record<string, number> = Object.fromEntries(LEVELS.map((l) => [l, 0]));
  for (const line of result.stdout.trim().split('\n')) {
    const { level } = JSON.parse(line) as { level: string };
    counts[level] = (counts[level] ?? 0) + 1;
  }
  return counts;
}

async function simulateJson(args: string[], input?: string) {
  const result = await runCli(['simulate', ...args, '--output', 'json'], { cwd: dir, input });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

beforeAll(() => {
  writeFileSync(path.join(dir, 'audit.log'), synthetic);
  writeFileSync(path.join(dir, 'audit.log.gz'), gzipSync(synthetic));
  const lines = synthetic.trimEnd().split('\n');
  const broken = [
    ...lines.slice(0, 40),
    'garbage',
    lines[40]!.slice(0, 300),
    '',
    ...lines.slice(41, 180),
    '[1,2]',
    ...lines.slice(180),
  ];
  writeFileSync(path.join(dir, 'broken.log'), `${broken.join('\n')}\n`);
  if (!falcoMissing) writeFileSync(path.join(dir, 'falco.log'), falcoLog());
});

describe('kops-audit simulate', () => {
  it('--ship-to adds the ingest cost per day at the list price it names; --price-per-gb overrides it', async () => {
    const json = await simulateJson([
      '--policy',
      'gce',
      '--policy',
      'basic',
      '--events',
      'audit.log',
      '--ship-to',
      'cloudwatch://us-east-1/audit',
    ]);
    expect(json.shipping.usdPerGb).toBe(0.5);
    expect(json.shipping.priceSource).toContain('aws.amazon.com/cloudwatch/pricing');
    for (const [i, cost] of json.shipping.costPerDay.entries()) {
      const perDay = json.policies[i].perDay;
      expect(cost.usd).toBe(perDay ? Math.round((perDay.bytes / 1e9) * 0.5 * 100) / 100 : null);
    }
    const text = await runCli(
      ['simulate', '--policy', 'gce', '--events', 'audit.log', '--price-per-gb', '0.25'],
      { cwd: dir },
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'Shipping at $0.25/GB (given with --price-per-gb), at the rate of the recorded log:',
    );
    const unpriced = await runCli(
      ['simulate', '--policy', 'gce', '--events', 'audit.log', '--ship-to', 'https://audit.example.com/in'],
      { cwd: dir },
    );
    expect(unpriced.code).toBe(1);
    expect(unpriced.stderr).toContain('--price-per-gb');
  });

  it('prints its help', async () => {
    const result = await runCli(['simulate', '--help']);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, 'simulate/help.txt');
  });

  it('compares gce with basic on a synthetic log: tables, bars, top talkers, what basic drops', async () => {
    const result = await runCli(
      ['simulate', '--policy', 'gce', '--policy', 'basic', '--events', 'audit.log'],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expectGolden(result.stdout, 'simulate/synthetic-gce-basic.txt');
  });

  it('gives the same JSON for the file, its .gz and stdin (apart from the source)', async () => {
    const file = await simulateJson(['--policy', 'gce', '--policy', 'basic', '--events', 'audit.log']);
    expectGolden(`${JSON.stringify(file, null, 2)}\n`, 'simulate/synthetic-gce-basic.json');
    const gz = await simulateJson(['--policy', 'gce', '--policy', 'basic', '--events', 'audit.log.gz']);
    const stdin = await simulateJson(['--policy', 'gce', '--policy', 'basic', '--events', '-'], synthetic);
    for (const other of [gz, stdin]) {
      expect(other.policies).toEqual(file.policies);
      expect(other.comparisons).toEqual(file.comparisons);
      expect(other.input.events).toBe(file.input.events);
    }
    expect(gz.input.gzip).toBe(true);
    expect(stdin.input.source).toBe('-');
  });

  it('counts and reports malformed lines and goes on', async () => {
    const result = await runCli(['simulate', '--policy', 'gce', '--events', 'broken.log'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '3 malformed lines skipped: 41 (not JSON), 42 (not JSON), 183 (not a JSON object)',
    );
    const json = await simulateJson(['--policy', 'gce', '--events', 'broken.log']);
    expect(json.input.malformed).toEqual({
      count: 3,
      first: [
        { line: 41, reason: 'not JSON' },
        { line: 42, reason: 'not JSON' },
        { line: 183, reason: 'not a JSON object' },
      ],
    });
    const whole = await simulateJson(['--policy', 'gce', '--events', 'audit.log']);
    expect(json.input.events).toBe(whole.input.events - 1);
  });

  it('strips managedFields where the policy says so, to the byte (k8s.io/apiserver audit/request.go)', async () => {
    writeFileSync(
      path.join(dir, 'everything.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitManagedFields: true\nrules:\n- level: RequestResponse\n',
    );
    const json = await simulateJson(['--policy', 'everything.yaml', '--events', 'audit.log']);
    // Independently: every event at RequestResponse, minus `"managedFields":[...]` (and its comma) in
    // each logged object and list item, except in a patch body (logged as sent).
    const stripped = (object: unknown): number => {
      const metadata = (object as { metadata?: Record<string, unknown> } | null)?.metadata;
      if (!metadata || !('managedFields' in metadata)) return 0;
      const member = `"managedFields":${JSON.stringify(metadata.managedFields)}`.length;
      return member + (Object.keys(metadata).length > 1 ? 1 : 0);
    };
    const inBody = (body: { items?: unknown[] } | undefined): number =>
      body ? stripped(body) + (body.items ?? []).reduce<number>((n, item) => n + stripped(item), 0) : 0;
    let expected = 0;
    for (const line of synthetic.trimEnd().split('\n')) {
      const event = JSON.parse(line);
      expected += Buffer.byteLength(line) + 1;
      if (event.verb !== 'patch') expected -= inBody(event.requestObject);
      expected -= inBody(event.responseObject);
    }
    expect(json.policies[0].events).toBe(json.input.events);
    expect(json.policies[0].bytes).toBe(expected);
    expect(expected).toBeLessThan(Buffer.byteLength(synthetic));
  });

  it.each(['audit.log', 'broken.log'])(
    'gives the same result with worker threads (KOPS_AUDIT_WORKERS=2) on %s',
    async (file) => {
      const args = ['simulate', '--policy', 'gce', '--policy', 'basic', '--events', file, '--output', 'json'];
      const sequential = await runCli(args, { cwd: dir });
      const parallel = await runCli(args, { cwd: dir, env: { KOPS_AUDIT_WORKERS: '2' } });
      expect(parallel.code).toBe(0);
      expect(parallel.stderr).toBe('');
      expect(parallel.stdout).toBe(sequential.stdout);
    },
  );

  it('gives the same result with three threads, each taking several ranges in turn (broken.log)', async () => {
    const args = [
      'simulate',
      '--policy',
      'gce',
      '--policy',
      'basic',
      '--events',
      'broken.log',
      '--output',
      'json',
    ];
    const sequential = await runCli(args, { cwd: dir });
    const parallel = await runCli(args, { cwd: dir, env: { KOPS_AUDIT_WORKERS: '3' } });
    expect(parallel.code).toBe(0);
    expect(parallel.stderr).toBe('');
    expect(parallel.stdout).toBe(sequential.stdout);
  });

  it.each(['gce', 'basic'])('per-level counts equal explain --events (%s, synthetic log)', async (policy) => {
    const json = await simulateJson(['--policy', policy, '--events', 'audit.log']);
    const matched = Object.fromEntries(LEVELS.map((l) => [l, json.policies[0].byLevel[l].matched]));
    expect(matched).toEqual(await explainCounts(policy, 'audit.log'));
  });

  describe.skipIf(falcoMissing)('on the recorded Falco events', () => {
    it.each(['gce', 'basic'])('per-level counts equal explain --events (%s)', async (policy) => {
      const json = await simulateJson(['--policy', policy, '--events', 'falco.log']);
      const matched = Object.fromEntries(LEVELS.map((l) => [l, json.policies[0].byLevel[l].matched]));
      expect(matched).toEqual(await explainCounts(policy, 'falco.log'));
    });

    it('says where the recorded level caps the estimate', async () => {
      const result = await runCli(
        ['simulate', '--policy', 'gce', '--policy', 'basic', '--events', 'falco.log'],
        {
          cwd: dir,
        },
      );
      expect(result.code).toBe(0);
      expectGolden(result.stdout, 'simulate/falco-gce-basic.txt');
    });
  });

  it.each([
    ['no --events', ['simulate', '--policy', 'gce'], /simulate needs --events FILE/],
    ['no --policy', ['simulate', '--events', 'audit.log'], /simulate needs at least one --policy/],
    [
      'a missing log',
      ['simulate', '--policy', 'gce', '--events', 'nope.log'],
      /Cannot read the audit log nope\.log: no such file/,
    ],
    [
      'two readers of stdin',
      ['simulate', '--policy', '-', '--events', '-'],
      /Only one of --policy and --events can read stdin/,
    ],
    ['an unknown policy file', ['simulate', '--policy', 'gke', '--events', 'audit.log'], /gke/],
    [
      '--events with --emit-sql',
      ['simulate', '--policy', 'gce', '--emit-sql', 'duckdb', '--from', 'a.log', '--events', 'a.log'],
      /--events and --emit-sql do not go together/,
    ],
    [
      'a file for a table dialect',
      ['simulate', '--policy', 'gce', '--emit-sql', 'spark', '--from', 'audit.log'],
      /--from audit\.log looks like a file, and only --emit-sql duckdb reads files/,
    ],
    [
      'an unknown dialect',
      ['simulate', '--policy', 'gce', '--emit-sql', 'mysql', '--from', 't'],
      /--emit-sql <dialect>' argument 'mysql' is invalid/,
    ],
    [
      'a policy kube-apiserver refuses',
      [
        'simulate',
        '--policy',
        path.join(REPO_ROOT, 'test/fixtures/policy/refused.yaml'),
        '--emit-sql',
        'trino',
        '--from',
        't',
      ],
      /would refuse this audit policy/,
    ],
  ])('%s: one paragraph on stderr, exit 1', async (_name, args, message) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
