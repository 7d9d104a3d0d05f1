import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogLines } from '../../../bench/generate-log.mjs';
import { templatePath } from '../../../src/cli/assets.js';
import { parseSimulateFlags, runSimulate } from '../../../src/cli/commands/simulate.js';
import { KopsAuditError } from '../../../src/errors.js';
import { compilePolicy } from '../../../src/policy/evaluate.js';
import { requestFromEvent } from '../../../src/policy/event-request.js';
import { loadPolicyOrThrow } from '../../../src/policy/load.js';
import { testCtx } from '../../helpers/ctx.js';
import { CONFORMANCE_DIR, conformanceMissing, REPO_ROOT } from '../../helpers/paths.js';
import { readmeCodeBlocks } from '../../helpers/readme.js';

const SQL_HEADING = '### SQL: the same counts where the logs are';

// Issue 13 part 3, the proof: the query `simulate --emit-sql duckdb` prints, run by DuckDB, gives
// simulate's byRule[].matched and byRule[].events (as `matched` and `written`) for every rule of basic,
// gce and the test policies, on a generated log, the real logs in ../shared, and trap events (one per
// selector semantic of checker.go, malformed lines, non-Event lines, EventList lines). The table form
// of the query (--from TABLE, what Trino, BigQuery and Spark read) is run on a DuckDB table made with
// the reference's statement.

const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-sql-'));
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/policy');
const TRAPS_POLICY = path.join(FIXTURES, 'sql-traps.yaml');
const POLICIES = ['basic', 'gce', path.join(FIXTURES, 'team.yaml'), TRAPS_POLICY];

interface Counts {
  matched: number;
  written: number;
  bytes?: number;
}
/** `policy rule` (rule `null` for no match) → counts. */
type ByRule = Map<string, Counts>;
const key = (policy: string, rule: number | null) => `${path.basename(policy)} ${rule}`;

/** What simulate counts for a log with no audit event in it: every rule decides nothing. */
function nothingCounted(): ByRule {
  const out: ByRule = new Map();
  for (const policy of POLICIES) {
    const file = policy === 'basic' || policy === 'gce' ? templatePath(policy) : policy;
    const { rules } = loadPolicyOrThrow(readFileSync(file, 'utf8'), file).policy;
    for (let i = 0; i < rules.length; i++) out.set(key(policy, i), { matched: 0, written: 0, bytes: 0 });
  }
  return out;
}

async function simulated(events: string): Promise<ByRule> {
  const ctx = testCtx({ cwd: dir });
  try {
    await runSimulate(parseSimulateFlags({ policy: POLICIES, events, output: 'json' }), ctx);
  } catch (error) {
    // simulate refuses a file in which no line is an audit event (and prints no figures); the query
    // counts nothing in it.
    if (error instanceof KopsAuditError && /holds no audit events/.test(error.message))
      return nothingCounted();
    throw error;
  }
  const result = JSON.parse(ctx.out.text) as {
    policies: Array<{
      policy: string;
      byRule: Array<{ rule: number | null; matched: number; events: number; bytes: number }>;
    }>;
  };
  const out: ByRule = new Map();
  for (const p of result.policies) {
    for (const r of p.byRule) {
      out.set(key(p.policy, r.rule), { matched: r.matched, written: r.events, bytes: r.bytes });
    }
  }
  return out;
}

/** Several logs, as a glob reads them: each one simulated on its own, the counts added up. */
async function simulatedAll(files: string[]): Promise<ByRule> {
  const total: ByRule = new Map();
  for (const file of files) {
    for (const [k, c] of await simulated(file)) {
      const t = total.get(k) ?? { matched: 0, written: 0 };
      total.set(k, { matched: t.matched + c.matched, written: t.written + c.written });
    }
  }
  return total;
}

let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const generated = `${[...auditLogLines({ seed: 13, bytes: 2_000_000 })].join('\n')}\n`;
  writeFileSync(path.join(dir, 'generated.log'), generated);
  writeFileSync(path.join(dir, 'generated.log.gz'), gzipSync(generated));
  writeFileSync(trapsFile, `${trapLines.join('\n')}\n`);
});
afterAll(() => instance?.closeSync());

