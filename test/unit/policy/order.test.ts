import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { largePolicy } from '../../../bench/generate-policy.mjs';
import { compilePolicy } from '../../../src/policy/evaluate.js';
import { loadPolicy } from '../../../src/policy/load.js';
import {
  type OrderResult,
  orderPolicy,
  type Prefer,
  preferredOutcome,
  quieterOf,
} from '../../../src/policy/order.js';
import { orderedPolicyText } from '../../../src/policy/order-text.js';
import type { Policy, PolicyRule, RequestAttributes } from '../../../src/policy/types.js';
import { checkOrdered, directMeaning, firstMatch } from '../../helpers/order-check.js';
import { CONFORMANCE_DIR, conformanceMissing, REPO_ROOT } from '../../helpers/paths.js';
import { probeRequests, randomPolicy, seeded, shuffled } from '../../helpers/policy-probes.js';

/**
 * `order` (issue 12): the most specific matching rules decide a request, --prefer settles the rest,
 * and the compiled first-match policy gives every request that outcome under kube-apiserver's checker
 * (checker.go LevelAndStages: the first matching rule wins). Outcomes are checked with the evaluator
 * against the meaning computed directly from the rules as written (test/helpers/order-check.ts).
 */

const M = 'Metadata' as const;
const RR = ['RequestReceived'] as PolicyRule['omitStages'];

function policyOf(rules: PolicyRule[], extra: Partial<Policy> = {}): Policy {
  return { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules, ...extra };
}

function res(overrides: Partial<RequestAttributes> = {}): RequestAttributes {
  return {
    user: 'alice',
    groups: [],
    verb: 'get',
    resourceRequest: true,
    namespace: 'default',
    apiGroup: '',
    resource: 'pods',
    subresource: '',
    name: '',
    ...overrides,
  };
}

const levelOf = (policy: Policy, request: RequestAttributes) => compilePolicy(policy).evaluate(request).level;
const overlaps = (result: OrderResult) =>
  result.rules.flatMap((entry) => ('overlapOf' in entry ? [entry.overlapOf] : []));
const writtenOrder = (result: OrderResult) =>
  result.rules.map((entry) => ('written' in entry ? entry.written : `overlap ${entry.overlapOf.join('&')}`));

