import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/logs/audit-event.js';
import { parseSlow } from '../../../src/logs/parse-line.js';
import {
  type PolicyUnderTest,
  ruleLabel,
  Simulation,
  TimestampParser,
  writesTheSame,
} from '../../../src/logs/simulate.js';
import { compilePolicy } from '../../../src/policy/evaluate.js';
import { loadPolicyOrThrow } from '../../../src/policy/load.js';

function policy(name: string, yaml: string): PolicyUnderTest {
  const { policy: p } = loadPolicyOrThrow(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${yaml}`, name);
  return { name, evaluator: compilePolicy(p), rules: p.rules, omitStages: p.omitStages };
}

// Two policies: "wide" logs everything at Metadata except health checks; "narrow" also drops leases
// and writes only ResponseComplete.
const wide = policy(
  'wide',
  `rules:
- level: None
  nonResourceURLs: ["/healthz*"]
- level: Metadata
`,
);
const narrow = policy(
  'narrow',
  `omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/healthz*"]
- level: None
  resources: [{group: coordination.k8s.io, resources: [leases]}]
- level: Request
  resources: [{group: "", resources: [configmaps]}]
- level: Metadata
`,
);

let seq = 0;
function event(fields: Record<string, unknown>): AuditRecord {
  seq++;
  const e = {
    kind: 'Event',
    level: 'RequestResponse',
    auditID: `id-${seq}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/x',
    verb: 'get',
    user: { username: 'u', groups: ['system:authenticated'] },
    requestReceivedTimestamp: '2026-11-02T10:00:00.000000Z',
    stageTimestamp: '2026-11-02T10:00:00.001000Z',
    ...fields,
  };
  const r = parseSlow(JSON.stringify(e), seq);
  if (typeof r === 'string' || Array.isArray(r)) throw new Error(String(r));
  return r;
}