/** The SQL the CLI prints for `--from`, run by DuckDB. */
async function queried(from: string, setup?: string): Promise<ByRule> {
  const ctx = testCtx({ cwd: dir });
  await runSimulate(parseSimulateFlags({ policy: POLICIES, emitSql: 'duckdb', from, output: 'text' }), ctx);
  const connection = await instance.connect();
  try {
    if (setup) await connection.run(setup);
    const rows = (await connection.runAndReadAll(ctx.out.text)).getRowObjectsJS();
    const out: ByRule = new Map();
    for (const row of rows) {
      const rule = row.rule === null ? null : Number(row.rule);
      const counts: Counts = { matched: Number(row.matched), written: Number(row.written) };
      if (row.bytes !== undefined) counts.bytes = Number(row.bytes);
      out.set(key(String(row.policy), rule), counts);
    }
    return out;
  } finally {
    connection.closeSync();
  }
}

/** The same rows (every rule; the no-match row where some request matched no rule), matched and written. */
function expectSameCounts(sql: ByRule, simulate: ByRule): void {
  const strip = (m: ByRule) =>
    Object.fromEntries([...m].map(([k, c]) => [k, { matched: c.matched, written: c.written }]));
  expect(strip(sql)).toEqual(strip(simulate));
}

// ---------------------------------------------------------------------------------------------------
// Trap events: what each is, the line, and the rule of sql-traps.yaml that decides it (null: no rule,
// level None; 'out': not a request at all, left out as simulate leaves it out).

let auditSeq = 0;
function event(fields: Record<string, unknown>): Record<string, unknown> {
  auditSeq++;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `trap-${auditSeq}`,
    stage: 'ResponseComplete',
    requestURI: '/metrics',
    verb: 'get',
    user: { username: 'someone', groups: ['system:authenticated'] },
    requestReceivedTimestamp: '2026-11-02T10:00:00.000000Z',
    stageTimestamp: '2026-11-02T10:00:00.001000Z',
    ...fields,
  };
}
const user = (username: string, groups: unknown[] = ['system:authenticated']) => ({ username, groups });
const nonResource = (requestURI: string, fields: Record<string, unknown> = {}) =>
  event({ requestURI, ...fields });
const resource = (objectRef: Record<string, unknown>, fields: Record<string, unknown> = {}) =>
  event({ requestURI: '/api/v1/x', objectRef, ...fields });
const json = (value: unknown) => JSON.stringify(value);

