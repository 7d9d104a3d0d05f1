import type { Diagnostic } from '../../errors.js';
import type { OrderConflict, Prefer } from '../../policy/order.js';
import { describeOutcome } from '../../policy/order-text.js';
import type { LoadedPolicy } from '../../policy/types.js';
import { describeRequest } from './explain.js';

/**
 * Each conflict of `kops-audit order` as a Diagnostic: both rules with their lines, a request in
 * their overlap, the two outcomes, and what would settle it.
 */
export function conflictDiagnostics(
  loaded: LoadedPolicy,
  conflicts: readonly OrderConflict[],
  prefer: Prefer,
): Diagnostic[] {
  const { map } = loaded;
  const rule = (i: number) => {
    const line = map.ruleLines[i];
    return `rules[${i}]${line ? ` (line ${line})` : ''}`;
  };
  return conflicts.map((conflict) => {
    if (conflict.kind === 'too-complex' || conflict.rules.length === 0) {
      return {
        severity: 'error',
        code: 'ORDER_TOO_COMPLEX',
        message:
          'the rules name too many users, groups, verbs and resources in combination for kops-audit to check every kind of request exactly, and it does not guess',
        fix: 'split the policy, or order it by hand (first match wins)',
      };
    }
    const [a, b] = conflict.rules;
    const [outA, outB] = conflict.outcomes!;
    const pair = `${describeOutcome(outA)}, and ${rule(b)}, ${describeOutcome(outB)},`;
    const request = conflict.request ? describeRequest(conflict.request) : 'a request both match';
    const line = map.ruleLines[a];
    const at = { field: `rules[${a}]`, ...(line ? { line } : {}) };
    switch (conflict.kind) {
      case 'tie':
        return {
          severity: 'error',
          code: 'ORDER_TIE',
          ...at,
          message:
            prefer === 'none'
              ? `${pair} both decide requests such as: ${request}. Neither rule is more specific than the other, and --prefer none does not choose.`
              : `${pair} both decide requests such as: ${request}. Neither rule is more specific than the other, and --prefer ${prefer} cannot rank the two: the same level, and neither omits every stage the other omits.`,
          fix:
            prefer === 'none'
              ? `narrow one of the two rules so they no longer overlap, write a rule for their overlap explicitly (it is more specific than both), or choose --prefer quiet or --prefer verbose`
              : 'narrow one of the two rules so they no longer overlap, write a rule for their overlap explicitly, or give both the same omitStages',
        };
      case 'inexpressible': {
        const wanted = conflict.wanted ? `, which should get ${describeOutcome(conflict.wanted)}` : '';
        return {
          severity: 'error',
          code: 'ORDER_OVERLAP_INEXPRESSIBLE',
          ...at,
          message: `${pair} overlap on requests such as: ${request}${wanted}. No order of the rules gives every request its outcome, and the rule for their overlap that would settle it cannot be written: a request can carry a group of each rule, and userGroups matches any one of its groups.`,
          fix: `narrow one of the two rules (users, verbs, resources) so the overlap goes, or choose another --prefer than ${prefer}`,
        };
      }
      default:
        return {
          severity: 'error',
          code: 'ORDER_CIRCLE',
          ...at,
          message: `${describeOutcome(outA)}, should decide requests such as: ${request}, so it must come before ${rule(b)}, ${describeOutcome(outB)}; but ${rule(b)} must come first for other requests, directly or through other rules. No order does both, and no rule for the overlap of two rules settles it.`,
          fix: `narrow one of the two rules so the overlap goes, write rules for the overlapping requests explicitly, or choose another --prefer than ${prefer}`,
        };
    }
  });
}
