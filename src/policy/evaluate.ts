import type { Evaluation, Policy, PolicyRule, RequestAttributes, Stage } from './types.js';

/**
 * kube-apiserver's policy checker (k8s.io/apiserver pkg/audit/policy/checker.go): the first rule whose
 * every non-empty selector matches decides the level; no match means level None. Rules are compiled
 * once into matchers (sets instead of list scans, no per-request allocation), because `simulate` and
 * `explain --events` run this on every event of multi-gigabyte logs.
 */

export interface PolicyEvaluator {
  /** The level, rule index, omitStages and omitManagedFields kube-apiserver would use for the request. */
  evaluate(request: RequestAttributes): Evaluation;
  /** Whether rule `index` matches the request on its own (ignoring earlier rules). */
  ruleMatches(index: number, request: RequestAttributes): boolean;
  /** Every rule that matches the request on its own, in order; the first one is the one that counts. */
  matchingRules(request: RequestAttributes): number[];
  readonly ruleCount: number;
}

type Matcher = (request: RequestAttributes) => boolean;

/**
 * Precompile a policy. The Evaluation objects returned are shared and frozen (one per rule plus one
 * for "no match"): callers must not mutate them.
 */
export function compilePolicy(policy: Policy): PolicyEvaluator {
  const policyStages = policy.omitStages ?? [];
  const policyOmitManagedFields = policy.omitManagedFields === true;
  const rules = policy.rules ?? [];
  const matchers = rules.map(compileRule);
  const results: Evaluation[] = rules.map((rule, index) =>
    freeze({
      level: rule.level,
      rule: index,
      omitStages: unionStages(policyStages, rule.omitStages ?? []),
      // checker.go isOmitManagedFields: a rule's value, true or false, overrides the policy's.
      omitManagedFields:
        rule.omitManagedFields === undefined || rule.omitManagedFields === null
          ? policyOmitManagedFields
          : rule.omitManagedFields,
    }),
  );
  const noMatch = freeze({
    level: 'None',
    rule: null,
    omitStages: unionStages(policyStages, []),
    omitManagedFields: policyOmitManagedFields,
  });
  const count = matchers.length;

  return {
    ruleCount: count,
    evaluate(request) {
      for (let i = 0; i < count; i++) {
        if (matchers[i]!(request)) return results[i]!;
      }
      return noMatch;
    },
    ruleMatches(index, request) {
      const matcher = matchers[index];
      return matcher ? matcher(request) : false;
    },
    matchingRules(request) {
      const out: number[] = [];
      for (let i = 0; i < count; i++) if (matchers[i]!(request)) out.push(i);
      return out;
    },
  };
}

/** One-off evaluation; compile once with compilePolicy when evaluating many requests. */
export function evaluate(policy: Policy, request: RequestAttributes): Evaluation {
  return compilePolicy(policy).evaluate(request);
}

/** Policy omitStages ∪ rule omitStages, sorted (kube-apiserver keeps a set; order carries no meaning). */
export function unionStages(a: readonly string[], b: readonly string[]): Stage[] {
  return [...new Set([...a, ...b])].sort() as Stage[];
}

// checker.go's test of one `resources` pattern against a request's resource and subresource: "*",
// exact "res" or "res/sub", "*" + "/sub", or "res/*" (which also matches the bare resource). Go's
// strings.TrimLeft(res, "*/") and TrimRight(res, "/*") strip every leading (trailing) '*' and '/'.
export function resourcePatternMatches(pattern: string, resource: string, subresource: string): boolean {
  if (pattern === '*') return true;
  if (pattern === (subresource === '' ? resource : `${resource}/${subresource}`)) return true;
  if (subresource !== '' && pattern.startsWith('*/') && trimLeadingStars(pattern) === subresource)
    return true;
  return pattern.endsWith('/*') && trimTrailingStars(pattern) === resource;
}

const trimLeadingStars = (pattern: string) => pattern.replace(/^[*/]+/, '');
const trimTrailingStars = (pattern: string) => pattern.replace(/[*/]+$/, '');

function freeze(evaluation: Evaluation): Evaluation {
  Object.freeze(evaluation.omitStages);
  return Object.freeze(evaluation);
}

function setOf(values: readonly string[] | undefined): Set<string> | undefined {
  return values && values.length > 0 ? new Set(values) : undefined;
}