type Expected = number | null | 'out';
const TRAPS: Array<[string, string, Expected]> = [
  // checker.go users: exact names; "*" is a name like any other.
  ['user "*"', json(nonResource('/metrics', { user: user('*') })), 0],
  ['"*" is no wildcard for other users', json(nonResource('/metrics')), 12],
  // A quote, a backslash and SQL in a policy value are data.
  [
    "user o'brien, stage the rule omits",
    json(nonResource('/metrics', { user: user("o'brien\\'); DROP TABLE x; --") })),
    1,
  ],
  [
    "user o'brien, RequestReceived",
    json(nonResource('/metrics', { user: user("o'brien\\'); DROP TABLE x; --"), stage: 'RequestReceived' })),
    1,
  ],
  // userGroups: any one of the user's groups.
  [
    'groups x, team-b',
    json(nonResource('/metrics', { user: user('g', ['x', 'team-b']), stage: 'RequestReceived' })),
    2,
  ],
  [
    'groups team-c, team-a-not',
    json(nonResource('/metrics', { user: user('g', ['team-c', 'team-a-not']) })),
    12,
  ],
  [
    'a non-string group is ignored, the string one counts',
    json(nonResource('/metrics', { user: user('g', [5, 'team-a']) })),
    2,
  ],
  // nonResourceURLs: exact, or a prefix before a trailing `*`; the path ends before `?`.
  ['path /exact', json(nonResource('/exact')), 3],
  ['path /exact with a query', json(nonResource('/exact?watch=1&x=y')), 3],
  ['/exactly is not /exact', json(nonResource('/exactly')), 12],
  ['prefix /pre_fix', json(nonResource('/pre_fix/more')), 3],
  ['`_` is not a LIKE wildcard', json(nonResource('/preXfix')), 12],
  ['prefix /100%', json(nonResource('/100%/x')), 3],
  ['`%` is not a LIKE wildcard', json(nonResource('/1000')), 12],
  ['shorter than the prefix', json(nonResource('/pre_fi')), 12],
  // resources: "*/scale" in apps.
  [
    'apps deployments/scale',
    json(resource({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'default' })),
    4,
  ],
  [
    'apps deployments without subresource',
    json(resource({ apiGroup: 'apps', resource: 'deployments', namespace: 'default' })),
    null,
  ],
  // "pods/*" without a group: the core group, pods and each subresource; a missing apiGroup is core.
  [
    'core pods/scale (*/scale was for apps)',
    json(resource({ resource: 'pods', subresource: 'scale', namespace: 'default' })),
    5,
  ],
  ['core pods, bare', json(resource({ resource: 'pods', namespace: 'default' })), 5],
  ['core pods/log', json(resource({ resource: 'pods', subresource: 'log', namespace: 'default' })), 5],
  [
    'apiGroup "" is the core group',
    json(resource({ apiGroup: '', resource: 'pods', namespace: 'default' })),
    5,
  ],
  [
    'pods in another group',
    json(resource({ apiGroup: 'example.com', resource: 'pods', namespace: 'default' })),
    null,
  ],
  ['podsx is not pods', json(resource({ resource: 'podsx', name: 'p', namespace: 'default' })), null],
  // resourceNames; a create has no name yet when the policy is evaluated.
  [
    'configmap cm-1, a stage the rule omits',
    json(
      resource({ resource: 'configmaps', name: 'cm-1', namespace: 'default' }, { stage: 'ResponseStarted' }),
    ),
    6,
  ],
  ['configmap cm-1', json(resource({ resource: 'configmaps', name: 'cm-1', namespace: 'default' })), 6],
  ['configmap cm-2', json(resource({ resource: 'configmaps', name: 'cm-2', namespace: 'default' })), null],
  [
    'create configmap cm-1: no name at evaluation',
    json(resource({ resource: 'configmaps', name: 'cm-1', namespace: 'default' }, { verb: 'create' })),
    null,
  ],
  // exact "res/sub": neither the bare resource nor another subresource.
  [
    'leases/renew',
    json(
      resource({ apiGroup: 'coordination.k8s.io', resource: 'leases', subresource: 'renew', namespace: 'n' }),
    ),
    7,
  ],
  [
    'leases, bare',
    json(resource({ apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'n' })),
    null,
  ],
  [
    'secrets/x is not secrets',
    json(
      resource({ apiGroup: 'coordination.k8s.io', resource: 'secrets', subresource: 'x', namespace: 'n' }),
    ),
    null,
  ],
  // namespaces: [""]: cluster-scoped objects and cluster-wide lists; never a non-resource request.
  ['a node (cluster-scoped)', json(resource({ resource: 'nodes', name: 'n1' })), 8],
  ['services of every namespace', json(resource({ resource: 'services' }, { verb: 'list' })), 8],
  ['an empty objectRef is a resource request in namespace ""', json(event({ objectRef: {} })), 8],
  ['/healthz has no namespace yet is no resource request', json(nonResource('/healthz')), 12],
  // verbs with group "*": every group.
  [
    'watch apps deployments',
    json(resource({ apiGroup: 'apps', resource: 'deployments', namespace: 'default' }, { verb: 'watch' })),
    9,
  ],
  ['watch of a non-resource URL', json(nonResource('/metrics', { verb: 'watch' })), 12],
  // No resource or URL selector: both kinds of request.
  [
    'both-kinds, a resource request',
    json(
      resource({ resource: 'configmaps', name: 'cm-9', namespace: 'default' }, { user: user('both-kinds') }),
    ),
    10,
  ],
  ['both-kinds, a non-resource request', json(nonResource('/metrics', { user: user('both-kinds') })), 10],
  // entries OR-ed; an empty `resources` takes the whole group.
  ['batch jobs', json(resource({ apiGroup: 'batch', resource: 'jobs', namespace: 'default' })), 11],
  [
    'core services only-this',
    json(resource({ resource: 'services', name: 'only-this', namespace: 'default' })),
    11,
  ],
  [
    'core services other',
    json(resource({ resource: 'services', name: 'other', namespace: 'default' })),
    null,
  ],
  // Stages: the policy omits Panic; a missing or unknown stage is written.
  ['stage Panic', json(nonResource('/exact', { stage: 'Panic' })), 3],
  ['no stage', json({ ...nonResource('/exact'), stage: undefined }), 3],
  ['an unknown stage', json(nonResource('/exact', { stage: 'Weird' })), 3],
  ['a stage that is no string', json(nonResource('/exact', { stage: 7 })), 3],
  // Values of the wrong type count as absent (audit-event.ts fieldsFromParsed).
  [
    'a numeric user name is no name',
    json(nonResource('/metrics', { user: { username: 5, groups: ['team-x'] } })),
    12,
  ],
  ['objectRef null: a non-resource request', json(nonResource('/exact', { objectRef: null })), 3],
  ['objectRef a string: a non-resource request', json(nonResource('/exact', { objectRef: 'pods' })), 3],
  ['user an array: no user', json(nonResource('/metrics', { user: [user('*')] })), 12],
  ['a numeric requestURI is no path', json(nonResource('/exact', { requestURI: 42 })), 12],
  ['no kind (older logs)', json({ ...nonResource('/exact'), kind: undefined }), 3],
  // Not requests: no verb, an empty or non-string verb, another kind.
  ['no verb', json({ ...nonResource('/exact'), verb: undefined }), 'out'],
  ['an empty verb', json(nonResource('/exact', { verb: '' })), 'out'],
  ['a numeric verb', json(nonResource('/exact', { verb: 5 })), 'out'],
  ['kind Status', json(nonResource('/exact', { kind: 'Status' })), 'out'],
  ['kind null', json(nonResource('/exact', { kind: null })), 'out'],
  ['kind 5', json(nonResource('/exact', { kind: 5 })), 'out'],
  ['an EventList without items', json({ kind: 'EventList', items: {} }), 'out'],
  ['an empty EventList', json({ kind: 'EventList', items: [] }), 'out'],
  // Malformed lines.
  ['not JSON', 'not json', 'out'],
  ['cut off', json(nonResource('/exact')).slice(0, 60), 'out'],
  ['trailing garbage', `${json(nonResource('/exact'))} x`, 'out'],
  ['a JSON string', '"a string"', 'out'],
  ['a JSON array holding an event', json([nonResource('/exact')]), 'out'],
  ['a number', '42', 'out'],
  ['null', 'null', 'out'],
  ['a blank line', '', 'out'],
  ['spaces', '   ', 'out'],
  [
    'a raw control character in a string',
    json(nonResource('/exact')).replace('/exact', '/ex\u0001act'),
    'out',
  ],
  ['a byte order mark', `\ufeff${json(nonResource('/exact'))}`, 'out'],
  ['CRLF', `${json(nonResource('/exact'))}\r`, 3],
];

