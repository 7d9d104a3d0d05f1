import { describe, expect, it } from 'vitest';
import { requestFromEvent } from '../../../src/policy/event-request.js';

/** Request attributes recovered from audit events (research/audit.md "Evaluation", "Log backend output"). */
describe('requestFromEvent', () => {
  it('v1 resource event: user, groups, verb and objectRef; missing apiGroup is the core group', () => {
    const event = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      verb: 'get',
      requestURI: '/api/v1/namespaces/default/pods/web-1',
      user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
      objectRef: { resource: 'pods', namespace: 'default', name: 'web-1', apiVersion: 'v1' },
    };
    expect(requestFromEvent(event)).toEqual({
      user: 'alice',
      groups: ['dev', 'system:authenticated'],
      verb: 'get',
      resourceRequest: true,
      namespace: 'default',
      apiGroup: '',
      resource: 'pods',
      subresource: '',
      name: 'web-1',
    });
  });

  it('uses the authenticated user, not impersonatedUser (the level is decided before impersonation)', () => {
    const request = requestFromEvent({
      verb: 'list',
      user: { username: 'admin', groups: ['system:masters'] },
      impersonatedUser: { username: 'bob', groups: ['dev'] },
      objectRef: { resource: 'secrets', namespace: 'default' },
    });
    expect(request).toMatchObject({ user: 'admin', groups: ['system:masters'] });
  });

  it('a cluster-scoped object has namespace ""', () => {
    const request = requestFromEvent({
      verb: 'delete',
      user: { username: 'a' },
      objectRef: { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', name: 'x' },
    });
    expect(request).toMatchObject({
      namespace: '',
      apiGroup: 'rbac.authorization.k8s.io',
      name: 'x',
      groups: [],
    });
  });

  it('create without a subresource evaluates with name "" (objectRef.name came from the body later)', () => {
    const request = requestFromEvent({
      verb: 'create',
      user: { username: 'a' },
      objectRef: { resource: 'configmaps', namespace: 'default', name: 'my-config' },
    });
    expect(request?.name).toBe('');
  });

  it('create on a subresource keeps the name from the URL (pods/exec)', () => {
    const request = requestFromEvent({
      verb: 'create',
      user: { username: 'a' },
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'default', name: 'web-1' },
    });
    expect(request).toMatchObject({ resource: 'pods', subresource: 'exec', name: 'web-1' });
  });

  it('non-resource event: no objectRef, path is requestURI without the query', () => {
    expect(
      requestFromEvent({
        verb: 'get',
        requestURI: '/healthz?verbose=1',
        user: { username: 'kubelet', groups: [] },
      }),
    ).toEqual({ user: 'kubelet', groups: [], verb: 'get', resourceRequest: false, path: '/healthz' });
  });

  it('v1beta1-shaped event without apiVersion is read the same way', () => {
    const request = requestFromEvent({
      kind: 'Event',
      metadata: { creationTimestamp: '2018-10-26T13:13:03Z' },
      timestamp: '2018-10-26T13:13:03Z',
      verb: 'patch',
      user: { username: 'minikube-user', groups: ['system:masters'] },
      objectRef: {
        resource: 'clusterroles',
        apiGroup: 'rbac.authorization.k8s.io',
        name: 'system:node-problem-detector',
      },
    });
    expect(request).toMatchObject({
      verb: 'patch',
      name: 'system:node-problem-detector',
      resourceRequest: true,
    });
  });

  it('returns undefined for things that are not events', () => {
    expect(requestFromEvent(null)).toBeUndefined();
    expect(requestFromEvent('x')).toBeUndefined();
    expect(requestFromEvent({ kind: 0 })).toBeUndefined();
  });
});

describe('requestFromEvent: an event with no username (issue 11)', () => {
  it('is a request with no user: kube-apiserver writes a nil user (failed authentication) as "user": {}', () => {
    const event = { kind: 'Event', verb: 'get', requestURI: '/api', user: {}, responseStatus: { code: 401 } };
    expect(requestFromEvent(event)).toMatchObject({ user: null, groups: [] });
    expect(requestFromEvent({ ...event, user: undefined })).toMatchObject({ user: null, groups: [] });
  });

  it('system:anonymous is a user like any other', () => {
    const event = {
      verb: 'get',
      requestURI: '/healthz',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    };
    expect(requestFromEvent(event)).toMatchObject({
      user: 'system:anonymous',
      groups: ['system:unauthenticated'],
    });
  });
});
