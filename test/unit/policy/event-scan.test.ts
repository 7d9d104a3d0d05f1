import { describe, expect, it } from 'vitest';
import { requestFromEvent } from '../../../src/policy/event-request.js';
import { FALL_BACK, NEED_MORE, scanEventLine } from '../../../src/policy/event-scan.js';

/**
 * The fast scan must give exactly what JSON.parse + requestFromEvent gives, for every line kube-apiserver
 * writes (fields in the order of k8s.io/apiserver pkg/apis/audit/v1/types.go), and step aside for
 * anything else.
 */

/** An event with its keys in Go struct order, as the log backend writes it. */
function v1Event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const e: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '0b7a8c3e-0000-4000-8000-000000000001',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods/web-1?timeout=30s',
    verb: 'get',
    user: { username: 'alice', uid: 'u1', groups: ['dev', 'system:authenticated'], extra: { scopes: ['a'] } },
    impersonatedUser: undefined,
    sourceIPs: ['10.0.0.1'],
    userAgent: 'kubectl/v1.30.0 (linux/amd64)',
    objectRef: { resource: 'pods', namespace: 'default', name: 'web-1', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestObject: undefined,
    responseObject: {
      kind: 'Pod',
      metadata: { name: 'web-1', annotations: { verb: 'delete', '"user"': '}' } },
    },
    requestReceivedTimestamp: '2024-05-01T10:00:00.123456Z',
    stageTimestamp: '2024-05-01T10:00:00.124456Z',
    annotations: { 'authorization.k8s.io/decision': 'allow' },
  };
  for (const [k, v] of Object.entries(overrides)) e[k] = v;
  return e;
}

const variants: Array<[string, Record<string, unknown>]> = [
  ['plain resource get', v1Event()],
  [
    'cluster-scoped with apiGroup',
    v1Event({
      verb: 'delete',
      objectRef: { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', name: 'x' },
    }),
  ],
  [
    'create: name is "" at evaluation',
    v1Event({ verb: 'create', objectRef: { resource: 'configmaps', namespace: 'a', name: 'c' } }),
  ],
  [
    'subresource',
    v1Event({
      verb: 'create',
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'a', name: 'p' },
    }),
  ],
  [
    'non-resource',
    v1Event({ objectRef: undefined, requestURI: '/healthz?verbose', responseObject: undefined }),
  ],
  ['impersonation', v1Event({ impersonatedUser: { username: 'bob', groups: ['x'] } })],
  [
    'escaped and non-ASCII strings',
    v1Event({ user: { username: 'ü "quoted" \\ user', groups: ['grüppe'] } }),
  ],
  ['no user at all', v1Event({ user: undefined })],
  ['unknown new field before objectRef', v1Event({ authenticationMetadata: { x: [1, { y: '}' }] } })],
  [
    'v1beta1 with metadata and timestamp',
    {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1beta1',
      metadata: { creationTimestamp: 'x' },
      level: 'Metadata',
      timestamp: 't',
      auditID: 'a',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/nodes',
      verb: 'list',
      user: { username: 'n' },
      objectRef: { resource: 'nodes' },
      responseStatus: { code: 200 },
    },
  ],
];

describe('scanEventLine', () => {
  it.each(variants)('%s: same request as JSON.parse + requestFromEvent', (_, event) => {
    const line = JSON.stringify(event);
    const expected = requestFromEvent(JSON.parse(line));
    expect(scanEventLine(line)).toEqual(expected);
  });

  it('reads only up to objectRef: a prefix that reaches responseStatus is enough', () => {
    const line = JSON.stringify(v1Event());
    const cut = line.indexOf('"responseObject"') + 5;
    expect(scanEventLine(line.slice(0, cut), true)).toEqual(requestFromEvent(JSON.parse(line)));
  });

  it('asks for the whole line when the prefix ends before the needed fields', () => {
    const line = JSON.stringify(v1Event());
    expect(scanEventLine(line.slice(0, line.indexOf('"user"') + 12), true)).toBe(NEED_MORE);
  });

  it.each([
    [
      'keys in another order (Falco traces are alphabetical)',
      JSON.stringify({ verb: 'get', kind: 'Event', user: { username: 'a' } }),
    ],
    [
      'kind is not the first key',
      JSON.stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Event', verb: 'get' }),
    ],
    ['pretty-printed', JSON.stringify(v1Event(), null, 1)],
    ['EventList', JSON.stringify({ kind: 'EventList', items: [v1Event()] })],
    [
      'verb after objectRef',
      `{"kind":"Event","apiVersion":"audit.k8s.io/v1","objectRef":{"resource":"pods"},"verb":"get"}`,
    ],
    ['duplicate verb', `{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","verb":"list"}`],
    ['truncated line', JSON.stringify(v1Event()).slice(0, 200)],
  ])('falls back to JSON.parse: %s', (_, line) => {
    expect(scanEventLine(line)).toBe(FALL_BACK);
  });

  it('a kube-apiserver-shaped line without a verb is not an event', () => {
    expect(
      scanEventLine('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata"}'),
    ).toBeUndefined();
  });
});

describe('scanEventLine on a synthetic kube-apiserver log (bench/generate-log.mjs)', () => {
  it('agrees with JSON.parse + requestFromEvent on every line, reading only a 4 KiB prefix', async () => {
    const { auditLogLines } = await import('../../../bench/generate-log.mjs');
    let fast = 0;
    let lines = 0;
    for (const line of auditLogLines({ seed: 7, bytes: 3_000_000 })) {
      lines++;
      const expected = requestFromEvent(JSON.parse(line));
      let scanned = scanEventLine(line.slice(0, 4096), line.length > 4096);
      if (scanned === NEED_MORE) scanned = scanEventLine(line);
      expect(scanned).not.toBe(FALL_BACK);
      if (scanned !== FALL_BACK) fast++;
      expect(scanned).toEqual(expected);
    }
    expect(lines).toBeGreaterThan(500);
    expect(fast).toBe(lines);
  });
});