/** The traps whose answer depends on JSON types the raw-line reader checks and a typed table cannot. */
const TYPE_TRAPS = new Set([
  'a non-string group is ignored, the string one counts',
  'a stage that is no string',
  'a numeric user name is no name',
  'objectRef a string: a non-resource request',
  'user an array: no user',
  'a numeric requestURI is no path',
  'a numeric verb',
  'kind null',
  'kind 5',
]);

// An EventList line (the webhook's batch, saved as a line) stands for its items that are events.
const EVENT_LIST = json({
  kind: 'EventList',
  apiVersion: 'audit.k8s.io/v1',
  items: [
    nonResource('/exact'),
    resource({ resource: 'configmaps', name: 'cm-9', namespace: 'default' }, { user: user('both-kinds') }),
    3,
    { ...nonResource('/exact'), kind: 'Status' },
    { ...nonResource('/exact'), verb: undefined },
  ],
});
const EVENT_LIST_RULES: Expected[] = [3, 10];

const trapsFile = path.join(dir, 'traps.log');
const trapLines = [...TRAPS.map(([, line]) => line), EVENT_LIST];

describe('the trap events decide as the table says (checker.go, by the evaluator simulate uses)', () => {
  const { policy } = loadPolicyOrThrow(readFileSync(TRAPS_POLICY, 'utf8'), 'sql-traps.yaml');
  const evaluator = compilePolicy(policy);
  it('names each trap once', () => {
    const names = TRAPS.map(([why]) => why);
    expect(new Set(names).size).toBe(names.length);
    for (const why of TYPE_TRAPS) expect(names).toContain(why);
  });

  it.each(TRAPS.filter(([, , rule]) => rule !== 'out'))('%s', (_why, line, rule) => {
    const request = requestFromEvent(JSON.parse(line));
    expect(request && evaluator.evaluate(request).rule).toBe(rule);
  });
});

