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
 * Returns undefined when the value is not an event (no verb). With `into`, the attributes are written
 * into that object (every key, undefined where it does not apply) and it is returned: a reader of
 * millions of events needs no new object per event.
 */
export function requestFromEvent(event: unknown, into?: RequestAttributes): RequestAttributes | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  const verb = e.verb;
  if (typeof verb !== 'string' || verb === '') return undefined;

  const user = asRecord(e.user);
  // kube-apiserver omits an empty username: a nil user (failed authentication) is written as {}.
  const username = typeof user?.username === 'string' && user.username !== '' ? user.username : null;
  const groups = username !== null && Array.isArray(user?.groups) ? onlyStrings(user.groups) : [];

  const objectRef = asRecord(e.objectRef);
  if (objectRef) {
    const subresource = str(objectRef.subresource);
    const namespace = str(objectRef.namespace);
    const apiGroup = str(objectRef.apiGroup);
    const resource = str(objectRef.resource);
    const name = verb === 'create' && subresource === '' ? '' : str(objectRef.name);
    if (into === undefined) {
      return {
        user: username,
        groups,
        verb,
        resourceRequest: true,
        namespace,
        apiGroup,
        resource,
        subresource,
        name,
      };
    }
    into.path = undefined;
    into.namespace = namespace;
    into.apiGroup = apiGroup;
    into.resource = resource;
    into.subresource = subresource;
    into.name = name;
  } else {
    const path = pathOf(e.requestURI);
    if (into === undefined) return { user: username, groups, verb, resourceRequest: false, path };
    into.path = path;
    into.namespace = undefined;
    into.apiGroup = undefined;
    into.resource = undefined;
    into.subresource = undefined;
    into.name = undefined;
  }
  into.user = username;
  into.groups = groups;
  into.verb = verb;
  into.resourceRequest = objectRef !== undefined;
  return into;
}

/** The strings of `values`: the list itself when it holds nothing else (as read from a log). */
function onlyStrings(values: readonly unknown[]): readonly string[] {
  for (const value of values) {
    if (typeof value !== 'string') return values.filter((g): g is string => typeof g === 'string');
  }
  return values as readonly string[];
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
