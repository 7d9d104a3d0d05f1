/**
 * Cluster mode for people: the plan (changes, diff, steps), progress while the steps run, and what
 * to do after a failure. The changes use the same lines as file mode (change.ts).
 */
import type { ApplyEvent, ApplyResult } from '../../apply/apply-change.js';
import type { ClusterChangePlan, ClusterStep } from '../../apply/cluster-plan.js';
import { ConflictError, ExitCode, InterruptedError, KopsAuditError, KopsError } from '../../errors.js';
import { kopsArgv, rollingUpdateArgs, shellCommand, updateArgs } from '../../kops/client.js';
import { auditDestinations, changeLines, type StepReport } from './change.js';
import { colorDiff } from './diff.js';
import type { QuietStepTicker } from './quiet-step-ticker.js';

export function stepTitle(step: ClusterStep, plan: ClusterChangePlan): string {
  switch (step.name) {
    case 'backup':
      return `Back up the current spec to ${plan.backupDir}`;
    case 'verify':
      return 'Re-read the spec and check nobody changed it since the plan';
    case 'replace':
      return 'Replace the cluster spec';
    case 'update':
      return 'Apply the spec to the cloud';
    case 'rolling-update':
      return `Roll the nodes that run kube-apiserver (${plan.rollGroups.join(', ') || 'none found'})`;
  }
}

/** The command line of a step, as a user would paste it. */
export function stepCommand(step: ClusterStep, plan: ClusterChangePlan): string | undefined {
  return step.argv === undefined ? undefined : shellCommand(plan.kops, step.argv);
}

/** A kops command of this plan's kops binary and state store, e.g. the rolling update to run later. */
function kopsCommand(plan: ClusterChangePlan, args: readonly string[]): string {
  return shellCommand(plan.kops, kopsArgv(plan.state, args));
}

export function clusterPlanText(plan: ClusterChangePlan, color: boolean): string {
  const { spec } = plan;
  let text = `${plan.action === 'enable' ? 'Enable' : 'Disable'} audit logging on ${plan.cluster} (kops ${plan.kopsVersion.text})\n`;
  if (spec.changed) {
    text += `\nChanges to the cluster spec:\n${changeLines(spec)}`;
    text += `\n${colorDiff(spec.diff, color)}${spec.diff.endsWith('\n') ? '' : '\n'}`;
  } else {
    text += `\nThe spec already has these settings; ${plan.pending === 'update' ? 'kops has changes to apply to the cloud' : 'the control plane has not been rolled yet'}.\n`;
  }
  for (const w of spec.warnings) text += `Warning: ${w}\n`;
  text += '\nSteps:\n';
  plan.steps.forEach((step, i) => {
    const command = stepCommand(step, plan);
    text += `  ${i + 1}. ${stepTitle(step, plan)}${command ? `\n     $ ${command}` : ''}\n`;
  });
  return text;
}

export function nothingToDoText(plan: ClusterChangePlan): string {
  return `${plan.cluster}: the spec already has these audit settings and kops reports nothing pending. Nothing to do.\n`;
}