describe('DuckDB runs the --emit-sql query: the same matched and written as simulate', () => {
  it('on the trap events: every rule of the trap policy decides what the table says', async () => {
    const [sql, sim] = await Promise.all([queried(trapsFile), simulated(trapsFile)]);
    expectSameCounts(sql, sim);
    const expected = new Map<string, number>();
    for (const rule of [...TRAPS.map(([, , r]) => r), ...EVENT_LIST_RULES]) {
      if (rule === 'out') continue;
      expected.set(key(TRAPS_POLICY, rule), (expected.get(key(TRAPS_POLICY, rule)) ?? 0) + 1);
    }
    const trapRules = [...sql].filter(([k]) => k.startsWith('sql-traps.yaml '));
    expect(Object.fromEntries(trapRules.map(([k, c]) => [k, c.matched]))).toEqual({
      ...Object.fromEntries(Array.from({ length: 13 }, (_, i) => [key(TRAPS_POLICY, i), 0])),
      ...Object.fromEntries(expected),
    });
    // Rules 1, 2 and 6 omit a stage some of their events have; the policy omits Panic.
    expect(sql.get(key(TRAPS_POLICY, 1))).toMatchObject({ matched: 2, written: 1 });
    expect(sql.get(key(TRAPS_POLICY, 2))).toMatchObject({ matched: 2, written: 1 });
    expect(sql.get(key(TRAPS_POLICY, 6))).toMatchObject({ matched: 2, written: 1 });
  });

  it('on a generated log, plain and gzip; bytes within 0.1% of simulate (an estimate)', async () => {
    const sim = await simulated(path.join(dir, 'generated.log'));
    const sql = await queried(path.join(dir, 'generated.log'));
    expectSameCounts(sql, sim);
    expectSameCounts(await queried(path.join(dir, 'generated.log.gz')), sim);
    for (const [k, c] of sim) {
      const estimate = sql.get(k)?.bytes ?? Number.NaN;
      expect(Math.abs(estimate - c.bytes!), k).toBeLessThanOrEqual(c.bytes! * 0.001);
    }
  });

  const missing = conformanceMissing('audit-events');
  it.skipIf(missing)('on the real logs in ../shared (one glob over every file)', async () => {
    const root = path.join(CONFORMANCE_DIR, 'audit-events');
    const files = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(root, d.name)).map((f) => path.join(root, d.name, f)));
    const sql = await queried(path.join(root, '*', '*'));
    const sim = await simulatedAll(files);
    expectSameCounts(sql, sim);
    expect([...sql.values()].reduce((n, c) => n + c.matched, 0)).toBeGreaterThan(3000);
  });
});

