/**
 * Carry out a ClusterChangePlan step by step. Each step is safe to run twice, so a failed or
 * interrupted run is resumed by running the same command again. Nothing here writes text: what
 * happens is reported as ApplyEvents to the observer cli/ gives, and the outcome is returned.
 */
import { parseAllDocuments } from 'yaml';
import { ConflictError, InterruptedError } from '../errors.js';
import type { KopsClient } from '../kops/client.js';
import { latestBackup, writeBackup } from './backup.js';
import type { ClusterChangePlan, ClusterStep } from './cluster-plan.js';

export type StepStatus = 'pending' | 'done' | 'failed' | 'interrupted';

export interface StepOutcome {
  step: ClusterStep;
  status: StepStatus;
  /** How long the step ran, once it has. */
  ms?: number;
}

export type ApplyEvent =
  | { type: 'step-started'; index: number; step: ClusterStep }
  /** A chunk of what kops printed while a step ran (the client reports it; see KopsClient onOutput). */
  | { type: 'kops-output'; text: string }
  | { type: 'backup-written'; file: string }
  | { type: 'step-done'; index: number; step: ClusterStep; ms: number }
  | { type: 'step-failed'; index: number; step: ClusterStep; ms: number; error: unknown };

export type ApplyObserver = (event: ApplyEvent) => void;

export interface ApplyResult {
  outcomes: StepOutcome[];
  /** The backup this run wrote, or on failure the newest earlier one (for the undo command). */
  backup: string | undefined;
  /** Set when a step failed or was interrupted; the steps after it did not run. */
  failure?: { index: number; error: unknown };
  /** How long all the steps took. */
  ms: number;
}

export interface ApplyRuntime {
  client: KopsClient;
  now(): number;
}

/** Run every step of `plan` in order, stopping at the first that fails. */
export async function applyClusterChange(
  plan: ClusterChangePlan,
  runtime: ApplyRuntime,
  observe: ApplyObserver,
): Promise<ApplyResult> {
  const outcomes: StepOutcome[] = plan.steps.map((step) => ({ step, status: 'pending' }));
  const started = runtime.now();
  const state: RunState = { backup: undefined, verifiedGeneration: undefined };
  for (const [index, outcome] of outcomes.entries()) {
    const { step } = outcome;
    const stepStarted = runtime.now();
    observe({ type: 'step-started', index, step });
    try {
      await runStep(
        step,
        plan,
        runtime.client,
        state,
        (file) => observe({ type: 'backup-written', file }),
        runtime.now,
      );
    } catch (error) {
      outcome.status = error instanceof InterruptedError ? 'interrupted' : 'failed';
      outcome.ms = runtime.now() - stepStarted;
      observe({ type: 'step-failed', index, step, ms: outcome.ms, error });
      const backup = state.backup ?? (await latestBackup(plan.backupDir, plan.cluster));
      return { outcomes, backup, failure: { index, error }, ms: runtime.now() - started };
    }
    outcome.status = 'done';
    outcome.ms = runtime.now() - stepStarted;
    observe({ type: 'step-done', index, step, ms: outcome.ms });
  }
  return { outcomes, backup: state.backup, ms: runtime.now() - started };
}

interface RunState {
  backup: string | undefined;
  /** metadata.generation of the spec the verify step read. */
  verifiedGeneration: number | undefined;
}

async function runStep(
  step: ClusterStep,
  plan: ClusterChangePlan,
  client: KopsClient,
  state: RunState,
  backedUp: (file: string) => void,
  now: () => number,
): Promise<void> {
  const { cluster } = plan;
  switch (step.name) {
    case 'backup':
      state.backup = await writeBackup(plan.backupDir, cluster, plan.clusterBefore, now());
      backedUp(state.backup);
      return;
    case 'verify': {
      const current = await client.getCluster(cluster);
      state.verifiedGeneration = generationOf(current);
      if (!sameObjects(current, plan.clusterBefore)) {
        throw new ConflictError(
          `The spec of ${cluster} changed in the state store after kops-audit read it (someone ran kops edit, replace or another kops-audit). Nothing was replaced.`,
        );
      }
      return;
    }
    case 'replace': {
      await client.replace(plan.clusterAfter);
      // kops replace has no compare-and-swap: a change landing between the check above and the
      // replace is overwritten, or overwrites ours. kops bumps metadata.generation on each change of
      // the spec, so read it back, and stop before the cloud is touched unless the store moved by
      // exactly one generation, ours.
      const generation = generationOf(await client.getCluster(cluster));
      const expected = (state.verifiedGeneration ?? 0) + 1;
      if (generation !== undefined && generation !== expected) {
        throw new ConflictError(
          `Another change to ${cluster} reached the state store while kops-audit replaced its spec (generation ${generation}, expected ${expected}): it may have been overwritten by kops-audit's, or overwritten it. Nothing was applied to the cloud.`,
        );
      }
      return;
    }
    case 'update':
      await client.update(cluster);
      return;
    case 'rolling-update':
      await client.rollingUpdate(cluster, plan.rollRoles);
      return;
  }
}

/** metadata.generation of a Cluster document, which kops bumps on each change of the spec. */
function generationOf(clusterText: string): number | undefined {
  const generation = (parseAllDocuments(clusterText)[0]?.toJS() as { metadata?: { generation?: unknown } })
    ?.metadata?.generation;
  return typeof generation === 'number' ? generation : undefined;
}

function sameObjects(a: string, b: string): boolean {
  const parse = (t: string) => JSON.stringify(parseAllDocuments(t).map((d) => d.toJS()));
  return a === b || parse(a) === parse(b);
}
