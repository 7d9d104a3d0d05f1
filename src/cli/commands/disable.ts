import type { Ctx } from '../../io.js';
import { planDisable } from '../../plan/plan.js';
import { readSpecInput } from '../spec-file.js';
import { deliverPlan } from './deliver-plan.js';
import { type OutputChoice, parseOutputChoice, type RawOutputFlags } from './spec-flags.js';

export interface DisableArgs {
  filename: string;
  output: OutputChoice;
}

export function parseDisableArgs(raw: RawOutputFlags & { filename: string }): DisableArgs {
  return { filename: raw.filename, output: parseOutputChoice(raw) };
}

export async function runDisable(args: DisableArgs, ctx: Ctx): Promise<number> {
  const input = await readSpecInput(args.filename, ctx, 'disable');
  const plan = planDisable(input.text, { source: input.source });
  return deliverPlan(plan, input, args.output, ctx);
}
