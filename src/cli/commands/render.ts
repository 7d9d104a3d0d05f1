import { Option } from 'commander';
import { ExitCode } from '../../errors.js';
import type { Policy } from '../../policy/types.js';
import type { Ctx } from '../io.js';
import { POLICY_ARG_HELP, readPolicyArgWithWarnings, writePolicyWarnings } from '../policy-arg.js';
import type { DefineCommand } from './index.js';

export interface RenderOptions {
  policy: string;
  output: 'yaml' | 'json';
}

/**
 * Print a policy, validated as kube-apiserver would read it. YAML is the file's own text (comments
 * kept); JSON is the decoded Policy object, with no envelope, so it can be fed to kube-apiserver as is
 * (what kube-apiserver would keep: unknown fields dropped, the last of duplicate keys).
 */
export async function runRender(options: RenderOptions, ctx: Ctx): Promise<number> {
  const { loaded, warnings } = await readPolicyArgWithWarnings(options.policy, ctx);
  writePolicyWarnings(ctx, loaded.map.source, warnings);
  if (options.output === 'json') {
    ctx.io.stdout.write(`${JSON.stringify(policyObject(loaded.policy), null, 2)}\n`);
  } else {
    ctx.io.stdout.write(loaded.text.endsWith('\n') ? loaded.text : `${loaded.text}\n`);
  }
  return ExitCode.OK;
}

/** The Policy with its fields in API order. */
function policyObject(policy: Policy): Policy {
  const out: Policy = { apiVersion: policy.apiVersion, kind: policy.kind, rules: [] };
  if (policy.omitStages) out.omitStages = policy.omitStages;
  if (policy.omitManagedFields !== undefined) out.omitManagedFields = policy.omitManagedFields;
  out.rules = policy.rules;
  return out;
}

export const defineRender: DefineCommand = (program, ctx, finish) => {
  program
    .command('render')
    .description('print an audit policy (basic, gce, or your file), checked as kube-apiserver would read it')
    .addOption(new Option('--policy <policy>', POLICY_ARG_HELP).default('basic'))
    .addOption(
      new Option('-o, --output <format>', 'yaml: the file as written; json: the Policy object')
        .choices(['yaml', 'json'])
        .default('yaml'),
    )
    .action(async (opts: { policy: string; output: 'yaml' | 'json' }) => {
      finish(await runRender({ policy: opts.policy, output: opts.output }, ctx));
    });
};
