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
