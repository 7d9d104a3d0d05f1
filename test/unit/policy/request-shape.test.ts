/**
 * A request given by hand is evaluated as kube-apiserver describes it (endpoints/request/
 * requestinfo.go; shared/research/audit.md "Request attributes"), the way explain --events already
 * reads real events: these three once gave the opposite level to the one kube-apiserver would.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/policy/evaluate.js';
import { loadPolicyOrThrow } from '../../../src/policy/load.js';
import { shapeRequest } from '../../../src/policy/request-shape.js';
import type { RequestAttributes } from '../../../src/policy/types.js';

const policy = (rules: string) =>
  compilePolicy(
    loadPolicyOrThrow(`apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n${rules}`, 'p.yaml').policy,
  );
const resource = (extra: Partial<RequestAttributes>): RequestAttributes => ({
  user: 'alice',
  groups: [],
  verb: 'get',
  resourceRequest: true,
  namespace: '',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  name: '',
  ...extra,
});
const levelOf = (rules: string, request: RequestAttributes) => {
  const shaped = shapeRequest(request);
  if ('error' in shaped) throw new Error(shaped.error);
  return policy(rules).evaluate(shaped.request).level;
};

describe('a request on a Namespace object has that namespace (DELETE /api/v1/namespaces/foo)', () => {
  const clusterWideOnly = '- level: Metadata\n  namespaces: [""]\n';
  it.each(['', 'status', 'finalize'])('subresource %j: not matched by namespaces: [""]', (subresource) => {
    expect(
      levelOf(
        clusterWideOnly,
        resource({ verb: 'delete', resource: 'namespaces', subresource, name: 'foo' }),
      ),
    ).toBe('None');
  });
  it('the list of namespaces stays cluster-wide', () => {
    expect(levelOf(clusterWideOnly, resource({ verb: 'list', resource: 'namespaces' }))).toBe('Metadata');
  });
  it('another --namespace for it is not a request kube-apiserver can get', () => {
    expect(shapeRequest(resource({ resource: 'namespaces', name: 'foo', namespace: 'bar' }))).toEqual({
      error: expect.stringContaining('is in namespace "foo"'),
    });
  });
});

describe('a create has no name when the level is picked', () => {
  const onlyCm1 =
    '- level: RequestResponse\n  resources: [{group: "", resources: [configmaps], resourceNames: [cm1]}]\n';
  it('resourceNames do not match a create, whatever --name says', () => {
    expect(
      levelOf(onlyCm1, resource({ verb: 'create', resource: 'configmaps', namespace: 'd', name: 'cm1' })),
    ).toBe('None');
  });
  it('a create on a subresource keeps its name (POST /namespaces/d/pods/web/exec)', () => {
    const execOnWeb =
      '- level: Metadata\n  resources: [{group: "", resources: [pods/exec], resourceNames: [web]}]\n';
    expect(
      levelOf(execOnWeb, resource({ verb: 'create', subresource: 'exec', namespace: 'd', name: 'web' })),
    ).toBe('Metadata');
  });
});

describe('verbs are lower-case', () => {
  it('GET is refused, with the verb to use', () => {
    expect(
      shapeRequest({ user: 'a', groups: [], verb: 'GET', resourceRequest: false, path: '/healthz' }),
    ).toEqual({
      error: expect.stringContaining('use "get"'),
    });
  });
});
