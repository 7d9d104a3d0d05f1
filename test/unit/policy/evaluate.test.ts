import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate } from '../../../src/policy/evaluate.js';
import type { Policy, PolicyRule, RequestAttributes } from '../../../src/policy/types.js';

/**
 * Evaluation cases written from kube-apiserver's checker (k8s.io/apiserver pkg/audit/policy/checker.go,
 * its checker_test.go, and research/audit.md "Evaluation"). Each case names the rule it checks.
 */

const CHECKER = 'checker.go';

function policy(rules: PolicyRule[], extra: Partial<Policy> = {}): Policy {
  return { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules, ...extra };
}

/** A resource request: namespaced pod get by alice unless overridden. */
function res(overrides: Partial<RequestAttributes> = {}): RequestAttributes {
  return {
    user: 'alice',
    groups: ['system:authenticated'],
    verb: 'get',
    resourceRequest: true,
    namespace: 'default',
    apiGroup: '',
    resource: 'pods',
    subresource: '',
    name: 'web-1',
    ...overrides,
  };
}

/** A non-resource request. */
function nonRes(path: string, overrides: Partial<RequestAttributes> = {}): RequestAttributes {
  return {
    user: 'alice',
    groups: ['system:authenticated'],
    verb: 'get',
    resourceRequest: false,
    path,
    ...overrides,
  };
}

interface Case {
  name: string;
  /** The kube-apiserver rule this case checks. */
  rule: string;
  rules: PolicyRule[];
  extra?: Partial<Policy>;
  request: RequestAttributes;
  /** Expected index of the deciding rule (null: none matched). */
  expected: number | null;
}

const M = 'Metadata' as const;

