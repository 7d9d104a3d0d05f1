import type { RequestAttributes } from './types.js';

/**
 * A request written by hand (explain's flags, a --requests line) as kube-apiserver describes it when
 * it picks the audit level (endpoints/request/requestinfo.go), so that explain answers for the
 * request that will really be made:
 * - verbs are lower-case (a non-resource request's verb is its HTTP method, lower-cased);
 * - a create without a subresource is a POST to a collection: no name yet (it is in the body), so
 *   resourceNames cannot match it;
 * - a request on a Namespace object (`/api/v1/namespaces/foo`, `/status`, `/finalize`) has that
 *   namespace, `foo`, not "".
 * Returns the request with notes on what changed, or what cannot be a real request.
 */
export function shapeRequest(
  request: RequestAttributes,
): { request: RequestAttributes; notes: string[] } | { error: string } {
  if (request.verb !== request.verb.toLowerCase()) {
    return {
      error: `verb "${request.verb}" never reaches a policy: kube-apiserver's verbs are lower-case (for a non-resource path, the HTTP method in lower case); use "${request.verb.toLowerCase()}"`,
    };
  }
  if (!request.resourceRequest) return { request, notes: [] };
  const notes: string[] = [];
  const shaped = { ...request };
  if (shaped.verb === 'create' && !shaped.subresource && shaped.name) {
    notes.push(
      `a create has no name when kube-apiserver picks its level (the name is in the body), so "${shaped.name}" is left out: resourceNames never match a create`,
    );
    shaped.name = '';
  }
  if (shaped.resource === 'namespaces' && shaped.name) {
    if (shaped.namespace && shaped.namespace !== shaped.name) {
      return {
        error: `a request on the Namespace object "${shaped.name}" is in namespace "${shaped.name}" (kube-apiserver reads it from the URL, /api/v1/namespaces/${shaped.name}), not "${shaped.namespace}"`,
      };
    }
    if (!shaped.namespace) {
      notes.push(
        `a request on the Namespace object "${shaped.name}" has namespace "${shaped.name}" for the policy (kube-apiserver reads it from the URL), not "" (cluster-wide)`,
      );
      shaped.namespace = shaped.name;
    }
  }
  return { request: shaped, notes };
}
