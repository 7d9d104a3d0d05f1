import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/policy/evaluate.js';
import { relateRules } from '../../../src/policy/match-set.js';
import type { Policy, PolicyRule, RequestAttributes } from '../../../src/policy/types.js';
import { probeRequests, randomPolicy, seeded } from '../../helpers/policy-probes.js';

/**
 * Exact relations between the match sets of two rules, each case written from kube-apiserver's checker
 * (k8s.io/apiserver pkg/audit/policy/checker.go, ruleMatches, ruleMatchesResource, pathMatches) and
 * research/audit.md "Evaluation". Every example request the relation gives is checked with the
 * evaluator, and random pairs are checked against probe requests.
 */

const CHECKER = 'checker.go';
const M = 'Metadata' as const;

interface Case {
  name: string;
  /** The checker rule the case rests on. */
  rule: string;
  a: Omit<PolicyRule, 'level'>;
  b: Omit<PolicyRule, 'level'>;
  relation: 'equal' | 'subset' | 'superset' | 'disjoint' | 'overlap';
  /** The overlap as a rule's selectors; 'inexpressible' when no rule selects it. */
  intersection?: Omit<PolicyRule, 'level'> | 'inexpressible';
}

const core = (...resources: string[]) => [{ group: '', resources }];

const cases: Case[] = [
  {
    name: 'a list of users is strictly inside "every user" (the set of users is unbounded)',
    rule: `${CHECKER} ruleMatches: len(r.Users) > 0 → hasString(r.Users, user)`,
    a: { users: ['alice'] },
    b: {},
    relation: 'subset',
    intersection: { users: ['alice'] },
  },
  {
    name: '"*" in users is a literal name, not a wildcard',
    rule: `${CHECKER} hasString compares exactly`,
    a: { users: ['*'] },
    b: { users: ['alice'] },
    relation: 'disjoint',
  },
  {
    name: 'every verb kube-apiserver names is still strictly inside "every verb"',
    rule: `${CHECKER} ruleMatches: verbs compared exactly; other verbs (proxy, HTTP methods) exist`,
    a: { verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] },
    b: {},
    relation: 'subset',
  },
  {
    name: 'verb lists overlap in their common verbs',
    rule: `${CHECKER} ruleMatches: hasString(r.Verbs, verb)`,
    a: { verbs: ['get', 'list'] },
    b: { verbs: ['list', 'watch'] },
    relation: 'overlap',
    intersection: { verbs: ['list'] },
  },
  {
    name: 'userGroups are any-of: a shorter list is inside a longer one',
    rule: `${CHECKER} ruleMatches: any of user.GetGroups() in r.UserGroups`,
    a: { userGroups: ['devs'] },
    b: { userGroups: ['devs', 'ops'] },
    relation: 'subset',
    intersection: { userGroups: ['devs'] },
  },
  {
    name: 'two different userGroups overlap (a request can carry both) and no rule selects that overlap',
    rule: `${CHECKER} ruleMatches: any of the user's groups; research/audit.md userGroups any-of`,
    a: { userGroups: ['devs'] },
    b: { userGroups: ['ops'] },
    relation: 'overlap',
    intersection: 'inexpressible',
  },
  {
    name: 'userGroups is strictly inside "every request" (a request may carry no group at all)',
    rule: `${CHECKER} ruleMatches: len(r.UserGroups) > 0 needs a matching group`,
    a: { userGroups: ['devs', 'ops'] },
    b: {},
    relation: 'subset',
  },
  {
    name: 'namespaces [""] (cluster-scoped and cluster-wide) and a named namespace are disjoint',
    rule: `${CHECKER} ruleMatchesResource: "Non-namespaced resources use the empty string"`,
    a: { namespaces: [''] },
    b: { namespaces: ['default'] },
    relation: 'disjoint',
  },
  {
    name: 'namespaces [""] never matches a non-resource request',
    rule: `${CHECKER} ruleMatchesResource: !attrs.IsResourceRequest() → false`,
    a: { namespaces: [''] },
    b: { nonResourceURLs: ['*'] },
    relation: 'disjoint',
  },
  {
    name: 'a rule without resources, namespaces or URLs matches both kinds of request',
    rule: `${CHECKER} ruleMatches: no resource or URL selectors → true`,
    a: { nonResourceURLs: ['*'] },
    b: {},
    relation: 'subset',
    intersection: { nonResourceURLs: ['/*'] },
  },
  {
    name: 'a resource rule is strictly inside a rule without kind selectors',
    rule: `${CHECKER} ruleMatches`,
    a: { resources: [{ group: '' }] },
    b: {},
    relation: 'subset',
  },
  {
    name: 'namespaces alone and resources alone overlap in both',
    rule: `${CHECKER} ruleMatchesResource: namespaces and resources both checked`,
    a: { namespaces: ['kube-system'] },
    b: { resources: core('configmaps') },
    relation: 'overlap',
    intersection: { resources: core('configmaps'), namespaces: ['kube-system'] },
  },
  {
    name: 'the core group and apps are disjoint',
    rule: `${CHECKER} ruleMatchesResource: gr.Group == apiGroup`,
    a: { resources: [{ group: '' }] },
    b: { resources: [{ group: 'apps' }] },
    relation: 'disjoint',
  },
  {
    name: 'group "*" holds every group (1.36+)',
    rule: 'research/audit.md: `"*"` = every group, 1.36+',
    a: { resources: [{ group: '*' }] },
    b: { resources: [{ group: 'apps', resources: ['deployments'] }] },
    relation: 'superset',
    intersection: { resources: [{ group: 'apps', resources: ['deployments'] }] },
  },
  {
    name: '"pods" does not match pods/log',
    rule: `${CHECKER} ruleMatchesResource: res == combinedResource`,
    a: { resources: core('pods') },
    b: { resources: core('pods/log') },
    relation: 'disjoint',
  },
  {
    name: '"pods/*" holds pods and every subresource of pods',
    rule: `${CHECKER} ruleMatchesResource: "resource/*" matches the resource part`,
    a: { resources: core('pods/*') },
    b: { resources: core('pods', 'pods/log') },
    relation: 'superset',
  },
  {
    name: '"*/log" and "pods/*" overlap in pods/log',
    rule: `${CHECKER} ruleMatchesResource: "*/subresource" and "resource/*"`,
    a: { resources: core('*/log') },
    b: { resources: core('pods/*') },
    relation: 'overlap',
    intersection: { resources: core('pods/log') },
  },
  {
    name: '"*" and an entry without resources both mean the whole group',
    rule: `${CHECKER} ruleMatchesResource: len(gr.Resources) == 0 → true; res == "*"`,
    a: { resources: core('*') },
    b: { resources: [{ group: '' }] },
    relation: 'equal',
  },
  {
    name: 'resourceNames narrow a pattern; an entry without resources ignores them',
    rule: `${CHECKER} ruleMatchesResource: hasString(gr.ResourceNames, name)`,
    a: { resources: [{ group: '', resources: ['*'], resourceNames: ['web'] }] },
    b: { resources: [{ group: '' }] },
    relation: 'subset',
  },
  {
    name: 'different resourceNames are disjoint',
    rule: `${CHECKER} ruleMatchesResource: hasString(gr.ResourceNames, name)`,
    a: { resources: [{ group: '', resources: ['configmaps'], resourceNames: ['a'] }] },
    b: { resources: [{ group: '', resources: ['configmaps'], resourceNames: ['b'] }] },
    relation: 'disjoint',
  },
  {
    name: 'a trailing "*" is a string prefix: /healthz* holds /healthz and /healthz/etcd',
    rule: `${CHECKER} pathMatches: HasSuffix(spec, "*") && HasPrefix(path, TrimRight(spec, "*"))`,
    a: { nonResourceURLs: ['/healthz*'] },
    b: { nonResourceURLs: ['/healthz', '/healthz/etcd', '/healthz/*'] },
    relation: 'superset',
  },
  {
    name: '/logs/* does not hold /logs',
    rule: `${CHECKER} pathMatches`,
    a: { nonResourceURLs: ['/logs'] },
    b: { nonResourceURLs: ['/logs/*'] },
    relation: 'disjoint',
  },
  {
    name: '/api* holds /apis*',
    rule: `${CHECKER} pathMatches: plain string prefix`,
    a: { nonResourceURLs: ['/api*'] },
    b: { nonResourceURLs: ['/apis*', '/version'] },
    relation: 'overlap',
    intersection: { nonResourceURLs: ['/apis*'] },
  },
  {
    name: 'nonResourceURLs "*" and "/*" are the same set (every path starts with "/")',
    rule: `${CHECKER} pathMatches: spec == "*" → true`,
    a: { nonResourceURLs: ['*'] },
    b: { nonResourceURLs: ['/*'] },
    relation: 'equal',
  },
  {
    name: 'a pattern that never matches a real request makes the rule match nothing',
    rule: `${CHECKER} ruleMatchesResource: "*/*" is none of the forms`,
    a: { resources: core('*/*') },
    b: {},
    relation: 'disjoint',
  },
  {
    name: 'lists in another order are the same rule',
    rule: `${CHECKER} hasString: lists are sets`,
    a: { users: ['a', 'b'], verbs: ['get', 'list'] },
    b: { users: ['b', 'a'], verbs: ['list', 'get'] },
    relation: 'equal',
  },
];

