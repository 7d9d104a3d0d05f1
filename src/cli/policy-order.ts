/**
 * `--order written|specific` and `--prefer` wherever a policy is read (issue 12): the policy as
 * written, or compiled most-specific first into the first-match order kube-apiserver reads. Every
 * command then works on the compiled policy, the one that would be shipped, and can say where each
 * of its rules was written.
 */
import { PolicyError } from '../errors.js';
import { loadPolicyOrThrow } from '../policy/load.js';
import { type OrderConflict, type OrderedRule, orderPolicy, type Prefer } from '../policy/order.js';
import { orderedPolicyText } from '../policy/order-text.js';
import type { LoadedPolicy } from '../policy/types.js';
import type { PolicyOrder } from './define/flags.js';
import { conflictDiagnostics } from './views/order.js';

export { AS_WRITTEN, type PolicyOrder } from './define/flags.js';

/** The policy as shipped, and, when compiled, where each of its rules comes from. */
export interface ShippedPolicy {
  /** What kube-apiserver reads: text, model, and lines in that text. */
  loaded: LoadedPolicy;
  /** Present when compiled: the file as written, and each shipped rule's origin. */
  compiled?: { asWritten: LoadedPolicy; rules: OrderedRule[]; unchanged: boolean };
}

/** The PolicyError of a policy `order` cannot compile: every conflict as a diagnostic. */
export function orderConflictError(
  loaded: LoadedPolicy,
  conflicts: readonly OrderConflict[],
  prefer: Prefer,
): PolicyError {
  const source = loaded.map.source;
  const count = conflicts.length === 1 ? '1 conflict' : `${conflicts.length} conflicts`;
  return new PolicyError(
    `${source}: no first-match order gives every request the outcome of its most specific rules (${count}, --prefer ${prefer}).`,
    conflictDiagnostics(loaded, conflicts, prefer),
    {
      hint: 'Narrow a rule, write the overlap of two rules as a rule of its own, or choose --prefer quiet or verbose; then run kops-audit order again.',
      source,
    },
  );
}

/** The policy to work on under `order`: as written, or compiled (a PolicyError on conflicts). */
export function shipPolicy(loaded: LoadedPolicy, order: PolicyOrder): ShippedPolicy {
  if (order.order === 'written') return { loaded };
  const result = orderPolicy(loaded.policy, { prefer: order.prefer });
  if (result.conflicts.length > 0 || !result.policy)
    throw orderConflictError(loaded, result.conflicts, order.prefer);
  const text = orderedPolicyText(loaded, result, { prefer: order.prefer });
  return {
    loaded: loadPolicyOrThrow(text, loaded.map.source),
    compiled: { asWritten: loaded, rules: result.rules, unchanged: result.unchanged },
  };
}