const cases: Case[] = [
  // --- first match wins, default None ------------------------------------------------------------
  {
    name: 'empty rule matches a resource request',
    rule: `${CHECKER} ruleMatches: no selectors → true`,
    rules: [{ level: M }],
    request: res(),
    expected: 0,
  },
  {
    name: 'empty rule matches a non-resource request',
    rule: `${CHECKER} ruleMatches: no selectors → true`,
    rules: [{ level: M }],
    request: nonRes('/healthz'),
    expected: 0,
  },
  {
    name: 'first matching rule wins over later ones',
    rule: `${CHECKER} LevelAndStages: return on first match`,
    rules: [{ level: 'None', verbs: ['get'] }, { level: M }],
    request: res(),
    expected: 0,
  },
  {
    name: 'non-matching first rule falls through',
    rule: `${CHECKER} LevelAndStages: loop in order`,
    rules: [{ level: 'None', verbs: ['list'] }, { level: M }],
    request: res(),
    expected: 1,
  },
  {
    name: 'no rule matches → none',
    rule: `${CHECKER} DefaultAuditLevel = LevelNone`,
    rules: [{ level: M, verbs: ['delete'] }],
    request: res(),
    expected: null,
  },
  // --- users -------------------------------------------------------------------------------------
  {
    name: 'users: listed user matches',
    rule: `${CHECKER} hasString(r.Users, user.GetName())`,
    rules: [{ level: M, users: ['bob', 'alice'] }],
    request: res(),
    expected: 0,
  },
  {
    name: 'users: other user does not match',
    rule: `${CHECKER} hasString(r.Users, ...)`,
    rules: [{ level: M, users: ['bob'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'users: "*" is literal, not a wildcard',
    rule: `${CHECKER} hasString exact compare`,
    rules: [{ level: M, users: ['*'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'users: comparison is case-sensitive',
    rule: `${CHECKER} hasString exact compare`,
    rules: [{ level: M, users: ['Alice'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'users: a group name in users does not match the group',
    rule: `${CHECKER} Users compares user name only`,
    rules: [{ level: M, users: ['system:authenticated'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'users: applies to non-resource requests too',
    rule: `${CHECKER} user checks precede resource checks`,
    rules: [{ level: M, users: ['alice'] }],
    request: nonRes('/metrics'),
    expected: 0,
  },
  // --- userGroups --------------------------------------------------------------------------------
  {
    name: 'userGroups: any one of the request groups matches',
    rule: `${CHECKER} UserGroups loop over user.GetGroups()`,
    rules: [{ level: M, userGroups: ['dev', 'system:authenticated'] }],
    request: res({ groups: ['ops', 'system:authenticated'] }),
    expected: 0,
  },
  {
    name: 'userGroups: no common group → no match',
    rule: `${CHECKER} UserGroups !matched → false`,
    rules: [{ level: M, userGroups: ['system:masters'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'userGroups: request without groups never matches',
    rule: `${CHECKER} UserGroups !matched → false`,
    rules: [{ level: M, userGroups: ['system:authenticated'] }],
    request: res({ groups: [] }),
    expected: null,
  },
  {
    name: 'userGroups: user name in userGroups does not match',
    rule: `${CHECKER} UserGroups compares groups only`,
    rules: [{ level: M, userGroups: ['alice'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'users and userGroups must both match',
    rule: `${CHECKER} each non-empty selector must match`,
    rules: [{ level: M, users: ['alice'], userGroups: ['system:masters'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'system:nodes group matches a kubelet',
    rule: `${CHECKER} UserGroups`,
    rules: [{ level: 'None', userGroups: ['system:nodes'] }, { level: M }],
    request: res({ user: 'system:node:ip-10-0-0-1', groups: ['system:nodes', 'system:authenticated'] }),
    expected: 0,
  },
  // --- verbs -------------------------------------------------------------------------------------
  {
    name: 'verbs: listed verb matches',
    rule: `${CHECKER} hasString(r.Verbs, attrs.GetVerb())`,
    rules: [{ level: M, verbs: ['list', 'get'] }],
    request: res(),
    expected: 0,
  },
  {
    name: 'verbs: other verb does not match',
    rule: `${CHECKER} hasString(r.Verbs, ...)`,
    rules: [{ level: M, verbs: ['list'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'verbs: "*" is literal (unlike RBAC)',
    rule: `${CHECKER} hasString exact compare`,
    rules: [{ level: M, verbs: ['*'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'verbs: upper-case GET never matches get',
    rule: `${CHECKER} hasString exact compare`,
    rules: [{ level: M, verbs: ['GET'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'verbs: watch is its own verb',
    rule: `${CHECKER} hasString; requestinfo.go watch=true → watch`,
    rules: [{ level: M, verbs: ['list'] }],
    request: res({ verb: 'watch', name: '' }),
    expected: null,
  },
  {
    name: 'verbs: non-resource verb is the lower-cased method',
    rule: `${CHECKER} verbs apply to non-resource requests`,
    rules: [{ level: M, verbs: ['post'] }],
    request: nonRes('/apis/x', { verb: 'post' }),
    expected: 0,
  },
  // --- resource vs non-resource ------------------------------------------------------------------
  {
    name: 'resources rule never matches a non-resource request',
    rule: `${CHECKER} ruleMatchesResource: !IsResourceRequest → false`,
    rules: [{ level: M, resources: [{ group: '' }] }],
    request: nonRes('/api'),
    expected: null,
  },
  {
    name: 'namespaces [""] never matches a non-resource request',
    rule: `${CHECKER} ruleMatchesResource: !IsResourceRequest → false`,
    rules: [{ level: M, namespaces: [''] }],
    request: nonRes('/healthz'),
    expected: null,
  },
  {
    name: 'nonResourceURLs rule never matches a resource request',
    rule: `${CHECKER} ruleMatchesNonResource: IsResourceRequest → false`,
    rules: [{ level: M, nonResourceURLs: ['*'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'resources wins over nonResourceURLs when both are set',
    rule: `${CHECKER} resource branch is taken first`,
    rules: [{ level: M, resources: [{ group: '' }], nonResourceURLs: ['/healthz'] }],
    request: nonRes('/healthz'),
    expected: null,
  },
  {
    name: 'resources+nonResourceURLs rule still matches resources',
    rule: `${CHECKER} nonResourceURLs ignored for resource rules`,
    rules: [{ level: M, resources: [{ group: '' }], nonResourceURLs: ['/healthz'] }],
    request: res(),
    expected: 0,
  },
  // --- namespaces --------------------------------------------------------------------------------
  {
    name: 'namespaces: listed namespace matches',
    rule: `${CHECKER} hasString(r.Namespaces, attrs.GetNamespace())`,
    rules: [{ level: M, namespaces: ['kube-system', 'default'] }],
    request: res(),
    expected: 0,
  },
  {
    name: 'namespaces: other namespace does not match',
    rule: `${CHECKER} hasString(r.Namespaces, ...)`,
    rules: [{ level: M, namespaces: ['kube-system'] }],
    request: res(),
    expected: null,
  },
  {
    name: 'namespaces [""] matches a cluster-scoped object',
    rule: `${CHECKER} "Non-namespaced resources use the empty string"`,
    rules: [{ level: M, namespaces: [''] }],
    request: res({ namespace: '', resource: 'nodes', name: 'n1' }),
    expected: 0,
  },
  {
    name: 'namespaces [""] matches a cluster-wide list of pods',
    rule: `${CHECKER}; requestinfo.go GET /api/v1/pods has namespace ""`,
    rules: [{ level: M, namespaces: [''] }],
    request: res({ namespace: '', verb: 'list', name: '' }),
    expected: 0,
  },
  {
    name: 'namespaces [""] does not match a namespaced pod',
    rule: `${CHECKER} hasString exact compare`,
    rules: [{ level: M, namespaces: [''] }],
    request: res(),
    expected: null,
  },
  {
    name: 'a Namespace object request has its own name as namespace',
    rule: `requestinfo.go /api/v1/namespaces/foo → namespace foo`,
    rules: [{ level: M, namespaces: ['foo'] }],
    request: res({ namespace: 'foo', resource: 'namespaces', name: 'foo' }),
    expected: 0,
  },
  {
    name: 'namespaces alone match any resource in the namespace',
    rule: `${CHECKER} len(r.Resources) == 0 → true`,
    rules: [{ level: M, namespaces: ['default'] }],
    request: res({ apiGroup: 'apps', resource: 'deployments' }),
    expected: 0,
  },
  // --- resources by group ------------------------------------------------------------------------
  {
    name: 'group "" is the core group',
    rule: `${CHECKER} gr.Group == apiGroup`,
    rules: [{ level: M, resources: [{ group: '' }] }],
    request: res(),
    expected: 0,
  },
  {
    name: 'omitted group is the core group',
    rule: `${CHECKER} gr.Group == apiGroup (zero value "")`,
    rules: [{ level: M, resources: [{ resources: ['pods'] }] }],
    request: res(),
    expected: 0,
  },
  {
    name: 'core group does not match apps',
    rule: `${CHECKER} gr.Group == apiGroup`,
    rules: [{ level: M, resources: [{ group: '' }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments' }),
    expected: null,
  },
  {
    name: 'apps group does not match core pods',
    rule: `${CHECKER} gr.Group == apiGroup`,
    rules: [{ level: M, resources: [{ group: 'apps' }] }],
    request: res(),
    expected: null,
  },
  {
    name: 'group without resources matches every resource of the group',
    rule: `${CHECKER} len(gr.Resources) == 0 → true`,
    rules: [{ level: M, resources: [{ group: 'apps' }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }),
    expected: 0,
  },
  {
    name: 'group without resources ignores resourceNames',
    rule: `${CHECKER} len(gr.Resources) == 0 → true before names`,
    rules: [{ level: M, resources: [{ group: 'apps', resourceNames: ['x'] }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments', name: 'y' }),
    expected: 0,
  },
  {
    name: '"v1" as a group never matches core',
    rule: `${CHECKER} gr.Group == apiGroup (core is "")`,
    rules: [{ level: M, resources: [{ group: 'v1' }] }],
    request: res(),
    expected: null,
  },
  {
    name: 'group "*" matches apps (1.36+)',
    rule: 'research/audit.md: group "*" = every group, 1.36+',
    rules: [{ level: M, resources: [{ group: '*', resources: ['deployments'] }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments' }),
    expected: 0,
  },
  {
    name: 'group "*" matches the core group (1.36+)',
    rule: 'research/audit.md: group "*" = every group, 1.36+',
    rules: [{ level: M, resources: [{ group: '*' }] }],
    request: res(),
    expected: 0,
  },
  {
    name: 'group "*" still needs the resource to match',
    rule: 'research/audit.md: group "*" then resources as usual',
    rules: [{ level: M, resources: [{ group: '*', resources: ['secrets'] }] }],
    request: res(),
    expected: null,
  },
  {
    name: 'entries are OR-ed',
    rule: `${CHECKER} for _, gr := range r.Resources`,
    rules: [{ level: M, resources: [{ group: 'apps' }, { group: '', resources: ['pods'] }] }],
    request: res(),
    expected: 0,
  },
  // --- resource patterns -------------------------------------------------------------------------
  {
    name: 'exact resource matches',
    rule: `${CHECKER} res == combinedResource`,
    rules: [{ level: M, resources: [{ resources: ['pods'] }] }],
    request: res(),
    expected: 0,
  },
  {
    name: '"pods" does not match pods/log',
    rule: `${CHECKER} combinedResource = resource/subresource`,
    rules: [{ level: M, resources: [{ resources: ['pods'] }] }],
    request: res({ subresource: 'log' }),
    expected: null,
  },
  {
    name: '"pods/log" matches pods/log',
    rule: `${CHECKER} res == combinedResource`,
    rules: [{ level: M, resources: [{ resources: ['pods/log'] }] }],
    request: res({ subresource: 'log' }),
    expected: 0,
  },
  {
    name: '"pods/log" does not match pods',
    rule: `${CHECKER} res == combinedResource`,
    rules: [{ level: M, resources: [{ resources: ['pods/log'] }] }],
    request: res(),
    expected: null,
  },
  {
    name: '"pods/log" does not match pods/exec',
    rule: `${CHECKER} res == combinedResource`,
    rules: [{ level: M, resources: [{ resources: ['pods/log'] }] }],
    request: res({ subresource: 'exec' }),
    expected: null,
  },
  {
    name: '"*" matches any resource',
    rule: `${CHECKER} res == "*"`,
    rules: [{ level: M, resources: [{ resources: ['*'] }] }],
    request: res({ resource: 'services' }),
    expected: 0,
  },
  {
    name: '"*" matches any subresource',
    rule: `${CHECKER} res == "*"`,
    rules: [{ level: M, resources: [{ resources: ['*'] }] }],
    request: res({ subresource: 'status' }),
    expected: 0,
  },
  {
    name: '"*/scale" matches deployments/scale',
    rule: `${CHECKER} match "*/subresource"`,
    rules: [{ level: M, resources: [{ group: 'apps', resources: ['*/scale'] }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }),
    expected: 0,
  },
  {
    name: '"*/scale" does not match the bare resource',
    rule: `${CHECKER} match "*/subresource" needs len(subresource) > 0`,
    rules: [{ level: M, resources: [{ group: 'apps', resources: ['*/scale'] }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments' }),
    expected: null,
  },
  {
    name: '"*/scale" does not match deployments/status',
    rule: `${CHECKER} match "*/subresource"`,
    rules: [{ level: M, resources: [{ group: 'apps', resources: ['*/scale'] }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments', subresource: 'status' }),
    expected: null,
  },
  {
    name: '"pods/*" matches pods/exec',
    rule: `${CHECKER} match "resource/*"`,
    rules: [{ level: M, resources: [{ resources: ['pods/*'] }] }],
    request: res({ subresource: 'exec' }),
    expected: 0,
  },
  {
    name: '"pods/*" also matches bare pods',
    rule: `${CHECKER} match "resource/*" compares the resource part only`,
    rules: [{ level: M, resources: [{ resources: ['pods/*'] }] }],
    request: res(),
    expected: 0,
  },
  {
    name: '"*//scale" matches deployments/scale (Go TrimLeft strips every leading * and /)',
    rule: `${CHECKER} subresource == strings.TrimLeft(res, "*/")`,
    rules: [{ level: M, resources: [{ group: 'apps', resources: ['*//scale'] }] }],
    request: res({ apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }),
    expected: 0,
  },
  {
    name: '"*/*" matches no subresource (TrimLeft leaves an empty string)',
    rule: `${CHECKER} subresource == strings.TrimLeft(res, "*/")`,
    rules: [{ level: M, resources: [{ resources: ['*/*'] }] }],
    request: res({ subresource: 'exec' }),
    expected: null,
  },
  {
    name: '"pods*/*" matches bare pods (Go TrimRight strips every trailing / and *)',
    rule: `${CHECKER} resource == strings.TrimRight(res, "/*")`,
    rules: [{ level: M, resources: [{ resources: ['pods*/*'] }] }],
    request: res(),
    expected: 0,
  },
  {
    name: '"pods//*" matches pods/log',
    rule: `${CHECKER} resource == strings.TrimRight(res, "/*")`,
    rules: [{ level: M, resources: [{ resources: ['pods//*'] }] }],
    request: res({ subresource: 'log' }),
    expected: 0,
  },
  {
    name: '"pods/*" does not match services',
    rule: `${CHECKER} match "resource/*"`,
    rules: [{ level: M, resources: [{ resources: ['pods/*'] }] }],
    request: res({ resource: 'services' }),
    expected: null,
  },
  {
    name: 'resource names are case-sensitive ("Pods")',
    rule: `${CHECKER} exact compare`,
    rules: [{ level: M, resources: [{ resources: ['Pods'] }] }],
    request: res(),
    expected: null,
  },
  {
    name: 'singular "pod" does not match "pods"',
    rule: `${CHECKER} exact compare`,
    rules: [{ level: M, resources: [{ resources: ['pod'] }] }],
    request: res(),
    expected: null,
  },
  // --- resourceNames -----------------------------------------------------------------------------
  {
    name: 'resourceNames: listed name matches',
    rule: `${CHECKER} hasString(gr.ResourceNames, name)`,
    rules: [{ level: M, resources: [{ resources: ['configmaps'], resourceNames: ['a', 'cfg'] }] }],
    request: res({ resource: 'configmaps', name: 'cfg' }),
    expected: 0,
  },
  {
    name: 'resourceNames: other name does not match',
    rule: `${CHECKER} hasString(gr.ResourceNames, name)`,
    rules: [{ level: M, resources: [{ resources: ['configmaps'], resourceNames: ['a'] }] }],
    request: res({ resource: 'configmaps', name: 'cfg' }),
    expected: null,
  },
  {
    name: 'resourceNames never match a create (name "" at evaluation)',
    rule: 'research/audit.md: create requests have name ""',
    rules: [{ level: M, resources: [{ resources: ['configmaps'], resourceNames: ['cfg'] }] }],
    request: res({ verb: 'create', resource: 'configmaps', name: '' }),
    expected: null,
  },
  {
    name: 'resourceNames apply with "*"',
    rule: `${CHECKER} names checked before res == "*"`,
    rules: [{ level: M, resources: [{ resources: ['*'], resourceNames: ['x'] }] }],
    request: res(),
    expected: null,
  },
  {
    name: 'resourceNames apply with "pods/*"',
    rule: `${CHECKER} names checked before "resource/*"`,
    rules: [{ level: M, resources: [{ resources: ['pods/*'], resourceNames: ['web-1'] }] }],
    request: res({ subresource: 'log' }),
    expected: 0,
  },
  {
    name: 'list with fieldSelector metadata.name matches resourceNames',
    rule: 'research/audit.md: list/watch with metadata.name=X get name X',
    rules: [{ level: M, resources: [{ resources: ['pods'], resourceNames: ['web-1'] }] }],
    request: res({ verb: 'list', name: 'web-1' }),
    expected: 0,
  },
  // --- nonResourceURLs ---------------------------------------------------------------------------
  {
    name: 'nonResourceURLs: exact path',
    rule: `${CHECKER} pathMatches spec == path`,
    rules: [{ level: M, nonResourceURLs: ['/version'] }],
    request: nonRes('/version'),
    expected: 0,
  },
  {
    name: 'nonResourceURLs: exact does not match a sub-path',
    rule: `${CHECKER} pathMatches exact`,
    rules: [{ level: M, nonResourceURLs: ['/version'] }],
    request: nonRes('/version/x'),
    expected: null,
  },
  {
    name: 'nonResourceURLs: "*" matches any path',
    rule: `${CHECKER} pathMatches spec == "*"`,
    rules: [{ level: M, nonResourceURLs: ['*'] }],
    request: nonRes('/openapi/v2'),
    expected: 0,
  },
  {
    name: 'nonResourceURLs: "/healthz*" matches /healthz',
    rule: `${CHECKER} pathMatches trailing *: HasPrefix(path, TrimRight(spec, "*"))`,
    rules: [{ level: M, nonResourceURLs: ['/healthz*'] }],
    request: nonRes('/healthz'),
    expected: 0,
  },
  {
    name: 'nonResourceURLs: "/healthz*" matches /healthz/etcd',
    rule: `${CHECKER} pathMatches trailing *`,
    rules: [{ level: M, nonResourceURLs: ['/healthz*'] }],
    request: nonRes('/healthz/etcd'),
    expected: 0,
  },
  {
    name: 'nonResourceURLs: "/healthz*" matches /healthzfoo (plain prefix)',
    rule: `${CHECKER} pathMatches trailing * is a string prefix`,
    rules: [{ level: M, nonResourceURLs: ['/healthz*'] }],
    request: nonRes('/healthzfoo'),
    expected: 0,
  },
  {
    name: 'nonResourceURLs: "/logs/*" does not match /logs',
    rule: `${CHECKER} pathMatches prefix "/logs/"`,
    rules: [{ level: M, nonResourceURLs: ['/logs/*'] }],
    request: nonRes('/logs'),
    expected: null,
  },
  {
    name: 'nonResourceURLs: "/api*" matches /apis',
    rule: `${CHECKER} pathMatches prefix`,
    rules: [{ level: M, nonResourceURLs: ['/api*'] }],
    request: nonRes('/apis/apps/v1'),
    expected: 0,
  },
  {
    name: 'nonResourceURLs: "/readyz" is not covered by "/healthz*"',
    rule: `${CHECKER} pathMatches`,
    rules: [{ level: 'None', nonResourceURLs: ['/healthz*'] }, { level: M }],
    request: nonRes('/readyz'),
    expected: 1,
  },
  {
    name: 'nonResourceURLs: "/a**" strips every trailing *',
    rule: `${CHECKER} TrimRight(spec, "*")`,
    rules: [{ level: M, nonResourceURLs: ['/a**'] }],
    request: nonRes('/ab'),
    expected: 0,
  },
];

describe('evaluate: first matching rule wins (checker.go)', () => {
  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('$name ($rule)', ({ rules, extra, request, expected }) => {
    const result = evaluate(policy(rules, extra), request);
    expect(result.rule).toBe(expected);
    expect(result.level).toBe(expected === null ? 'None' : rules[expected]!.level);
  });
});

describe('evaluate: omitStages and omitManagedFields', () => {
  it('rule omitStages are united with the policy omitStages, sorted (checker.go unionStages)', () => {
    const result = evaluate(
      policy([{ level: M, omitStages: ['ResponseStarted', 'RequestReceived'] }], {
        omitStages: ['RequestReceived', 'Panic'],
      }),
      res(),
    );
    expect(result.omitStages).toEqual(['Panic', 'RequestReceived', 'ResponseStarted']);
  });

  it('no match returns the policy omitStages and level None (checker.go LevelAndStages fallthrough)', () => {
    const result = evaluate(
      policy([{ level: M, verbs: ['list'] }], { omitStages: ['RequestReceived'] }),
      res(),
    );
    expect(result).toEqual({
      level: 'None',
      rule: null,
      omitStages: ['RequestReceived'],
      omitManagedFields: false,
    });
  });

  it('a rule omitManagedFields false overrides the policy true (checker.go isOmitManagedFields)', () => {
    const p = policy([{ level: 'Request', omitManagedFields: false }], { omitManagedFields: true });
    expect(evaluate(p, res()).omitManagedFields).toBe(false);
  });

  it('a rule without omitManagedFields (or null) inherits the policy value', () => {
    expect(
      evaluate(policy([{ level: 'Request' }], { omitManagedFields: true }), res()).omitManagedFields,
    ).toBe(true);
    expect(
      evaluate(policy([{ level: 'Request', omitManagedFields: null }], { omitManagedFields: true }), res())
        .omitManagedFields,
    ).toBe(true);
  });

  it('no match takes the policy omitManagedFields', () => {
    expect(
      evaluate(policy([{ level: M, users: ['x'] }], { omitManagedFields: true }), res()).omitManagedFields,
    ).toBe(true);
  });

  it('a matching level None rule stops evaluation (later catch-all is not used)', () => {
    const p = policy([
      { level: 'None', resources: [{ resources: ['events'] }] },
      { level: 'RequestResponse' },
    ]);
    expect(evaluate(p, res({ resource: 'events' }))).toMatchObject({ level: 'None', rule: 0 });
  });
});

describe('compilePolicy', () => {
  it('lists every rule that matches, in order, and evaluate picks the first', () => {
    const compiled = compilePolicy(
      policy([{ level: 'None', users: ['bob'] }, { level: 'Request', verbs: ['get'] }, { level: M }]),
    );
    expect(compiled.matchingRules(res())).toEqual([1, 2]);
    expect(compiled.evaluate(res()).rule).toBe(1);
    expect(compiled.ruleMatches(0, res({ user: 'bob' }))).toBe(true);
    expect(compiled.ruleCount).toBe(3);
  });

  it('returns frozen shared results, so a caller cannot corrupt later evaluations', () => {
    const compiled = compilePolicy(policy([{ level: M, omitStages: ['RequestReceived'] }]));
    const first = compiled.evaluate(res());
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.omitStages)).toBe(true);
    expect(compiled.evaluate(res({ user: 'bob' }))).toBe(first);
  });
});

// checker.go ruleMatches: `if len(r.Users) > 0 { if user == nil || ... return false }`, and the same
// for userGroups. A request that failed authentication is audited with a nil user
// (filters.WithFailedAuthenticationAudit); an anonymous request that was let in is a user,
// system:anonymous in group system:unauthenticated (issue 11).
describe('evaluate: a request with no user (null)', () => {
  const noUser = nonRes('/healthz', { user: null, groups: [] });
  const anonymous = nonRes('/healthz', { user: 'system:anonymous', groups: ['system:unauthenticated'] });
  const level = (rules: PolicyRule[], request: RequestAttributes) => evaluate(policy(rules), request).level;

  const rules: Array<[string, PolicyRule]> = [
    ['users: [""]', { level: 'None', users: [''] }],
    ['users: [system:anonymous]', { level: 'None', users: ['system:anonymous'] }],
    ['userGroups: [system:unauthenticated]', { level: 'None', userGroups: ['system:unauthenticated'] }],
    ['userGroups: [system:authenticated]', { level: 'None', userGroups: ['system:authenticated'] }],
  ];
  it.each(rules)('is matched by no rule with %s', (_name, rule) => {
    expect(level([rule, { level: 'Metadata' }], noUser)).toBe('Metadata');
  });

  it('is matched by rules without users or userGroups', () => {
    expect(level([{ level: 'Request', nonResourceURLs: ['/healthz*'] }], noUser)).toBe('Request');
    expect(level([{ level: 'Request', verbs: ['get'] }], noUser)).toBe('Request');
  });

  it('differs from the anonymous user, whom users and userGroups rules do match', () => {
    const rules: PolicyRule[] = [
      { level: 'None', userGroups: ['system:unauthenticated'] },
      { level: 'RequestResponse' },
    ];
    expect(level(rules, anonymous)).toBe('None');
    expect(level(rules, noUser)).toBe('RequestResponse');
  });
});
