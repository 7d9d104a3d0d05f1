/** explain --requests: a line is shaped as kube-apiserver sees the request (policy/request-shape.ts). */
import { describe, expect, it } from 'vitest';
import { requestFromLine } from '../../../src/cli/commands/explain.js';

describe('verbs are lower-case', () => {
  it('a --requests line gets the same shaping and the same refusal', () => {
    expect(requestFromLine({ user: 'a', verb: 'GET', path: '/healthz' })).toEqual(
      expect.stringContaining('lower-case'),
    );
    expect(requestFromLine({ user: 'a', verb: 'delete', resource: 'namespaces', name: 'foo' })).toMatchObject(
      {
        namespace: 'foo',
      },
    );
  });
});

// A request with no user: one that failed authentication, audited with a nil user (issue 11).
describe('"user": null', () => {
  it('is accepted, and so is a line without "user": both are a request with no user', () => {
    expect(requestFromLine({ user: null, verb: 'get', path: '/healthz' })).toMatchObject({
      user: null,
      groups: [],
    });
    expect(requestFromLine({ verb: 'get', path: '/healthz' })).toMatchObject({ user: null, groups: [] });
  });

  it('"user": "" is still a user named "", and other types are refused', () => {
    expect(requestFromLine({ user: '', verb: 'get', path: '/healthz' })).toMatchObject({ user: '' });
    expect(requestFromLine({ user: 5, verb: 'get', path: '/healthz' })).toBe('"user" must be a string');
  });

  it('a request with no user has no groups', () => {
    expect(
      requestFromLine({ user: null, groups: ['system:unauthenticated'], verb: 'get', path: '/' }),
    ).toEqual(expect.stringContaining('"groups" need a "user"'));
  });
});
