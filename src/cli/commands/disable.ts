/**
 * `kops-audit disable -f FILE|-`: remove exactly what `enable` added, leaving the rest of the spec as
 * it was. `disable <cluster>` goes to cluster mode.
 */
import type { Command } from 'commander';
import { planDisable } from '../../plan/plan.js';
import type { Ctx } from '../io.js';
import { readSpecInput } from '../spec-file.js';
import { clusterModeOptions, runClusterMode } from './cluster-mode.js';
import { deliverPlan } from './deliver-plan.js';
import { requireTarget } from './enable.js';
import type { DefineCommand } from './index.js';
import { type OutputChoice, outputOptions, parseOutputChoice, type RawOutputFlags } from './spec-flags.js';

export interface DisableArgs {
  filename: string;
  output: OutputChoice;
}

export function parseDisableArgs(raw: RawOutputFlags & { filename: string }): DisableArgs {
  return { filename: raw.filename, output: parseOutputChoice(raw) };
}

export async function runDisable(args: DisableArgs, ctx: Ctx): Promise<number> {
  const input = await readSpecInput(args.filename, ctx);
  const plan = planDisable(input.text, { source: input.source });
  return deliverPlan(plan, input, args.output, ctx);
}

export const defineDisable: DefineCommand = (program, ctx, finish) => {
  const command: Command = program
    .command('disable')
    .description('remove what `enable` added to a kops cluster spec (file mode: -f FILE or -f -)')
    .argument('[cluster]', 'a cluster name, for cluster mode (through kops)')
    .option('-f, --filename <file>', 'the kops spec to change; - for stdin/stdout');
  for (const option of [...outputOptions(), ...clusterModeOptions('disable')]) command.addOption(option);
  command.action(async (cluster: string | undefined, raw: RawOutputFlags) => {
    requireTarget('disable', raw.filename, cluster);
    if (cluster !== undefined) {
      finish(
        await runClusterMode({ command: 'disable', cluster, flags: raw as Record<string, unknown> }, ctx),
      );
      return;
    }
    finish(await runDisable(parseDisableArgs({ ...raw, filename: raw.filename! }), ctx));
  });
};