function policyOf(...rules: PolicyRule[]): Policy {
  return { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules };
}

/** Check each example request the relation gives with the evaluator. */
function checkExamples(a: PolicyRule, b: PolicyRule): void {
  const evaluator = compilePolicy(policyOf(a, b));
  const { examples } = relateRules(a, b);
  const where = (r: RequestAttributes | undefined) =>
    r && [evaluator.ruleMatches(0, r), evaluator.ruleMatches(1, r)];
  if (examples.both) expect(where(examples.both)).toEqual([true, true]);
  if (examples.onlyA) expect(where(examples.onlyA)).toEqual([true, false]);
  if (examples.onlyB) expect(where(examples.onlyB)).toEqual([false, true]);
}

describe('relations between two rules', () => {
  for (const c of cases) {
    it(`${c.name} (${c.rule})`, () => {
      const a = { level: M, ...c.a };
      const b = { level: M, ...c.b };
      const relation = relateRules(a, b);
      expect(relation.relation).toBe(c.relation);
      const mirrored = { subset: 'superset', superset: 'subset' }[c.relation as string] ?? c.relation;
      expect(relateRules(b, a).relation).toBe(mirrored);
      if (c.intersection === 'inexpressible') {
        expect(relation.inexpressible).toBe(true);
        expect(relation.examples.both?.groups.length).toBe(2);
      } else if (c.intersection) expect(relation.intersection).toEqual(c.intersection);
      checkExamples(a, b);
    });
  }
});

