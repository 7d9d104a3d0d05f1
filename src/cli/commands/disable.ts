import type { Ctx } from '../../io.js';
import { planDisable } from '../../plan/plan.js';
import { readSpecInput } from '../spec-file.js';
import { runClusterChange } from './cluster-change.js';
import { parseClusterChangeOptions, type RawClusterFlags } from './cluster-options.js';
import { deliverPlan } from './deliver-plan.js';
import { type OutputChoice, parseOutputChoice, type RawOutputFlags, requireTarget } from './spec-flags.js';

export interface DisableArgs {
  filename: string;
  output: OutputChoice;
}

/** `disable -f FILE` (file mode) or `disable CLUSTER` (cluster mode, through kops). */
export async function runDisableCommand(
  cluster: string | undefined,
  raw: RawOutputFlags & RawClusterFlags,
  ctx: Ctx,
): Promise<number> {
  const filename = requireTarget('disable', raw.filename, cluster);
  if (filename !== undefined) return runDisable(parseDisableArgs({ ...raw, filename }), ctx);
  return runClusterChange({ action: 'disable' }, parseClusterChangeOptions('disable', cluster!, raw), ctx);
}

export function parseDisableArgs(raw: RawOutputFlags & { filename: string }): DisableArgs {
  return { filename: raw.filename, output: parseOutputChoice(raw) };
}

export async function runDisable(args: DisableArgs, ctx: Ctx): Promise<number> {
  const input = await readSpecInput(args.filename, ctx, 'disable');
  const plan = planDisable(input.text, { source: input.source });
  return deliverPlan(plan, input, args.output, ctx);
}