function compileRule(rule: PolicyRule): Matcher {
  const users = setOf(rule.users);
  const userGroups = setOf(rule.userGroups);
  const verbs = setOf(rule.verbs);
  const namespaces = setOf(rule.namespaces);
  const isResourceRule = (rule.namespaces ?? []).length > 0 || (rule.resources ?? []).length > 0;
  const matchResource = isResourceRule ? compileResources(rule) : undefined;
  const matchPath =
    !isResourceRule && (rule.nonResourceURLs ?? []).length > 0 ? compilePaths(rule) : undefined;

  return (request) => {
    // checker.go: a rule with users or userGroups never matches a request with no user (nil).
    if (users && (request.user === null || !users.has(request.user))) return false;
    if (userGroups) {
      if (request.user === null) return false;
      let any = false;
      for (const group of request.groups) {
        if (userGroups.has(group)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    if (verbs && !verbs.has(request.verb)) return false;
    if (matchResource) {
      // A resource rule never matches a non-resource request, even with namespaces: [""].
      if (!request.resourceRequest) return false;
      if (namespaces && !namespaces.has(request.namespace ?? '')) return false;
      return matchResource(request);
    }
    if (matchPath) return !request.resourceRequest && matchPath(request.path ?? '');
    return true;
  };
}

/** One `resources` entry, split by pattern form so matching needs no string building. */
interface CompiledGroupResources {
  /** `resources` empty: every resource and subresource of the group (resourceNames ignored). */
  everything: boolean;
  names: Set<string> | undefined;
  /** `*` */
  anyResource: boolean;
  /** `res` or `res/sub`, compared with the combined resource. */
  exact: Set<string>;
  /** Patterns "*" + "/sub": any resource with that subresource. */
  anyWithSubresource: Set<string>;
  /** `res/*`: the resource and every subresource of it. */
  resourceAndSubresources: Set<string>;
}

function compileResources(rule: PolicyRule): Matcher {
  const entries = rule.resources ?? [];
  if (entries.length === 0) return () => true;
  const byGroup = new Map<string, CompiledGroupResources[]>();
  for (const entry of entries) {
    const compiled: CompiledGroupResources = {
      everything: (entry.resources ?? []).length === 0,
      names: setOf(entry.resourceNames),
      anyResource: false,
      exact: new Set(),
      anyWithSubresource: new Set(),
      resourceAndSubresources: new Set(),
    };
    for (const pattern of entry.resources ?? []) {
      if (pattern === '*') compiled.anyResource = true;
      else compiled.exact.add(pattern);
      // Precomputed forms of resourcePatternMatches, so "*//scale" means "scale", "pods*/*" "pods".
      if (pattern.startsWith('*/')) compiled.anyWithSubresource.add(trimLeadingStars(pattern));
      if (pattern.endsWith('/*')) compiled.resourceAndSubresources.add(trimTrailingStars(pattern));
    }
    const group = entry.group ?? '';
    const list = byGroup.get(group) ?? [];
    list.push(compiled);
    byGroup.set(group, list);
  }
  // group "*" (1.36+) matches every group; validation refuses it on older versions.
  const wildcard = byGroup.get('*');

  return (request) => {
    const group = request.apiGroup ?? '';
    const own = byGroup.get(group);
    if (own && entriesMatch(own, request)) return true;
    return wildcard !== undefined && group !== '*' && entriesMatch(wildcard, request);
  };
}

function entriesMatch(entries: readonly CompiledGroupResources[], request: RequestAttributes): boolean {
  const resource = request.resource ?? '';
  const subresource = request.subresource ?? '';
  let combined: string | undefined;
  for (const entry of entries) {
    if (entry.everything) return true;
    if (entry.names && !entry.names.has(request.name ?? '')) continue;
    if (entry.anyResource) return true;
    combined ??= subresource === '' ? resource : `${resource}/${subresource}`;
    if (entry.exact.has(combined)) return true;
    if (subresource !== '' && entry.anyWithSubresource.has(subresource)) return true;
    if (entry.resourceAndSubresources.has(resource)) return true;
  }
  return false;
}

function compilePaths(rule: PolicyRule): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let any = false;
  for (const spec of rule.nonResourceURLs ?? []) {
    if (spec === '*') any = true;
    exact.add(spec);
    // checker.go pathMatches: a trailing `*` (all of them stripped) is a plain string prefix.
    if (spec.endsWith('*')) prefixes.push(spec.replace(/\*+$/, ''));
  }
  if (any) return () => true;
  return (path) => {
    if (exact.has(path)) return true;
    for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
    return false;
  };
}