describe('relations against probe requests (random pairs of rules)', () => {
  it('agree with the evaluator on every probe, and every example is where it says', () => {
    const rng = seeded(11);
    let checked = 0;
    for (let k = 0; k < 300; k++) {
      const [a, b] = randomPolicy(rng, 2).rules as [PolicyRule, PolicyRule];
      const relation = relateRules(a, b);
      checkExamples(a, b);
      const pair = policyOf(a, b);
      const evaluator = compilePolicy(pair);
      const overlap = relation.intersection
        ? compilePolicy(policyOf({ level: M, ...relation.intersection }))
        : undefined;
      for (const request of probeRequests(pair, k, { perRule: 20, perPair: 20, random: 40 })) {
        const inA = evaluator.ruleMatches(0, request);
        const inB = evaluator.ruleMatches(1, request);
        if (relation.relation === 'disjoint') expect(inA && inB).toBe(false);
        if (relation.relation === 'subset' || relation.relation === 'equal') expect(!inA || inB).toBe(true);
        if (relation.relation === 'superset' || relation.relation === 'equal') expect(!inB || inA).toBe(true);
        if (overlap) expect(overlap.ruleMatches(0, request)).toBe(inA && inB);
        checked++;
      }
      // Each part a relation calls non-empty has its example, and each part it calls empty has none.
      const { examples } = relation;
      if (relation.relation !== 'disjoint') {
        expect(examples.onlyA === undefined).toBe(['subset', 'equal'].includes(relation.relation));
        expect(examples.onlyB === undefined).toBe(['superset', 'equal'].includes(relation.relation));
      }
      expect(examples.both === undefined).toBe(relation.relation === 'disjoint');
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