export function elapsed(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)}s`
    : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/**
 * Renders the steps' events on `ticker.tracked` (stderr): a header per step, its command, kops'
 * own output as it comes, and how long it took. At a terminal, quiet steps get a line now and then.
 */
export function progressObserver(plan: ClusterChangePlan, ticker: QuietStepTicker, now: () => number) {
  const out = ticker.tracked;
  return (event: ApplyEvent): void => {
    switch (event.type) {
      case 'step-started': {
        out.write(`\n==> [${event.index + 1}/${plan.steps.length}] ${stepTitle(event.step, plan)}\n`);
        const command = stepCommand(event.step, plan);
        if (command) out.write(`    $ ${command}\n`);
        ticker.start(event.step.name, now());
        return;
      }
      case 'kops-output':
        out.write(event.text);
        return;
      case 'backup-written':
        out.write(`    backup: ${event.file}\n`);
        return;
      case 'step-done':
        ticker.stop();
        out.write(`    done in ${elapsed(event.ms)}\n`);
        return;
      case 'step-failed':
        ticker.stop();
        return;
    }
  };
}

/** What is true once every step ran. */
export function appliedText(plan: ClusterChangePlan, result: ApplyResult): string {
  let text = '';
  if (plan.action === 'disable') {
    text += `\nAudit logging settings written by kops-audit are removed from ${plan.cluster}.\n`;
  } else {
    const where = auditDestinations(plan.spec.after, plan.spec.source);
    const to = where.length > 0 ? `: kube-apiserver sends audit events to ${where.join(' and ')}` : '';
    text += plan.rollingUpdate
      ? `\nAudit logging is on for ${plan.cluster}${to}.\n`
      : `\nAudit settings are applied to ${plan.cluster}${to} after the rolling update.\n`;
  }
  if (result.backup) text += `The previous spec is backed up at ${result.backup}\n`;
  if (!plan.rollingUpdate) {
    text += `The control plane still runs the old settings. Roll it when convenient:\n  ${kopsCommand(plan, rollingUpdateArgs(plan.cluster, plan.rollRoles))}\n`;
  }
  return text;
}

export function stepReports(plan: ClusterChangePlan, result?: ApplyResult): StepReport[] {
  return plan.steps.map((step, i) => {
    const outcome = result?.outcomes[i];
    return {
      name: step.name,
      command: stepCommand(step, plan) ?? null,
      status: outcome?.status ?? 'pending',
      seconds: outcome?.ms === undefined ? null : outcome.ms / 1000,
    };
  });
}

/**
 * The error for a failed or interrupted step: which step, where the spec stands, the backup, and the
 * commands that resume (`resume`, what the user ran plus --yes) or undo.
 */
export function stepFailure(plan: ClusterChangePlan, result: ApplyResult, resume: string): KopsAuditError {
  const { index, error } = result.failure!;
  const step = plan.steps[index]!;
  const cause = error instanceof Error ? error.message : String(error);
  const replaced = result.outcomes.some((o) => o.step.name === 'replace' && o.status === 'done');
  const where = `Step ${index + 1} of ${plan.steps.length} (${stepTitle(step, plan).replace(/ \(.*$/, '')})`;
  const state = replaced
    ? 'The new spec is in the state store.'
    : step.name === 'replace' && error instanceof InterruptedError
      ? // kops writes the Cluster object in one piece: it is the old spec or the new one, never half.
        'kops was stopped while replacing the spec, so the state store holds either the old or the new spec (never a mix); running again checks which.'
      : plan.steps.some((s) => s.name === 'replace')
        ? 'The spec in the state store was not changed.'
        : 'The spec already had these settings.';
  const saved = result.backup ? ` The previous spec is backed up at ${result.backup}.` : '';
  const undo = result.backup
    ? ` Undo: \`${kopsCommand(plan, ['replace', '-f', result.backup])} && ${kopsCommand(plan, updateArgs(plan.cluster))} && ${kopsCommand(plan, rollingUpdateArgs(plan.cluster, plan.rollRoles))}\`.`
    : '';
  const hint = `Resume: \`${resume}\` (it skips what is done).${undo}`;
  if (error instanceof InterruptedError) {
    return new InterruptedError(`${where} was interrupted. ${state}${saved}`, {
      hint,
      cause: error,
      exitCode: error.exitCode,
    });
  }
  if (error instanceof ConflictError) {
    const conflictHint =
      step.name === 'replace'
        ? `Find out who else changed the cluster and check its spec (\`${kopsCommand(plan, ['get', 'cluster', '--name', plan.cluster, '-o', 'yaml'])}\`); then run \`${resume}\` again.`
        : `Review the change and run \`${resume}\` again to plan against the current spec.`;
    return new ConflictError(`${cause}${saved}`, { hint: conflictHint, cause: error });
  }
  const exitCode = error instanceof KopsAuditError ? error.exitCode : ExitCode.ERROR;
  // The cause may end without a full stop (kops' own line): keep the sentences apart.
  const sentence = /[.!?]$/.test(cause) ? cause : `${cause}.`;
  return new KopsError(`${where} failed: ${sentence} ${state}${saved}`, { hint, exitCode, cause: error });
}