function readPolicy(file: string): Policy | undefined {
  const loaded = loadPolicy(readFileSync(file, 'utf8'), file).loaded;
  if (!loaded) return undefined;
  // The YAML the command prints for it reads back as the ordered Policy, whatever --prefer, and
  // marks every added overlap rule.
  for (const prefer of ['quiet', 'verbose'] as const) {
    const result = orderPolicy(loaded.policy, { prefer });
    if (!result.policy) continue;
    const text = orderedPolicyText(loaded, result, { prefer });
    expect(loadPolicy(text, file).loaded?.policy, `${file} --prefer ${prefer}`).toEqual(result.policy);
    const marks =
      text.match(/# kops-audit order: added, the overlap of rules\[\d+\] and rules\[\d+\]/g) ?? [];
    expect(marks.length).toBe(result.rules.filter((entry) => 'overlapOf' in entry).length);
  }
  return loaded.policy;
}

const GCE = readPolicy(path.join(REPO_ROOT, 'templates/gce.yaml'))!;

describe('outcomes and --prefer', () => {
  const o = (level: PolicyRule['level'], omitStages: string[] = [], omitManagedFields = false) =>
    ({ level, omitStages, omitManagedFields }) as Parameters<typeof quieterOf>[0];
  it('quiet: lower level; at equal level the one omitting more stages; then the one omitting managedFields', () => {
    expect(quieterOf(o('None'), o('Metadata'))).toBe('a');
    expect(quieterOf(o('Request', ['RequestReceived']), o('Request'))).toBe('a');
    expect(quieterOf(o('Request', [], false), o('Request', [], true))).toBe('b');
  });
  it('stage sets that are not nested cannot be ranked; every None outcome is the same', () => {
    expect(quieterOf(o('Metadata', ['RequestReceived']), o('Metadata', ['ResponseStarted']))).toBeUndefined();
    expect(preferredOutcome([o('None', ['RequestReceived']), o('None')], 'none')).toHaveProperty('outcome');
    expect(
      preferredOutcome([o('Metadata', ['RequestReceived']), o('Metadata', ['ResponseStarted'])], 'quiet'),
    ).toHaveProperty('tie');
  });
  it('an outcome that beats both unrankable ones still wins', () => {
    const r = preferredOutcome(
      [o('Metadata', ['RequestReceived']), o('Metadata', ['ResponseStarted']), o('None')],
      'quiet',
    );
    expect(r).toEqual({ outcome: o('None') });
  });
});

describe('the cases of issue 12', () => {
  it('a narrow exception written below a broad rule decides its requests after order', () => {
    const policy = policyOf([
      { level: 'RequestResponse', resources: [{ group: '' }] },
      {
        level: 'None',
        users: ['system:kube-proxy'],
        verbs: ['watch'],
        resources: [{ group: '', resources: ['endpoints'] }],
      },
      { level: M },
    ]);
    const request = res({ user: 'system:kube-proxy', verb: 'watch', resource: 'endpoints' });
    expect(levelOf(policy, request)).toBe('RequestResponse');
    const result = orderPolicy(policy);
    expect(writtenOrder(result)).toEqual([1, 0, 2]);
    expect(levelOf(result.policy!, request)).toBe('None');
    expect(levelOf(result.policy!, res())).toBe('RequestResponse');
  });

  describe('a partial overlap (get of secrets: Metadata for secrets, Request for reads)', () => {
    const policy = policyOf([
      { level: 'Request', verbs: ['get', 'list', 'watch'], omitStages: RR },
      { level: M, resources: [{ group: '', resources: ['secrets'] }], omitStages: RR },
    ]);
    const getSecret = res({ resource: 'secrets' });
    it('goes to the quieter rule by default', () => {
      const result = orderPolicy(policy);
      expect(writtenOrder(result)).toEqual([1, 0]);
      expect(levelOf(result.policy!, getSecret)).toBe('Metadata');
      expect(levelOf(result.policy!, res())).toBe('Request');
    });
    it('goes to the more verbose rule with --prefer verbose', () => {
      const result = orderPolicy(policy, { prefer: 'verbose' });
      expect(result.unchanged).toBe(true);
      expect(levelOf(result.policy!, getSecret)).toBe('Request');
    });
    it('is a conflict with --prefer none, naming both rules and a request in their overlap', () => {
      const result = orderPolicy(policy, { prefer: 'none' });
      expect(result.policy).toBeUndefined();
      expect(result.conflicts).toHaveLength(1);
      const [conflict] = result.conflicts;
      expect(conflict).toMatchObject({ kind: 'tie', rules: [0, 1] });
      expect(compilePolicy(policy).matchingRules(conflict!.request!)).toEqual([0, 1]);
    });
  });

  it('a circle (kube-up GCE under --prefer verbose: rules 9, 12, 15 and 12, 13, 15) is settled by overlap rules', () => {
    const result = orderPolicy(GCE, { prefer: 'verbose' });
    expect(result.conflicts).toEqual([]);
    expect(overlaps(result).sort((a, b) => a[0] - b[0])).toEqual([
      [9, 12],
      [12, 13],
    ]);
    // The namespace controller's deletecollection of events: rules 9 (None) and 12 (Request) decide it,
    // and verbose gives it Request; its deletecollection of pods goes to rule 15 (RequestResponse).
    const sweep = {
      user: 'system:serviceaccount:kube-system:namespace-controller',
      verb: 'deletecollection',
    };
    expect(levelOf(result.policy!, res({ ...sweep, resource: 'events' }))).toBe('Request');
    expect(levelOf(result.policy!, res({ ...sweep, resource: 'pods' }))).toBe('RequestResponse');
    expect(levelOf(result.policy!, res({ ...sweep, resource: 'secrets' }))).toBe('Request');
    expect(levelOf(result.policy!, res({ verb: 'create', resource: 'events' }))).toBe('None');
    expect(levelOf(result.policy!, res({ verb: 'create', resource: 'secrets' }))).toBe('Metadata');
  });

  it('a circle of three small rules gets one overlap rule, the intersection of the two it names', () => {
    const policy = policyOf([
      { level: 'None', resources: [{ group: '', resources: ['events'] }] },
      { level: 'Request', users: ['sweeper'], verbs: ['deletecollection'] },
      { level: 'RequestResponse', resources: [{ group: '' }] },
    ]);
    const result = orderPolicy(policy, { prefer: 'verbose' });
    expect(overlaps(result)).toEqual([[0, 1]]);
    const added = result.rules.find((entry) => 'overlapOf' in entry)!.rule;
    expect(added).toEqual({
      level: 'Request',
      users: ['sweeper'],
      verbs: ['deletecollection'],
      resources: [{ group: '', resources: ['events'] }],
    });
    expect(checkOrdered(policy, result, 'verbose', probeRequests(policy, 1))).toEqual([]);
  });

  it('an overlap no rule can express (two userGroups) is a conflict when the order needs it', () => {
    const policy = policyOf([
      { level: 'None', userGroups: ['quiet-team'], resources: [{ group: '', resources: ['events'] }] },
      { level: 'Request', userGroups: ['sweepers'], verbs: ['deletecollection'] },
      { level: 'RequestResponse', resources: [{ group: '' }] },
    ]);
    const result = orderPolicy(policy, { prefer: 'verbose' });
    expect(result.policy).toBeUndefined();
    expect(result.conflicts[0]).toMatchObject({ kind: 'inexpressible', rules: [1, 0] });
    expect([...result.conflicts[0]!.request!.groups].sort()).toEqual(['quiet-team', 'sweepers']);
    // The same two groups without a circle need no overlap rule: an order does it.
    const noCircle = orderPolicy(policyOf(policy.rules.slice(0, 2)), { prefer: 'verbose' });
    expect(noCircle.conflicts).toEqual([]);
  });

  it('a circle that no overlap of two rules settles is a conflict, and no order of the rules works', () => {
    // Under verbose, a deletion of a named scale subresource in ns1 wants rule 4 (Request), one in
    // another namespace wants it too, a get of it in ns1 wants rule 2 (RequestResponse), and each pair's
    // overlap holds requests that want different outcomes.
    const policy = policyOf([
      { level: M, namespaces: ['ns1'] },
      { level: 'RequestResponse', namespaces: ['ns1', ''] },
      { level: 'RequestResponse', verbs: ['get', 'delete'] },
      { level: 'None', verbs: ['delete'] },
      { level: 'Request', resources: [{ group: '', resources: ['*/scale'], resourceNames: ['n2', 'n1'] }] },
    ]);
    const result = orderPolicy(policy, { prefer: 'verbose' });
    expect(result.policy).toBeUndefined();
    expect(new Set(result.conflicts.map((c) => c.kind))).toEqual(new Set(['circle']));
    for (const conflict of result.conflicts) {
      const [first, second] = conflict.rules as [number, number];
      const matching = compilePolicy(policy).matchingRules(conflict.request!);
      expect(matching).toContain(first);
      expect(matching).toContain(second);
    }
    const meaning = directMeaning(policy, 'verbose');
    const probes = probeRequests(policy, 4);
    const permute = (xs: number[]): number[][] =>
      xs.length <= 1
        ? [xs]
        : xs.flatMap((x, i) => permute([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    for (const order of permute([0, 1, 2, 3, 4])) {
      const decide = firstMatch(policyOf(order.map((i) => policy.rules[i]!)));
      const wrong = probes.some((r) => {
        const want = meaning(r);
        return 'key' in want && decide(r) !== want.key;
      });
      expect(wrong, `order ${order.join()}`).toBe(true);
    }
  });

  it('outcomes --prefer cannot rank (same level, stage sets not nested) are a conflict', () => {
    const policy = policyOf([
      { level: M, verbs: ['get'], omitStages: ['RequestReceived'] },
      { level: M, resources: [{ group: '', resources: ['pods'] }], omitStages: ['ResponseStarted'] },
    ]);
    expect(orderPolicy(policy).conflicts).toMatchObject([{ kind: 'tie', rules: [0, 1] }]);
    // A policy-wide omitStages joins both, which makes them equal.
    expect(orderPolicy({ ...policy, omitStages: ['RequestReceived', 'ResponseStarted'] }).conflicts).toEqual(
      [],
    );
  });

  it('rules at level None are one outcome whatever their stages', () => {
    const policy = policyOf([
      { level: 'None', verbs: ['get'], omitStages: ['RequestReceived'] },
      { level: 'None', resources: [{ group: '', resources: ['pods'] }] },
    ]);
    expect(orderPolicy(policy, { prefer: 'none' }).unchanged).toBe(true);
  });

  it('past its budget of combinations it reports a conflict instead of guessing', () => {
    expect(orderPolicy(GCE, { cellBudget: 100 })).toMatchObject({
      rules: [],
      conflicts: [{ kind: 'too-complex', rules: [] }],
    });
  });

  it('nothing moves when the written order already gives every request its outcome', () => {
    const result = orderPolicy(GCE, { prefer: 'quiet' });
    // Only the namespace controller's deletecollection of secrets changes: rule 13 goes above 12.
    expect(writtenOrder(result)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 12, 14, 15, 16]);
    const basic = readPolicy(path.join(REPO_ROOT, 'templates/basic.yaml'))!;
    expect(orderPolicy(basic).unchanged).toBe(true);
  });
});

/**
 * The checks of "Done when" for one policy: each prefer, several permutations of its rules. `orders`:
 * quiet and verbose must find an order (real policies); random ones may hold real conflicts.
 */
function checkPolicy(name: string, policy: Policy, seed: number, orders = true) {
  const prefers: readonly Prefer[] = ['quiet', 'verbose', 'none'];
  const rng = seeded(seed);
  const permutations = [policy.rules, [...policy.rules].reverse(), shuffled(rng, policy.rules)];
  const probes = probeRequests(policy, seed);
  for (const prefer of prefers) {
    const meaning = directMeaning(policy, prefer);
    let first: ((r: RequestAttributes) => string) | undefined;
    for (const rules of permutations) {
      const input = { ...policy, rules };
      const result = orderPolicy(input, { prefer });
      if (result.conflicts.length > 0) {
        // A conflict is real: a tie is a request whose most specific rules the meaning cannot rank.
        for (const conflict of result.conflicts) {
          expect(conflict.request, `${name} --prefer ${prefer}`).toBeDefined();
          const inBoth = conflict.rules.every((i) => compilePolicy(input).ruleMatches(i, conflict.request!));
          expect(inBoth, `${name}: the conflict's request is in both rules`).toBe(true);
          if (conflict.kind === 'tie')
            expect(directMeaning(input, prefer)(conflict.request!)).toHaveProperty('conflict');
        }
        if (orders) expect(prefer, `${name}: only --prefer none may leave conflicts`).toBe('none');
        continue;
      }
      expect(checkOrdered(input, result, prefer, probes), `${name} --prefer ${prefer}`).toEqual([]);
      // order of any permutation decides every request as order of the original.
      const decide = firstMatch(result.policy!);
      first ??= decide;
      for (const request of probes) {
        const want = meaning(request);
        if ('key' in want) expect(decide(request)).toBe(first(request));
      }
    }
  }
}

describe('every policy the tests know, in several orders, with each --prefer', () => {
  it('the templates', () => {
    checkPolicy('gce', GCE, 1);
    checkPolicy('basic', readPolicy(path.join(REPO_ROOT, 'templates/basic.yaml'))!, 2);
  });

  it('the valid test fixtures', () => {
    const dir = path.join(REPO_ROOT, 'test/fixtures/policy');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const policy = readPolicy(path.join(dir, file));
      // sql-traps.yaml is a set of traps for the SQL translation, not a policy anyone would write: its
      // rules overlap with unrankable stage sets on purpose, so it may hold real conflicts (checked).
      if (policy) checkPolicy(file, policy, 3, file !== 'sql-traps.yaml');
    }
  });

  const missing = conformanceMissing('audit-policies');
  it.skipIf(missing !== undefined)(
    'the real policies in ../shared/conformance/audit-policies',
    () => {
      const dir = path.join(CONFORMANCE_DIR, 'audit-policies');
      let valid = 0;
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
        const policy = readPolicy(path.join(dir, file));
        if (!policy) continue;
        valid++;
        checkPolicy(file, policy, valid);
      }
      expect(valid).toBeGreaterThan(40);
    },
    120_000,
  );

  it('random small policies from a seeded fuzzer', () => {
    const rng = seeded(12);
    for (let k = 0; k < 150; k++) checkPolicy(`fuzz #${k}`, randomPolicy(rng), 100 + k, false);
  }, 120_000);

  it('a 300-rule policy (bench/generate-policy.mjs), correct with each --prefer; the time is measured by the bench, not here', () => {
    const policy = largePolicy();
    const probes = probeRequests(policy, 5, { perRule: 8, perPair: 0, random: 3000 });
    for (const prefer of ['quiet', 'verbose'] as const) {
      const result = orderPolicy(policy, { prefer });
      expect(result.conflicts).toEqual([]);
      expect(checkOrdered(policy, result, prefer, probes)).toEqual([]);
    }
  }, 120_000);
});

describe('the checks themselves', () => {
  it('catch a wrong order: GCE as written is not what --prefer verbose means', () => {
    const asWritten: OrderResult = {
      rules: GCE.rules.map((rule, written) => ({ rule, written })),
      policy: GCE,
      unchanged: true,
      conflicts: [],
    };
    expect(checkOrdered(GCE, asWritten, 'verbose', probeRequests(GCE, 1)).length).toBeGreaterThan(0);
  });
});