describe('the table form (--from TABLE, as Trino, BigQuery and Spark read it) on a DuckDB table', () => {
  // The reference's statement, over the test's files instead of its example glob.
  const statement = readmeCodeBlocks(SQL_HEADING).find((b) =>
    b.code.startsWith('CREATE TABLE audit_events AS'),
  );
  const createTable = (files: string[]) => {
    const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;
    expect(statement?.code).toContain("read_ndjson_objects('logs/*.log.gz',");
    return statement!.code
      .replace('CREATE TABLE', 'CREATE OR REPLACE TABLE')
      .replace("'logs/*.log.gz'", list);
  };

  it('on the generated log and the trap events of the right types', async () => {
    // Values of the wrong type, and a null where a string belongs, are the table's JSON reader's to
    // decide (it casts them, or cannot tell null from absent): those traps are left out here.
    const typed = TRAPS.filter(([why]) => !TYPE_TRAPS.has(why));
    const file = path.join(dir, 'typed.log');
    writeFileSync(file, `${[...typed.map(([, line]) => line), EVENT_LIST].join('\n')}\n`);
    const files = [file, path.join(dir, 'generated.log')];
    const sql = await queried('audit_events', createTable(files));
    expectSameCounts(sql, await simulatedAll(files));
  });

  const missing = conformanceMissing('audit-events');
  it.skipIf(missing)('on the real logs in ../shared', async () => {
    const root = path.join(CONFORMANCE_DIR, 'audit-events');
    const files = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(path.join(root, d.name))
          .filter((f) => !f.endsWith('.md'))
          .map((f) => path.join(root, d.name, f)),
      );
    const sql = await queried('audit_events', createTable(files));
    expectSameCounts(sql, await simulatedAll(files));
  });
});

describe('odd lines: where DuckDB over files and simulate part, and where they do not', () => {
  // The reference's list of differences (lines kube-apiserver never writes), each pinned, and odd lines
  // on which they agree: a DuckDB upgrade that changes one shows here. Each line is a request for
  // /exact (rules[3] of sql-traps.yaml) or not, to simulate and to DuckDB.
  const exact = '{"kind":"Event","verb":"get","requestURI":"/exact"';
  const cases: Array<[string, Buffer, { simulate: number; duckdb: number }]> = [
    [
      'differ: a duplicate key (simulate takes the last, DuckDB the first)',
      Buffer.from('{"verb":"get","requestURI":"/metrics","requestURI":"/exact"}\n'),
      { simulate: 1, duckdb: 0 },
    ],
    ['differ: a trailing comma', Buffer.from(`${exact},}\n`), { simulate: 0, duckdb: 1 }],
    ['differ: NaN', Buffer.from(`${exact},"x":NaN}\n`), { simulate: 0, duckdb: 1 }],
    ['differ: a lone surrogate escape', Buffer.from(`${exact},"x":"\\ud800"}\n`), { simulate: 1, duckdb: 0 }],
    [
      'differ: invalid UTF-8',
      Buffer.concat([Buffer.from(`${exact},"x":"`), Buffer.from([0xff]), Buffer.from('"}\n')]),
      { simulate: 1, duckdb: 0 },
    ],
    [
      'agree: a byte order mark starting the file',
      Buffer.from(`\ufeff${exact}}\n`),
      { simulate: 0, duckdb: 0 },
    ],
    [
      'agree: a carriage return inside the line',
      Buffer.from(`${exact},\r"x":1}\n`),
      { simulate: 1, duckdb: 1 },
    ],
    ['agree: a NUL byte after the event', Buffer.from(`${exact}}\u0000junk\n`), { simulate: 0, duckdb: 0 }],
    ['agree: spaces around the event', Buffer.from(`  ${exact}}  \n`), { simulate: 1, duckdb: 1 }],
  ];

  it.each(cases)('%s', async (_why, bytes, expected) => {
    const file = path.join(dir, `differs-${cases.findIndex(([, b]) => b === bytes)}.log`);
    writeFileSync(file, bytes);
    const [sql, sim] = await Promise.all([queried(file), simulated(file)]);
    const rule3 = key(TRAPS_POLICY, 3);
    expect({ simulate: sim.get(rule3)?.matched, duckdb: sql.get(rule3)?.matched }).toEqual(expected);
  });
});
