import { compilePolicy } from '../../src/policy/evaluate.js';
import { loadPolicy } from '../../src/policy/load.js';
import { relateRules } from '../../src/policy/match-set.js';
import type { OrderResult, Prefer } from '../../src/policy/order.js';
import type { Policy, PolicyRule, RequestAttributes } from '../../src/policy/types.js';

export { pick, probeRequests, randomPolicy, seeded, shuffled } from './policy-probes.js';

/**
 * The checks of issue 12's "Done when", written apart from src/policy/order.ts: probe requests built
 * from the values a policy names (plus values it does not), the most-specific meaning computed
 * directly from the rules as written, and the first-match outcome of the ordered policy from the
 * existing evaluator (checker.go semantics).
 */

const LEVEL_ORDER = ['None', 'Metadata', 'Request', 'RequestResponse'];

interface Outcome {
  level: string;
  stages: string[];
  omf: boolean;
}

/** Outcome of a rule (policy omitStages with the rule's; the rule's omitManagedFields, else the policy's). */
function outcomeOfRule(policy: Policy, rule: PolicyRule): Outcome {
  return {
    level: rule.level,
    stages: [...new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])])].sort(),
    omf: rule.omitManagedFields ?? policy.omitManagedFields ?? false,
  };
}

export function keyOf(o: { level: string; stages: readonly string[]; omf: boolean }): string {
  return o.level === 'None' ? 'None' : `${o.level}|${[...o.stages].sort().join(',')}|${o.omf}`;
}

/** 1: a records more, -1: less, 0: equal, NaN: not comparable. */
function compareRecording(a: Outcome, b: Outcome): number {
  if (keyOf(a) === keyOf(b)) return 0;
  const la = LEVEL_ORDER.indexOf(a.level);
  const lb = LEVEL_ORDER.indexOf(b.level);
  if (la !== lb) return la < lb ? -1 : 1;
  const aHasAllOfB = b.stages.every((s) => a.stages.includes(s));
  const bHasAllOfA = a.stages.every((s) => b.stages.includes(s));
  if (aHasAllOfB && !bHasAllOfA) return -1; // a omits more: records less
  if (bHasAllOfA && !aHasAllOfB) return 1;
  if (!aHasAllOfB && !bHasAllOfA) return Number.NaN;
  return a.omf ? -1 : 1;
}

/** a ⊊ b by the exact relation, remembered per pair of rule objects (permutations share them). */
const subsetMemo = new WeakMap<PolicyRule, WeakMap<PolicyRule, boolean>>();
function strictSubset(a: PolicyRule, b: PolicyRule): boolean {
  const row = subsetMemo.get(a) ?? new WeakMap<PolicyRule, boolean>();
  subsetMemo.set(a, row);
  const known = row.get(b) ?? relateRules(a, b).relation === 'subset';
  row.set(b, known);
  return known;
}

export type Meaning = (
  request: RequestAttributes,
) => { key: string; deciding: number[] } | { conflict: number[] };

/**
 * The meaning of issue 12, directly: the rules that match, the most specific of them by the exact
 * subset relation, and --prefer among their outcomes.
 */
export function directMeaning(policy: Policy, prefer: Prefer): Meaning {
  const rules = policy.rules;
  const evaluator = compilePolicy(policy);
  const strictlyInside: boolean[][] = rules.map((a) => rules.map((b) => a !== b && strictSubset(a, b)));
  const outcomes = rules.map((r) => outcomeOfRule(policy, r));
  return (request) => {
    const matching = evaluator.matchingRules(request);
    if (matching.length === 0) return { key: 'None', deciding: [] };
    const deciding = matching.filter((i) => !matching.some((j) => strictlyInside[j]![i]));
    const distinct = [...new Map(deciding.map((i) => [keyOf(outcomes[i]!), outcomes[i]!])).values()];
    if (distinct.length === 1) return { key: keyOf(distinct[0]!), deciding };
    if (prefer === 'none') return { conflict: deciding };
    const want = prefer === 'quiet' ? -1 : 1;
    const winner = distinct.find((w) => distinct.every((o) => o === w || compareRecording(w, o) === want));
    return winner ? { key: keyOf(winner), deciding } : { conflict: deciding };
  };
}

/** The first-match outcome key of a policy for a request, from the evaluator. */
export function firstMatch(policy: Policy): (request: RequestAttributes) => string {
  const evaluator = compilePolicy(policy);
  return (request) => {
    const e = evaluator.evaluate(request);
    return keyOf({ level: e.level, stages: e.omitStages, omf: e.omitManagedFields });
  };
}

// --- the checks -----------------------------------------------------------------------------------

export interface Failure {
  request: RequestAttributes;
  want: string;
  got: string;
}

/**
 * What "Done when" asks of an ordered policy, returned as a list of problems (empty: all good):
 * every input rule unchanged and nothing else but overlap rules, each the intersection of the two
 * rules it names, and every probe given the outcome the meaning computes.
 */
export function checkOrdered(
  input: Policy,
  result: OrderResult,
  prefer: Prefer,
  probes: readonly RequestAttributes[],
): string[] {
  const problems: string[] = [];
  if (!result.policy) return ['no policy'];
  const output = result.policy;
  // Valid as kube-apiserver reads it (checked on its JSON, which is YAML to the reader).
  const reread = loadPolicy(JSON.stringify(output), 'ordered').loaded;
  if (!reread) problems.push('the ordered policy is not valid');
  const written = result.rules.flatMap((e) => ('written' in e ? [e.written] : []));
  if ([...written].sort((a, b) => a - b).join() !== input.rules.map((_r, i) => i).join())
    problems.push(`input rules not each kept once: ${written.join()}`);
  result.rules.forEach((entry, i) => {
    if (output.rules[i] !== entry.rule) problems.push(`policy rule ${i} is not the ordered entry`);
    if ('written' in entry && JSON.stringify(entry.rule) !== JSON.stringify(input.rules[entry.written]))
      problems.push(`rules[${entry.written}] changed`);
  });
  const meaning = directMeaning(input, prefer);
  const decide = firstMatch(output);
  const overlaps = result.rules.flatMap((e, i) => ('overlapOf' in e ? [{ i, of: e.overlapOf }] : []));
  const inputEval = compilePolicy(input);
  const outputEval = compilePolicy(output);
  for (const request of probes) {
    const want = meaning(request);
    if ('conflict' in want) {
      problems.push(
        `meaning has a conflict the order missed: ${JSON.stringify(request)} rules ${want.conflict.join()}`,
      );
      continue;
    }
    const got = decide(request);
    if (got !== want.key)
      problems.push(
        `${JSON.stringify(request)}: wants ${want.key} (rules ${want.deciding.join()}), gets ${got}`,
      );
    for (const { i, of } of overlaps) {
      const inBoth = inputEval.ruleMatches(of[0], request) && inputEval.ruleMatches(of[1], request);
      if (outputEval.ruleMatches(i, request) !== inBoth)
        problems.push(
          `overlap rule ${i} of rules[${of[0]}] and rules[${of[1]}] differs from their intersection on ${JSON.stringify(request)}`,
        );
    }
    if (problems.length > 20) break;
  }
  return problems;
}
