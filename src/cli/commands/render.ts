import { ExitCode } from '../../errors.js';
import type { Ctx } from '../../io.js';
import type { Policy } from '../../policy/types.js';
import { readPolicyArg, writePolicyWarnings } from '../policy-arg.js';
import { AS_WRITTEN, type PolicyOrder, shipPolicy } from '../policy-order.js';

export interface RenderOptions {
  policy: string;
  output: 'yaml' | 'json';
  /** `--order specific`: print the compiled policy, the one kube-apiserver would read. */
  order?: PolicyOrder;
}

/**
 * Print a policy, validated as kube-apiserver would read it. YAML is the file's own text (comments
 * kept); JSON is the decoded Policy object, with no envelope, so it can be fed to kube-apiserver as is
 * (what kube-apiserver would keep: unknown fields dropped, the last of duplicate keys).
 */
export async function runRender(options: RenderOptions, ctx: Ctx): Promise<number> {
  const read = await readPolicyArg(options.policy, ctx);
  writePolicyWarnings(ctx, read.loaded.map.source, read.warnings);
  const { loaded } = shipPolicy(read.loaded, options.order ?? AS_WRITTEN);
  if (options.output === 'json') {
    ctx.io.stdout.write(`${JSON.stringify(policyObject(loaded.policy), null, 2)}\n`);
  } else {
    ctx.io.stdout.write(loaded.text.endsWith('\n') ? loaded.text : `${loaded.text}\n`);
  }
  return ExitCode.OK;
}

/** The Policy with its fields in API order. */
export function policyObject(policy: Policy): Policy {
  const out: Policy = { apiVersion: policy.apiVersion, kind: policy.kind, rules: [] };
  if (policy.omitStages) out.omitStages = policy.omitStages;
  if (policy.omitManagedFields !== undefined) out.omitManagedFields = policy.omitManagedFields;
  out.rules = policy.rules;
  return out;
}
