import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/logs/audit-event.js';
import { parseSlow } from '../../../src/logs/parse-line.js';
import { simulateEvent } from '../../../src/logs/size-model.js';
import type { Level, Stage } from '../../../src/policy/types.js';

// The size model follows k8s.io/apiserver/pkg/audit/request.go: LogRequestObject keeps requestObject
// from level Request up, LogResponseObject keeps responseObject only at RequestResponse,
// copyWithoutManagedFields strips metadata.managedFields (object, list items, Table rows) when
// omitManagedFields is set, and LogRequestPatch logs a patch body as it came (nothing stripped).
// Each expected size is the byte length of the event re-written by hand the way the API server would.

const managed = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:data': { 'f:key': {} } } }];
const recorded = {
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: 'a1',
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/default/configmaps/app?fieldManager=kubectl',
  verb: 'update',
  user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
  objectRef: { resource: 'configmaps', namespace: 'default', name: 'app', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 200 },
  requestObject: { kind: 'ConfigMap', metadata: { name: 'app', managedFields: managed }, data: { key: 'v' } },
  responseObject: {
    kind: 'ConfigMap',
    metadata: { name: 'app', resourceVersion: '7', managedFields: managed },
    data: { key: 'v' },
  },
  requestReceivedTimestamp: '2026-11-02T10:00:00.000001Z',
  stageTimestamp: '2026-11-02T10:00:00.004000Z',
  annotations: { 'authorization.k8s.io/decision': 'allow' },
};

function record(event: object): AuditRecord {
  const result = parseSlow(JSON.stringify(event), 1);
  if (typeof result === 'string' || Array.isArray(result)) throw new Error(String(result));
  return result;
}

/** The line kube-apiserver would write: the event at `level`, without the dropped parts, plus \n. */
function lineBytes(event: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(event)) + 1;
}

function withoutManagedFields(body: { metadata: Record<string, unknown> }) {
  const { managedFields: _, ...metadata } = body.metadata;
  return { ...body, metadata };
}

function decide(level: Level, omitStages: Stage[] = [], omitManagedFields = false) {
  return { level, omitStages, omitManagedFields };
}

describe('simulateEvent', () => {
  const r = record(recorded);
  const { requestObject, responseObject, ...metadataOnly } = recorded;

  it('RequestResponse keeps the whole event', () => {
    expect(simulateEvent(r.event, r.sizes, decide('RequestResponse'))).toEqual({
      written: true,
      bytes: lineBytes(recorded),
      lowerBound: false,
    });
  });

  it('Request drops the responseObject and renames the level', () => {
    const expected = lineBytes({ ...metadataOnly, level: 'Request', requestObject });
    expect(simulateEvent(r.event, r.sizes, decide('Request')).bytes).toBe(expected);
  });

  it('Metadata drops both bodies', () => {
    const expected = lineBytes({ ...metadataOnly, level: 'Metadata' });
    expect(simulateEvent(r.event, r.sizes, decide('Metadata')).bytes).toBe(expected);
  });

  it('omitManagedFields strips managedFields from the bodies that are logged', () => {
    const full = lineBytes({
      ...recorded,
      requestObject: withoutManagedFields(requestObject),
      responseObject: withoutManagedFields(responseObject),
    });
    expect(simulateEvent(r.event, r.sizes, decide('RequestResponse', [], true)).bytes).toBe(full);
    const request = lineBytes({
      ...metadataOnly,
      level: 'Request',
      requestObject: withoutManagedFields(requestObject),
    });
    expect(simulateEvent(r.event, r.sizes, decide('Request', [], true)).bytes).toBe(request);
  });

  it('a patch body is logged as sent: omitManagedFields leaves it alone', () => {
    const patch = { ...recorded, verb: 'patch' };
    const p = record(patch);
    const expected = lineBytes({ ...patch, responseObject: withoutManagedFields(responseObject) });
    expect(simulateEvent(p.event, p.sizes, decide('RequestResponse', [], true)).bytes).toBe(expected);
  });

  it('strips managedFields of each list item', () => {
    const item = (name: string) => ({ metadata: { name, managedFields: managed }, data: {} });
    const list = {
      ...metadataOnly,
      verb: 'list',
      responseObject: { kind: 'ConfigMapList', metadata: {}, items: [item('a'), item('b')] },
    };
    const l = record(list);
    const stripped = {
      ...list.responseObject,
      items: [withoutManagedFields(item('a')), withoutManagedFields(item('b'))],
    };
    expect(simulateEvent(l.event, l.sizes, decide('RequestResponse', [], true)).bytes).toBe(
      lineBytes({ ...list, responseObject: stripped }),
    );
  });

  it('level None and omitted stages write nothing', () => {
    expect(simulateEvent(r.event, r.sizes, decide('None'))).toEqual({
      written: false,
      bytes: 0,
      lowerBound: false,
    });
    expect(simulateEvent(r.event, r.sizes, decide('Metadata', ['ResponseComplete'])).written).toBe(false);
    expect(simulateEvent(r.event, r.sizes, decide('Metadata', ['RequestReceived'])).written).toBe(true);
  });

  it('a higher level than recorded is a lower bound, for resource requests only', () => {
    const m = record({ ...metadataOnly, level: 'Metadata' });
    const atRequest = simulateEvent(m.event, m.sizes, decide('RequestResponse'));
    expect(atRequest).toEqual({
      written: true,
      bytes: lineBytes({ ...metadataOnly, level: 'RequestResponse' }),
      lowerBound: true,
    });
    expect(simulateEvent(m.event, m.sizes, decide('Metadata')).lowerBound).toBe(false);
    const { objectRef: _, ...nonResource } = metadataOnly;
    const n = record({ ...nonResource, level: 'Metadata', requestURI: '/healthz', verb: 'get' });
    expect(simulateEvent(n.event, n.sizes, decide('RequestResponse')).lowerBound).toBe(false);
  });
});
