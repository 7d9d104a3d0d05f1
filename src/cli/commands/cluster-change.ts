/**
 * `enable|disable <cluster>`: read the live spec through kops, plan (a value), show it, confirm, then
 * carry it out step by step (apply/). Parse -> plan -> apply, like file mode.
 */
import { type ApplyResult, applyClusterChange } from '../../apply/apply-change.js';
import { defaultBackupDir } from '../../apply/backup.js';
import {
  type ClusterChangePlan,
  type ClusterRequest,
  planClusterChange,
  planClusterSpec,
  rollTargets,
} from '../../apply/cluster-plan.js';
import { readLiveSpec } from '../../apply/live-spec.js';
import { unappliedChanges } from '../../apply/unapplied.js';
import { ExitCode, type KopsAuditError } from '../../errors.js';
import { type Ctx, useColor } from '../../io.js';
import { KopsClient } from '../../kops/client.js';
import { execaRunner, type Runner } from '../../kops/runner.js';
import { reportedAsJson } from '../output.js';
import { confirmOnTerminal } from '../prompt.js';
import { type ChangeResult, changeJson } from '../views/change.js';
import {
  appliedText,
  clusterPlanText,
  elapsed,
  nothingToDoText,
  progressObserver,
  stepFailure,
  stepReports,
} from '../views/cluster-change.js';
import { QuietStepTicker } from '../views/quiet-step-ticker.js';
import type { ClusterChangeOptions, KopsTarget } from './cluster-options.js';

/** What tests may inject: a runner that does not spawn processes. */
export interface ClusterDeps {
  runner?: Runner;
}

/** The kops client of a cluster-mode run; what kops prints while it changes things goes to `onOutput`. */
export function kopsClientFor(
  target: KopsTarget,
  ctx: Ctx,
  deps: ClusterDeps,
  onOutput: (text: string) => void,
): KopsClient {
  return new KopsClient({
    runner: deps.runner ?? execaRunner(),
    ...(target.kops !== undefined ? { kopsPath: target.kops } : {}),
    ...(target.state !== undefined ? { state: target.state } : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    onOutput,
  });
}

export async function runClusterChange(
  request: ClusterRequest,
  options: ClusterChangeOptions,
  ctx: Ctx,
  deps: ClusterDeps = {},
): Promise<number> {
  // With --output json, stdout carries only the JSON object; people read the rest on stderr.
  const human = options.json ? ctx.io.stderr : ctx.io.stdout;
  const ticker = new QuietStepTicker(ctx.io.stderr, () => ctx.now());
  let observe = (text: string) => ticker.tracked.write(text);
  const client = kopsClientFor(options, ctx, deps, (text) => observe(text));
  const stopForwarding = ctx.onInterrupt?.((signal) => client.interrupt(signal));
  try {
    const plan = await planForCluster(request, options, ctx, client);
    const report = (result: ChangeResult, applied?: ApplyResult, error?: KopsAuditError) => {
      if (!options.json) return;
      ctx.io.stdout.write(
        changeJson({
          plan: plan.spec,
          result,
          kopsVersion: plan.kopsVersion.text,
          steps: stepReports(plan, applied),
          ...(applied?.backup !== undefined ? { backup: applied.backup } : {}),
          ...(error !== undefined ? { error } : {}),
        }),
      );
      // The failure is in this object: cli/main adds no second one.
      if (error !== undefined) reportedAsJson.add(error);
    };
    if (plan.pending === 'none') {
      human.write(nothingToDoText(plan));
      report('unchanged');
      return ExitCode.OK;
    }
    human.write(clusterPlanText(plan, useColor(human, ctx.env)));
    const notApplied = (result: 'planned' | 'declined') => {
      report(result);
      if (result === 'declined') return ExitCode.ERROR;
      return options.detailedExitcode ? ExitCode.CHANGES : ExitCode.OK;
    };
    if (options.dryRun) {
      human.write('\nDry run: nothing was changed.\n');
      return notApplied('planned');
    }
    if (!options.yes) {
      if (!(ctx.io.stdinIsTTY && ctx.io.stderr.isTTY)) {
        // kops' own wording: without --yes nothing is applied, and that is not an error.
        human.write('\nMust specify --yes to apply changes\n');
        return notApplied('planned');
      }
      if (!(await confirmOnTerminal(`Apply these changes to ${plan.cluster}?`, ctx))) {
        human.write('Nothing was changed.\n');
        return notApplied('declined');
      }
    }
    const progress = progressObserver(plan, ticker, () => ctx.now());
    observe = (text) => progress({ type: 'kops-output', text });
    const result = await applyClusterChange(plan, { client, now: () => ctx.now() }, progress);
    if (result.failure) {
      const error = stepFailure(plan, result, options.resumeCommand);
      report('failed', result, error);
      throw error;
    }
    ticker.tracked.write(`\nAll steps done in ${elapsed(result.ms)}.\n`);
    human.write(appliedText(plan, result));
    report('applied', result);
    return ExitCode.OK;
  } finally {
    ticker.stop();
    stopForwarding?.();
  }
}

/** Read what kops has, ask it what is pending when the spec already has the change, and plan. */
async function planForCluster(
  request: ClusterRequest,
  options: ClusterChangeOptions,
  ctx: Ctx,
  client: KopsClient,
): Promise<ClusterChangePlan> {
  const { cluster } = options;
  const kopsVersion = await client.version();
  const live = await readLiveSpec(client, cluster);
  const spec = planClusterSpec(request, live, cluster, kopsVersion);
  const unapplied = spec.changed
    ? undefined
    : await unappliedChanges(
        client,
        cluster,
        rollTargets(live, cluster, kopsVersion).roles,
        options.rollingUpdate,
      );
  return planClusterChange({
    cluster,
    kopsVersion,
    kops: { path: client.kopsPath, ...(options.state !== undefined ? { state: options.state } : {}) },
    live,
    spec,
    ...(unapplied ? { unapplied } : {}),
    rollingUpdate: options.rollingUpdate,
    backupDir: options.backupDir ?? defaultBackupDir(ctx.env),
  });
}
