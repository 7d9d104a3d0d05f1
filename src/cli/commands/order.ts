import { ExitCode } from '../../errors.js';
import type { Ctx } from '../../io.js';
import { orderPolicy, type Prefer } from '../../policy/order.js';
import { movedRules, orderedPolicyText } from '../../policy/order-text.js';
import { readPolicyArg, writePolicyWarnings } from '../policy-arg.js';
import { orderConflictError } from '../policy-order.js';
import { policyObject } from './render.js';

export interface OrderOptions {
  policy: string;
  prefer: Prefer;
  output: 'yaml' | 'json';
}

/**
 * Compile a policy whose rules mean "the most specific rule decides" into the first-match order
 * kube-apiserver reads: the policy on stdout (YAML keeps each rule's text and comments), what moved
 * on stderr. Conflicts: nothing on stdout, each one on stderr, exit 1.
 */
export async function runOrder(options: OrderOptions, ctx: Ctx): Promise<number> {
  const { loaded, warnings } = await readPolicyArg(options.policy, ctx);
  const source = loaded.map.source;
  writePolicyWarnings(ctx, source, warnings);
  const result = orderPolicy(loaded.policy, { prefer: options.prefer });
  if (result.conflicts.length > 0 || !result.policy)
    throw orderConflictError(loaded, result.conflicts, options.prefer);

  const { stdout, stderr } = ctx.io;
  if (options.output === 'json') stdout.write(`${JSON.stringify(policyObject(result.policy), null, 2)}\n`);
  else {
    const text = orderedPolicyText(loaded, result, { prefer: options.prefer });
    stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
  if (result.unchanged) {
    stderr.write(
      `${source}: nothing moves: the rules as written already give every request the outcome of its most specific rules (--prefer ${options.prefer}).\n`,
    );
    return ExitCode.OK;
  }
  const moved = [...movedRules(result.rules)].sort((a, b) => a - b);
  const added = result.rules.flatMap((entry) => ('overlapOf' in entry ? [entry.overlapOf] : []));
  const parts: string[] = [];
  if (moved.length > 0) parts.push(`moved ${moved.map((i) => `rules[${i}]`).join(', ')} (as written)`);
  if (added.length > 0)
    parts.push(
      `added ${added.length === 1 ? 'a rule' : `${added.length} rules`} for the overlap of ${added.map(([a, b]) => `rules[${a}] and rules[${b}]`).join('; ')}`,
    );
  stderr.write(`${source}: ${parts.join('; ')} (--prefer ${options.prefer}).\n`);
  return ExitCode.OK;
}
