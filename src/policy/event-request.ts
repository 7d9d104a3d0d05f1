import type { RequestAttributes } from './types.js';

/**
 * The request attributes kube-apiserver evaluated its policy with, recovered from one audit event
 * (audit.k8s.io/v1 as the log backend writes it, or the v1beta1 shape, with or without apiVersion).
 *
 * - user: `user.username` and `user.groups`, the authenticated user. The level is decided before
 *   impersonation runs, so `impersonatedUser` plays no part. An event without a username (`"user":
 *   {}`) is a request that failed authentication, evaluated with no user at all (null).
 * - resource requests are the events with an `objectRef`; a missing apiGroup or namespace is "".
 * - `create` without a subresource is a POST to a collection: at evaluation time the name is "",
 *   even though the logged objectRef.name was filled in from the request body afterwards.
 * - non-resource requests: the path is requestURI without its query.
 *
 * Returns undefined when the value is not an event (no verb).
 */
export function requestFromEvent(event: unknown): RequestAttributes | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  const verb = e.verb;
  if (typeof verb !== 'string' || verb === '') return undefined;

  const user = asRecord(e.user);
  // kube-apiserver omits an empty username: a nil user (failed authentication) is written as {}.
  const username = typeof user?.username === 'string' && user.username !== '' ? user.username : null;
  const groups =
    username !== null && Array.isArray(user?.groups)
      ? user.groups.filter((g): g is string => typeof g === 'string')
      : [];

  const objectRef = asRecord(e.objectRef);
  if (objectRef) {
    const subresource = str(objectRef.subresource);
    return {
      user: username,
      groups,
      verb,
      resourceRequest: true,
      namespace: str(objectRef.namespace),
      apiGroup: str(objectRef.apiGroup),
      resource: str(objectRef.resource),
      subresource,
      name: verb === 'create' && subresource === '' ? '' : str(objectRef.name),
    };
  }
  return { user: username, groups, verb, resourceRequest: false, path: pathOf(e.requestURI) };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function pathOf(requestURI: unknown): string {
  if (typeof requestURI !== 'string') return '';
  const query = requestURI.indexOf('?');
  return query === -1 ? requestURI : requestURI.slice(0, query);
}
