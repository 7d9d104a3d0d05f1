/**
 * How a change to a spec looks, in file mode and cluster mode alike: the same lines for the same
 * changes, and one JSON shape (CHANGE_JSON_VERSION) whose cluster-mode keys are empty in file mode.
 */

import type { KopsAuditError } from '../../errors.js';
import { shellCommand } from '../../kops/client.js';
import type { Change, Plan } from '../../plan/plan.js';
import { parseSpec } from '../../spec/document.js';
import { fieldString, readAuditSetup, WEBHOOK_ASSET } from '../../spec/read.js';
import { readShipSetup } from '../../spec/ship.js';
import { SHIP_CREDENTIALS_ASSET } from '../../spec/ship-render.js';
import { errorJson, toJsonLine } from '../output.js';
import type { SpecExposure } from '../spec-file.js';

/** Version 2: file and cluster mode share `result`, `kopsVersion`, `steps`, `backup`, `auditDestinations`. */
export const CHANGE_JSON_VERSION = 2;

const SIGN: Record<Change['action'], string> = { add: '+', update: '~', remove: '-' };

export function describeChange(change: Change): string {
  const verb = change.action;
  if (change.action === 'add') return `${SIGN[verb]} ${verb} ${change.target}: ${change.after}`;
  if (change.action === 'remove') return `${SIGN[verb]} ${verb} ${change.target} (was ${change.before})`;
  return `${SIGN[verb]} ${verb} ${change.target}: ${change.before} -> ${change.after}`;
}

/** Every change of a plan, one indented line each. */
export function changeLines(plan: Plan): string {
  return plan.changes.map((c) => `  ${describeChange(c)}\n`).join('');
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
  return `${head}\n${changeLines(plan)}`;
}

/**
 * The kops commands that apply a written spec file. `rollArgs` is the control-plane rolling update
 * for the kops version the spec was written for (compat.ts rollingUpdateRoles).
 */
export function nextSteps(plan: Plan, rollArgs: readonly string[]): string {
  if (!plan.changed || plan.source === '-') return '';
  const name = plan.cluster.name || 'CLUSTER';
  return (
    `Apply it with:\n  ${shellCommand('kops', ['replace', '-f', plan.source])}\n` +
    `  ${shellCommand('kops', ['update', 'cluster', '--name', name, '--yes'])}\n` +
    `  ${shellCommand('kops', rollArgs)}\n`
  );
}

/** Credentials a written spec file can hold, and what a reader of them could do. */
export const CREDENTIALS = {
  webhook: {
    what: `the webhook's credentials (the kubeconfig in file asset ${WEBHOOK_ASSET})`,
    risk: 'can authenticate to your audit webhook as kube-apiserver',
  },
  shipper: {
    what: `the log shipper's credentials (file asset ${SHIP_CREDENTIALS_ASSET})`,
    risk: 'can write to your log destination',
  },
} as const;

/**
 * A spec file that now holds credentials where others can read them: why that matters, and the ways to
 * keep them out. Empty when nobody else can.
 */
export function credentialsWarning(
  plan: Plan,
  exposure: SpecExposure,
  credentials: (typeof CREDENTIALS)[keyof typeof CREDENTIALS],
): string {
  const where: string[] = [];
  if (exposure.readableMode !== undefined) {
    where.push(`readable by group or others (mode ${exposure.readableMode.toString(8).padStart(4, '0')})`);
  }
  if (exposure.gitWorkTree !== undefined) {
    where.push(`inside the git work tree ${exposure.gitWorkTree}, where a commit keeps them for good`);
  }
  if (where.length === 0) return '';
  const fixes = [
    ...(exposure.readableMode !== undefined ? [`\`${shellCommand('chmod', ['600', plan.source])}\``] : []),
    ...(exposure.gitWorkTree !== undefined ? ['keep the file out of git'] : []),
  ];
  return warningsText([
    `${plan.source} now holds ${credentials.what} and is ${where.join(', and ')}: whoever reads them ${credentials.risk}. To keep them out of files, enable in cluster mode (\`kops-audit enable ${plan.cluster.name || 'CLUSTER'} ...\`), which gives the spec only to kops' state store; or ${fixes.join(' and ')}.`,
  ]);
}

export function warningsText(warnings: readonly string[]): string {
  return warnings.map((w) => `Warning: ${w}\n`).join('');
}

/**
 * What became of a change: `applied` (written to the file, or carried out on the cluster),
 * `planned` (shown, not carried out), `unchanged` (nothing to do), `declined` (No at the prompt),
 * `failed` (a cluster step failed; `steps` says which).
 */
export type ChangeResult = 'applied' | 'planned' | 'unchanged' | 'declined' | 'failed';

export interface StepReport {
  name: string;
  /** The kops command line, or null for the backup. */
  command: string | null;
  status: 'pending' | 'done' | 'failed' | 'interrupted';
  seconds: number | null;
}

export interface ChangeReport {
  plan: Plan;
  result: ChangeResult;
  /** The kops version the spec is written for: --kops-version in file mode, the live kops in cluster mode. */
  kopsVersion: string | undefined;
  steps?: StepReport[];
  backup?: string;
  /** Why a `failed` change failed (also on stderr). */
  error?: KopsAuditError;
}

/** Where kube-apiserver sends audit events under a spec, in words. */
export function auditDestinations(specText: string, source: string): string[] {
  const setup = readAuditSetup(parseSpec(specText, source));
  const out: string[] = [];
  const logPath = fieldString(setup, 'auditLogPath');
  if (logPath !== undefined) {
    out.push(logPath === '-' ? 'kube-apiserver stdout' : `${logPath} on each control-plane node`);
  }
  const webhook = fieldString(setup, 'auditWebhookConfigFile');
  if (webhook !== undefined) out.push(`the webhook configured in ${webhook}`);
  const shipTo = readShipSetup(setup).shipTo;
  if (shipTo !== undefined) out.push(`${shipTo}, by the log shipper on each control-plane node`);
  return out;
}

/** One JSON object for a change; never the spec text itself (it may hold webhook credentials). */
export function changeJson(report: ChangeReport): string {
  const { plan } = report;
  return toJsonLine(
    {
      action: plan.action,
      source: plan.source,
      cluster: plan.cluster,
      kopsVersion: report.kopsVersion ?? null,
      result: report.result,
      changed: plan.changed,
      changes: plan.changes,
      warnings: plan.warnings,
      diff: plan.diff,
      steps: report.steps ?? [],
      backup: report.backup ?? null,
      auditDestinations: auditDestinations(plan.after, plan.source),
      ...(report.error !== undefined ? { error: errorJson(report.error, report.error.exitCode) } : {}),
    },
    CHANGE_JSON_VERSION,
  );
}
