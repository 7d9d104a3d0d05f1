/**
 * The audit.k8s.io/v1 Policy model and the request attributes kube-apiserver evaluates it against.
 * Field names follow the API (k8s.io/apiserver/pkg/apis/audit/v1/types.go).
 */

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];

export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  /** `""` (or absent) is the core group. */
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  /** Absent or null: inherit the policy's value. */
  omitManagedFields?: boolean | null;
}

export interface Policy {
  apiVersion: string;
  kind: string;
  omitStages?: Stage[];
  omitManagedFields?: boolean;
  rules: PolicyRule[];
}

/** Where each rule (and each of its fields) starts in the source file. */
export interface PolicySourceMap {
  /** The file name as the user gave it, or `basic` / `gce` for a template. */
  source: string;
  /** 1-based line of `rules[i]`. */
  ruleLines: number[];
  /** 1-based line of a field path such as `rules[3].nonResourceURLs[0]`, when known. */
  lineOf(field: string): number | undefined;
  /** [start, end) character offsets of a field's value in the text (e.g. `rules[3]`), when known. */
  spanOf?(field: string): [number, number] | undefined;
}

/** A policy as loaded from a file: the model, where it came from, and its text. */
export interface LoadedPolicy {
  policy: Policy;
  map: PolicySourceMap;
  text: string;
}

/** The attributes kube-apiserver's policy checker reads (authorizer.Attributes). */
export interface RequestAttributes {
  /**
   * The authenticated user's name; null for a request with no user at all: one that failed
   * authentication, which kube-apiserver still audits (filters.WithFailedAuthenticationAudit) with a
   * nil user, so that no rule with `users` or `userGroups` matches it (checker.go ruleMatches). An
   * anonymous request that was let in is a user, `system:anonymous` in group `system:unauthenticated`.
   */
  user: string | null;
  /** The user's groups; always empty when there is no user. */
  groups: readonly string[];
  verb: string;
  /** True for /api and /apis requests on a resource; false for /healthz, /metrics, discovery... */
  resourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path?: string;
  namespace?: string;
  /** `""` is the core group. */
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface Evaluation {
  level: Level;
  /** Index of the matching rule, or null when none matched (level None). */
  rule: number | null;
  /** Policy omitStages united with the rule's, sorted. */
  omitStages: Stage[];
  omitManagedFields: boolean;
}
