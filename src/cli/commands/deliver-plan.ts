/**
 * Show or write a Plan as the output flags ask: write in place (default), --dry-run (diff),
 * --stdout / -f - (the new spec), --output json (one summary object), --detailed-exitcode.
 */
import { ExitCode } from '../../errors.js';
import { type Ctx, useColor } from '../../io.js';
import { rollingUpdateArgs } from '../../kops/client.js';
import type { Plan } from '../../plan/plan.js';
import { apiServerGroups, rollingUpdateRoles } from '../../spec/compat.js';
import { parseSpec } from '../../spec/document.js';
import type { KopsVersion } from '../../spec/kops-version.js';
import { readAuditSetup, WEBHOOK_ASSET } from '../../spec/read.js';
import { SHIP_CREDENTIALS_ASSET } from '../../spec/ship-render.js';
import { type SpecInput, specExposure, writeSpecInPlace } from '../spec-file.js';
import {
  CREDENTIALS,
  changeJson,
  credentialsWarning,
  nextSteps,
  planSummary,
  warningsText,
} from '../views/change.js';
import { colorDiff } from '../views/diff.js';
import type { OutputChoice } from './spec-flags.js';

export async function deliverPlan(
  plan: Plan,
  input: SpecInput,
  output: OutputChoice,
  ctx: Ctx,
  /** The kops version the spec was written for (--kops-version), if given. */
  kopsVersion?: KopsVersion,
): Promise<number> {
  const { stdout, stderr } = ctx.io;
  stderr.write(warningsText(plan.warnings));
  let written = false;
  switch (output.mode) {
    case 'write':
      if (plan.changed) {
        await writeSpecInPlace(input, plan.after);
        written = true;
        if (holdsWebhookCredentials(plan))
          stderr.write(credentialsWarning(plan, specExposure(input.file!), CREDENTIALS.webhook));
        if (plan.after.includes(SHIP_CREDENTIALS_ASSET))
          stderr.write(credentialsWarning(plan, specExposure(input.file!), CREDENTIALS.shipper));
      }
      if (!output.json)
        stdout.write(planSummary(plan, written) + nextSteps(plan, rollArgs(plan, kopsVersion)));
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
  if (output.json) {
    const result = !plan.changed ? 'unchanged' : written ? 'applied' : 'planned';
    stdout.write(changeJson({ plan, result, kopsVersion: kopsVersion?.text }));
  }
  return output.detailedExitcode && plan.changed ? ExitCode.CHANGES : ExitCode.OK;
}

/** The control-plane rolling update for the spec as written, for the version it was written for. */
function rollArgs(plan: Plan, kopsVersion: KopsVersion | undefined): string[] {
  const groups = apiServerGroups(parseSpec(plan.after, plan.source).instanceGroups);
  return rollingUpdateArgs(plan.cluster.name || 'CLUSTER', rollingUpdateRoles(kopsVersion, groups));
}

/** The written spec carries kops-audit's webhook kubeconfig (the name is a cheap first test). */
function holdsWebhookCredentials(plan: Plan): boolean {
  return (
    plan.after.includes(WEBHOOK_ASSET) &&
    readAuditSetup(parseSpec(plan.after, plan.source)).ourWebhook !== undefined
  );
}
