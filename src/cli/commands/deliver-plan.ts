/**
 * Show or write a Plan as the output flags ask: write in place (default), --dry-run (diff),
 * --stdout / -f - (the new spec), --output json (one summary object), --detailed-exitcode.
 */
import { ExitCode } from '../../errors.js';
import { type Ctx, useColor } from '../../io.js';
import type { Plan } from '../../plan/plan.js';
import { type SpecInput, writeSpecInPlace } from '../spec-file.js';
import { colorDiff } from '../views/diff.js';
import { nextSteps, planJson, planSummary, warningsText } from '../views/plan.js';
import type { OutputChoice } from './spec-flags.js';

export async function deliverPlan(
  plan: Plan,
  input: SpecInput,
  output: OutputChoice,
  ctx: Ctx,
): Promise<number> {
  const { stdout, stderr } = ctx.io;
  stderr.write(warningsText(plan.warnings));
  let written = false;
  switch (output.mode) {
    case 'write':
      if (plan.changed) {
        await writeSpecInPlace(input, plan.after);
        written = true;
      }
      if (!output.json) stdout.write(planSummary(plan, written) + nextSteps(plan));
      break;
    case 'dry-run':
      if (!output.json) {
        if (plan.changed) stdout.write(colorDiff(plan.diff, useColor(stdout, ctx.env)));
        stdout.write(plan.changed ? `\n${planSummary(plan, false)}` : planSummary(plan, false));
      }
      break;
    case 'stdout':
    case 'pipe':
      // The new spec is the output; people read the summary on stderr.
      stdout.write(plan.after);
      stderr.write(planSummary(plan, true, true));
      break;
  }
  if (output.json) stdout.write(planJson(plan, written));
  return output.detailedExitcode && plan.changed ? ExitCode.CHANGES : ExitCode.OK;
}
