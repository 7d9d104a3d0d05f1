/** How a Plan looks to a person (a summary) and to a script (one JSON object). */
import type { Change, Plan } from '../../plan/plan.js';
import { toJsonLine } from '../output.js';

const SIGN: Record<Change['action'], string> = { add: '+', update: '~', remove: '-' };

export function describeChange(change: Change): string {
  const verb = change.action;
  if (change.action === 'add') return `${SIGN[verb]} ${verb} ${change.target}: ${change.after}`;
  if (change.action === 'remove') return `${SIGN[verb]} ${verb} ${change.target} (was ${change.before})`;
  return `${SIGN[verb]} ${verb} ${change.target}: ${change.before} -> ${change.after}`;
}

/** What was done (`done`: written, or printed as the new spec) or would be, one change per line. */
export function planSummary(plan: Plan, done: boolean, printed = false): string {
  const cluster = `cluster ${plan.cluster.name || '(unnamed)'}`;
  // --stdout with a file: the change is in the copy on stdout; the file itself is left as it was.
  const where =
    plan.source === '-'
      ? `the spec from stdin (${cluster})`
      : printed
        ? `the copy of ${plan.source} printed on stdout (${cluster}; the file is unchanged)`
        : `${plan.source} (${cluster})`;
  if (!plan.changed) {
    return plan.action === 'enable'
      ? `No changes: ${where} already has this audit setup.\n`
      : `No changes: ${where} has no audit setup written by kops-audit.\n`;
  }
  const head = done
    ? `${plan.action === 'enable' ? 'Enabled' : 'Disabled'} audit logging in ${where}:`
    : `Would ${plan.action} audit logging in ${where}:`;
  return `${head}\n${plan.changes.map((c) => `  ${describeChange(c)}\n`).join('')}`;
}

/** The next steps after a spec file was written. */
export function nextSteps(plan: Plan): string {
  if (!plan.changed || plan.source === '-') return '';
  const name = plan.cluster.name || 'CLUSTER';
  return (
    `Apply it with:\n  kops replace -f ${plan.source}\n  kops update cluster --name ${name} --yes\n` +
    `  kops rolling-update cluster --name ${name} --instance-group-roles=master --yes\n`
  );
}

/** One versioned JSON object; never the spec text itself (it may hold webhook credentials). */
export function planJson(plan: Plan, written: boolean): string {
  return toJsonLine({
    action: plan.action,
    source: plan.source,
    cluster: plan.cluster,
    changed: plan.changed,
    written,
    changes: plan.changes,
    warnings: plan.warnings,
    diff: plan.diff,
  });
}

export function warningsText(warnings: readonly string[]): string {
  return warnings.map((w) => `Warning: ${w}\n`).join('');
}