const leaseFields = (user: string) => ({
  user: { username: user },
  verb: 'update',
  objectRef: { resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease' },
});
const lease = (stage: string, user: string) =>
  event({
    stage,
    user: { username: user },
    verb: 'update',
    objectRef: { resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease' },
  });
const health = event({
  requestURI: '/healthz?verbose',
  objectRef: undefined,
  user: { username: 'system:anonymous' },
});
const configmap = event({
  verb: 'update',
  user: { username: 'alice' },
  objectRef: { resource: 'configmaps', namespace: 'default', name: 'app' },
  requestObject: { data: { k: 'x'.repeat(100) } },
  responseObject: { data: { k: 'x'.repeat(100) } },
  stageTimestamp: '2026-11-02T11:00:00.000000Z',
});
const records = [
  lease('RequestReceived', 'node-a'),
  lease('ResponseComplete', 'node-a'),
  lease('ResponseComplete', 'node-b'),
  health,
  configmap,
];

function run(policies: PolicyUnderTest[]) {
  const simulation = new Simulation(policies);
  for (const r of records) simulation.add(r);
  return simulation.result();
}

describe('Simulation', () => {
  const result = run([wide, narrow]);
  const [w, n] = result.policies;

  it('counts, per level, the events each policy gives that level (as explain would) and those it writes', () => {
    expect(w!.byLevel.None).toEqual({ matched: 1, events: 0, bytes: 0 });
    expect(w!.byLevel.Metadata.matched).toBe(4);
    expect(w!.byLevel.Metadata.events).toBe(4);
    expect(n!.byLevel.None.matched).toBe(4);
    expect(n!.byLevel.Request).toMatchObject({ matched: 1, events: 1 });
    expect(w!.events).toBe(4);
    expect(n!.events).toBe(1);
  });

  it('sums bytes of the events as written at each level', () => {
    const metadataSize = (r: AuditRecord) =>
      r.sizes.total +
      1 -
      r.sizes.requestObject -
      r.sizes.responseObject -
      'RequestResponse'.length +
      'Metadata'.length;
    const expected = [records[0]!, records[1]!, records[2]!, configmap].reduce(
      (sum, r) => sum + metadataSize(r),
      0,
    );
    expect(w!.bytes).toBe(expected);
    expect(n!.bytes).toBe(
      configmap.sizes.total +
        1 -
        configmap.sizes.responseObject -
        'RequestResponse'.length +
        'Request'.length,
    );
  });

  it('tallies each rule with its index, level and a short label', () => {
    expect(n!.byRule.map((r) => [r.rule, r.level, r.matched, r.events])).toEqual([
      [0, 'None', 1, 0],
      [1, 'None', 3, 0],
      [2, 'Request', 1, 1],
      [3, 'Metadata', 0, 0],
    ]);
    expect(n!.byRule[1]!.label).toBe('coordination.k8s.io/leases');
    expect(w!.byRule[1]!.label).toBe('everything');
  });

  it('ranks users and resources by bytes written', () => {
    expect(w!.topUsers.map((u) => u.user).sort()).toEqual(['alice', 'node-a', 'node-b']);
    expect(w!.topUsers.find((u) => u.user === 'node-a')!.events).toBe(2);
    const bytes = w!.topUsers.map((u) => u.bytes);
    expect(bytes).toEqual([...bytes].sort((x, y) => y - x));
    expect(w!.topResources.map((r) => r.resource).sort()).toEqual([
      'configmaps',
      'coordination.k8s.io/leases',
    ]);
  });

  it('projects per day from the time span of the input (100 events or more)', () => {
    expect(result.input).toMatchObject({
      events: 5,
      from: '2026-11-02T10:00:00.000000Z',
      to: '2026-11-02T11:00:00.000000Z',
      spanSeconds: 3600,
    });
    // The same hour of traffic twenty times over: 100 events, enough to project from.
    const busy = new Simulation([wide, narrow]);
    for (let k = 0; k < 20; k++) for (const r of records) busy.add(r);
    const [bw] = busy.result().policies;
    expect(bw!.perDay).toEqual({ events: 20 * 4 * 24, bytes: 20 * w!.bytes * 24 });
    expect(busy.result().notes.join('\n')).not.toMatch(/per-day/);
  });

  it('projects no day from fewer than 100 events, and a note says why (issue 11)', () => {
    expect(w!.perDay).toBeNull();
    expect(n!.perDay).toBeNull();
    expect(result.notes).toContain(
      'The input holds 5 events, fewer than 100: too few to project a day from, so there is no per-day projection.',
    );
  });

  it('projects no day for a policy that writes fewer than one event a day ("0 events, 150 B per day")', () => {
    // 100 events over 10 days; narrow writes only the config map update: 0.1 a day.
    const later = (days: number) => `2026-11-${String(2 + days).padStart(2, '0')}T10:00:00.000000Z`;
    const s = new Simulation([wide, narrow]);
    s.add(configmap);
    for (let k = 0; k < 99; k++) {
      s.add(event({ ...leaseFields('node-a'), stageTimestamp: later(k === 98 ? 10 : 0) }));
    }
    const r = s.result();
    expect(r.input).toMatchObject({ events: 100, spanSeconds: 10 * 86400 });
    const [sw, sn] = r.policies;
    expect(sw!.perDay).toEqual({ events: 10, bytes: Math.round(sw!.bytes / 10) });
    expect(sn!.events).toBe(1);
    expect(sn!.perDay).toBeNull();
    expect(r.notes.filter((note) => note.includes('per-day'))).toEqual([
      'narrow: no per-day projection (too few events to project a day: 1 over 10 days, fewer than one a day).',
    ]);
  });

  it('says what the second policy drops that the first kept', () => {
    const [c] = result.comparisons;
    expect(c!.from).toBe('wide');
    expect(c!.to).toBe('narrow');
    expect(c!.dropped.events).toBe(3);
    expect(c!.dropped.topResources).toEqual([
      { resource: 'coordination.k8s.io/leases', events: 3, bytes: c!.dropped.bytes },
    ]);
    expect(c!.added.events).toBe(0);
    // The config map is written by both; narrow logs its request body, so it is bigger, not smaller.
    expect(c!.smaller.events).toBe(0);
  });

  it('notes stages missing from the input that a policy would write', () => {
    const onlyComplete = new Simulation([wide]);
    onlyComplete.add(configmap);
    expect(onlyComplete.result().notes.join('\n')).toMatch(
      /no RequestReceived events.*wide would write them/,
    );
    // narrow omits RequestReceived, so it needs no such note for that stage.
    const n2 = new Simulation([narrow]);
    n2.add(configmap);
    expect(n2.result().notes.join('\n')).not.toMatch(/RequestReceived/);
  });

  it('notes a lower bound when the input was recorded below the policy level', () => {
    const atMetadata = event({
      level: 'Metadata',
      verb: 'update',
      objectRef: { resource: 'configmaps', namespace: 'x' },
    });
    const s = new Simulation([narrow]);
    s.add(atMetadata);
    const r = s.result();
    expect(r.policies[0]!.lowerBound.events).toBe(1);
    expect(r.notes.join('\n')).toMatch(/narrow: 1 written event was recorded at a lower level/);
  });
});

describe('ruleLabel', () => {
  it.each([
    [
      {
        level: 'None',
        users: ['system:kube-proxy'],
        verbs: ['watch'],
        resources: [{ group: '', resources: ['endpoints', 'services'] }],
      },
      'users system:kube-proxy; verbs watch; endpoints,services',
    ],
    [{ level: 'None', nonResourceURLs: ['/healthz*', '/version'] }, '/healthz*,/version'],
    [{ level: 'Metadata', userGroups: ['system:nodes'], namespaces: [''] }, 'groups system:nodes; in ""'],
    [{ level: 'Request', resources: [{ group: 'apps' }] }, 'apps/*'],
  ] as const)('%j', (rule, label) => {
    expect(ruleLabel(rule as never)).toBe(label);
  });
});

describe('Simulation.mergeState', () => {
  it('two halves merged give what one pass gives (how worker threads combine)', () => {
    const whole = run([wide, narrow]);
    const first = new Simulation([wide, narrow]);
    const second = new Simulation([wide, narrow]);
    for (const [i, r] of records.entries()) (i < 2 ? first : second).add(r);
    // Structured clone, as postMessage would send it.
    first.mergeState(structuredClone(second.exportState()));
    expect(first.result()).toEqual(whole);
  });
});

describe('writesTheSame', () => {
  it('is true only when every event is written by both or neither, at the same size', () => {
    const same = new Simulation([wide, { ...wide, name: 'wide-again' }]);
    const louder = new Simulation([
      wide,
      policy(
        'louder',
        'rules:\n- level: None\n  nonResourceURLs: ["/healthz*"]\n- level: Request\n  resources: [{group: "", resources: [configmaps]}]\n- level: Metadata\n',
      ),
    ]);
    for (const r of records) {
      same.add(r);
      louder.add(r);
    }
    const a = same.result();
    expect(writesTheSame(a.comparisons[0]!, a.policies[0]!, a.policies[1]!)).toBe(true);
    // louder writes the config map's request body: nothing dropped, added or smaller, one event larger.
    const b = louder.result();
    expect(b.comparisons[0]).toMatchObject({
      dropped: { events: 0 },
      added: { events: 0 },
      smaller: { events: 0 },
    });
    expect(writesTheSame(b.comparisons[0]!, b.policies[0]!, b.policies[1]!)).toBe(false);
  });
});

describe('TimestampParser', () => {
  it('gives what Date.parse gives, parsing only when the second changes', () => {
    const parser = new TimestampParser();
    const seconds = [
      '2026-11-02T10:00:00',
      '2026-11-02T10:00:01',
      '2026-12-31T23:59:59',
      '2028-02-29T00:00:00',
    ];
    const fractions = [
      '',
      '.',
      '.5',
      '.05',
      '.123',
      '.1234',
      '.999999',
      '.000001',
      '.123456789',
      '.1234567891',
    ];
    const odd = [
      '2026-11-02T24:00:00Z',
      '2026-11-02T24:00:00.5Z',
      '2026-11-02T10:00:60.5Z',
      '2026-02-30T10:00:00.5Z',
      '2026-11-02T10:00:00.5+01:00',
      '2026-11-02T10:00:00.5z',
      '2026-11-02 10:00:00.5Z',
      '2026-11-02T10:00:00.5x5Z',
      'not a time',
    ];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      const text =
        random(10) === 0
          ? odd[random(odd.length)]!
          : `${seconds[random(seconds.length)]}${fractions[random(fractions.length)]}Z`;
      expect(parser.parse(text), text).toBe(Date.parse(text));
    }
  });
});
