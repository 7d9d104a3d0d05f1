/**
 * Cluster mode as a value: what `enable|disable <cluster>` would do, computed without running
 * anything from the live spec kops printed and the version it reported. The text view, the JSON view,
 * the prompt and the step runner (apply-change.ts) all read the one ClusterChangePlan.
 */
import { getClusterArgs, kopsArgv, rollingUpdateArgs, updateArgs } from '../kops/client.js';
import { type Plan, planDisable, planEnable } from '../plan/plan.js';
import type { AuditSettings } from '../spec/apply.js';
import { apiServerGroups, rollingUpdateRoles } from '../spec/compat.js';
import { parseSpec } from '../spec/document.js';
import { type KopsVersion, releaseOf } from '../spec/kops-version.js';
import { clusterDocument, type LiveSpec } from './live-spec.js';

/** What the user asked for: enable with these settings, or disable. */
export type ClusterRequest = { action: 'enable'; settings: AuditSettings } | { action: 'disable' };

export type StepName = 'backup' | 'verify' | 'replace' | 'update' | 'rolling-update';

export interface ClusterStep {
  name: StepName;
  /** The kops arguments the step runs (after the kops binary), or undefined for the backup. */
  argv?: string[];
}

/** Where things stand before any step runs. */
export type Pending =
  /** The spec changes: every step runs. */
  | 'spec'
  /** The spec already says this, but kops has changes to apply to the cloud. */
  | 'update'
  /** The cloud is up to date, but the nodes running kube-apiserver have not been rolled. */
  | 'rolling-update'
  /** Nothing is left to do. */
  | 'none';

export interface ClusterChangePlan {
  action: 'enable' | 'disable';
  cluster: string;
  /** The kops that reads and applies the spec. */
  kopsVersion: KopsVersion;
  /** The kops binary that runs every step (`--kops`, or kops on PATH), and `--state` when given. */
  kops: string;
  state?: string;
  /** The spec plan: changes in words, the masked diff, warnings, before and after. */
  spec: Plan;
  /** The Cluster document as kops printed it, and the one `kops replace` gets. */
  clusterBefore: string;
  clusterAfter: string;
  pending: Pending;
  /** The ordered steps; empty when nothing is pending. */
  steps: ClusterStep[];
  backupDir: string;
  /** `--instance-group-roles` of the rolling update, and the instance groups it reaches. */
  rollRoles: string[];
  rollGroups: string[];
  /** False with `--no-rolling-update`: the steps end with `kops update cluster`. */
  rollingUpdate: boolean;
}

/**
 * The spec plan for the live spec. The version kops reports wins over `--kops-version`: it is the
 * kops that will read the spec.
 */
export function planClusterSpec(
  request: ClusterRequest,
  live: LiveSpec,
  cluster: string,
  version: KopsVersion,
): Plan {
  const source = `cluster/${cluster}`;
  if (request.action === 'disable') return planDisable(live.text, { source });
  const plan = planEnable(live.text, { ...request.settings, source, kopsVersion: version });
  const given = request.settings.kopsVersion;
  if (given === undefined || releaseOf(given) === releaseOf(version)) return plan;
  const note = `--kops-version ${given.text} is ignored: the spec is written for kops ${version.text}, the kops that applies it.`;
  return { ...plan, warnings: [...plan.warnings, note] };
}

export interface ClusterChangeInput {
  cluster: string;
  kopsVersion: KopsVersion;
  kops: { path: string; state?: string };
  live: LiveSpec;
  spec: Plan;
  /**
   * When the spec does not change: what kops' dry runs said is left (`kops update cluster` and
   * `kops rolling-update cluster` without --yes). Ignored when the spec changes.
   */
  unapplied?: { update: boolean; rollingUpdate: boolean };
  rollingUpdate: boolean;
  backupDir: string;
}

/** The rolling update that reaches every node running kube-apiserver: its role flag and groups. */
export function rollTargets(
  live: LiveSpec,
  cluster: string,
  version: KopsVersion,
): { roles: string[]; groups: string[] } {
  const groups = apiServerGroups(parseSpec(live.text, `cluster/${cluster}`).instanceGroups);
  return { roles: rollingUpdateRoles(version, groups), groups: groups.map((group) => group.name) };
}

export function planClusterChange(input: ClusterChangeInput): ClusterChangePlan {
  const { cluster, spec, kops } = input;
  const { roles: rollRoles, groups: rollGroups } = rollTargets(input.live, cluster, input.kopsVersion);
  const pending: Pending = spec.changed
    ? 'spec'
    : input.unapplied?.update
      ? 'update'
      : input.unapplied?.rollingUpdate && input.rollingUpdate
        ? 'rolling-update'
        : 'none';
  const argv = (args: string[]) => kopsArgv(kops.state, args);
  const steps: ClusterStep[] = [];
  if (pending === 'spec') {
    steps.push(
      { name: 'backup' },
      { name: 'verify', argv: argv(getClusterArgs(cluster)) },
      // kops reads the new spec from a temporary file that exists only while the step runs.
      { name: 'replace', argv: argv(['replace', '-f', '<temporary file>']) },
    );
  }
  if (pending !== 'none') {
    // Also when only the roll is left: `kops update cluster --yes` with nothing to do is harmless.
    steps.push({ name: 'update', argv: argv(updateArgs(cluster)) });
    if (input.rollingUpdate)
      steps.push({ name: 'rolling-update', argv: argv(rollingUpdateArgs(cluster, rollRoles)) });
  }
  return {
    action: spec.action,
    cluster,
    kopsVersion: input.kopsVersion,
    kops: kops.path,
    ...(kops.state !== undefined ? { state: kops.state } : {}),
    spec,
    clusterBefore: input.live.clusterText,
    clusterAfter: spec.changed ? clusterDocument(spec.after) : input.live.clusterText,
    pending,
    steps,
    backupDir: input.backupDir,
    rollRoles,
    rollGroups,
    rollingUpdate: input.rollingUpdate,
  };
}
