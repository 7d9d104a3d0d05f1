import { Writable } from 'node:stream';
import { confirm } from '@inquirer/prompts';
import { parseAllDocuments } from 'yaml';
import { toJsonLine } from '../cli/output.js';
import { ConflictError, ExitCode, InterruptedError, KopsAuditError, KopsError } from '../errors.js';
import type { Ctx, TextSink } from '../io.js';
import { getClusterArgs, KopsClient, rollingUpdateArgs, shellQuote, updateArgs } from '../kops/client.js';
import { apiserverGroups, apiserverRoles } from '../kops/rolling-update.js';
import { execaRunner, type Runner } from '../kops/runner.js';
import type { KopsVersion } from '../kops/version.js';
import { defaultBackupDir, latestBackup, writeBackup } from './backup.js';
import { clusterDocument, liveSpecText } from './live-spec.js';
import type { ClusterPlan, PlanFn } from './planner.js';
import { QuietStepTicker } from './progress.js';

/** Flags of cluster mode (`enable|disable <cluster>`), shared by both commands. */
export interface ClusterModeOptions {
  cluster: string;
  yes: boolean;
  dryRun: boolean;
  /** `--kops PATH`. */
  kops?: string;
  /** `--state`; otherwise kops reads KOPS_STATE_STORE. */
  state?: string;
  backupDir?: string;
  /** False with `--no-rolling-update`. */
  rollingUpdate: boolean;
  detailedExitcode: boolean;
  output: 'text' | 'json';
  /** The command to re-run to resume, as the user typed it (without --yes); default built from the flags. */
  resumeCommand?: string;
}

/** What cluster mode may have injected: tests pass a fake runner or prompt. */
/** The kops client cluster mode runs: the --kops binary and --state store, kops output to `output`. */
export function kopsClientFor(
  options: Pick<ClusterModeOptions, 'kops' | 'state'>,
  ctx: Ctx,
  deps: ClusterModeDeps,
  output: TextSink,
): KopsClient {
  return new KopsClient({
    runner: deps.runner ?? execaRunner(),
    kopsPath: options.kops,
    state: options.state,
    env: ctx.env,
    cwd: ctx.cwd,
    output,
  });
}

export interface ClusterModeDeps {
  runner?: Runner;
  /** Ask "yes/no" on the terminal (default: @inquirer/prompts confirm, default No). */
  confirm?: (message: string, ctx: Ctx) => Promise<boolean>;
}

type StepName = 'backup' | 'verify' | 'replace' | 'update' | 'rolling-update';
type StepStatus = 'pending' | 'done' | 'failed' | 'interrupted';

interface Step {
  name: StepName;
  title: string;
  command?: string;
  status: StepStatus;
  seconds?: number;
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

/** Where kube-apiserver now sends events, read from the spec we wrote. */
function destinations(clusterText: string): string[] {
  const api = (
    parseAllDocuments(clusterText)[0]?.toJS() as { spec?: { kubeAPIServer?: Record<string, unknown> } }
  )?.spec?.kubeAPIServer;
  const out: string[] = [];
  if (typeof api?.auditLogPath === 'string') {
    out.push(
      api.auditLogPath === '-' ? 'kube-apiserver stdout' : `${api.auditLogPath} on each control-plane node`,
    );
  }
  if (typeof api?.auditWebhookConfigFile === 'string')
    out.push(`the webhook configured in ${api.auditWebhookConfigFile}`);
  return out;
}

function elapsed(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)}s`
    : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

async function inquirerConfirm(message: string, ctx: Ctx): Promise<boolean> {
  // Prompts go to stderr, so stdout stays for results.
  const output = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        ctx.io.stderr.write(String(chunk));
        done();
      },
    }),
    { isTTY: true, columns: 80 },
  );
  try {
    return await confirm({ message, default: false }, { input: ctx.io.stdin, output });
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') {
      throw new InterruptedError('Interrupted at the prompt; nothing was changed.');
    }
    throw error;
  }
}

/**
 * enable/disable on a live cluster: read the spec through kops, plan, show, confirm, then the ordered
 * steps (back up, re-read and compare, replace, update, roll the control plane). Each step is safe to
 * run again; a failure names the step, the backup and the commands to resume or undo.
 */
export async function runClusterChange(
  plan: PlanFn,
  options: ClusterModeOptions,
  ctx: Ctx,
  deps: ClusterModeDeps = {},
): Promise<number> {
  const json = options.output === 'json';
  const human: TextSink = json ? ctx.io.stderr : ctx.io.stdout;
  const ticker = new QuietStepTicker(ctx.io.stderr, () => ctx.now());
  const progress = ticker.tracked;
  const client = kopsClientFor(options, ctx, deps, progress);
  const stopForwarding = ctx.onInterrupt?.((signal) => client.interrupt(signal));
  try {
    return await changeCluster(plan, options, ctx, deps, client, human, ticker);
  } finally {
    ticker.stop();
    stopForwarding?.();
  }
}

async function changeCluster(
  planFn: PlanFn,
  options: ClusterModeOptions,
  ctx: Ctx,
  deps: ClusterModeDeps,
  client: KopsClient,
  human: TextSink,
  ticker: QuietStepTicker,
): Promise<number> {
  const { cluster } = options;
  const progress = ticker.tracked;
  const version = await client.version();
  const { clusterText, text: specText, instanceGroups } = await liveSpecText(client, cluster);
  const plan = planFn(specText, `cluster/${cluster}`, version);
  const after = clusterDocument(plan.after);
  const roles = apiserverRoles(version, instanceGroups);
  const groups = apiserverGroups(instanceGroups).map((ig) => ig.name);
  const backupDir = options.backupDir ?? defaultBackupDir(ctx.env);

  let updatePending = true;
  if (!plan.changed) {
    // Resume: the spec already says this; ask kops (dry runs) whether the cloud and nodes caught up.
    updatePending = await client.updatePending(cluster);
    const rollPending =
      options.rollingUpdate && !updatePending && (await client.rollingUpdatePending(cluster, roles));
    if (!updatePending && !rollPending) {
      human.write(
        `${cluster}: the spec already has these audit settings and kops reports nothing pending. Nothing to do.\n`,
      );
      if (options.output === 'json') {
        ctx.io.stdout.write(
          toJsonLine(report(options, version, plan, [], undefined, 'nothing-to-do', after)),
        );
      }
      return ExitCode.OK;
    }
  }

  const steps: Step[] = [];
  const cmd = (args: string[]) => client.commandLine(args);
  if (plan.changed) {
    steps.push({ name: 'backup', title: `Back up the current spec to ${backupDir}`, status: 'pending' });
    steps.push({
      name: 'verify',
      title: 'Re-read the spec and check nobody changed it since the plan',
      command: cmd(getClusterArgs(cluster)),
      status: 'pending',
    });
    steps.push({
      name: 'replace',
      title: 'Replace the cluster spec',
      command: cmd(['replace', '-f', '<temporary file>']),
      status: 'pending',
    });
  }
  steps.push({
    name: 'update',
    title: 'Apply the spec to the cloud',
    command: cmd(updateArgs(cluster)),
    status: 'pending',
  });
  if (options.rollingUpdate) {
    steps.push({
      name: 'rolling-update',
      title: `Roll the nodes that run kube-apiserver (${groups.join(', ') || 'none found'})`,
      command: cmd(rollingUpdateArgs(cluster, roles)),
      status: 'pending',
    });
  }

  human.write(planText(options, version, plan, steps, updatePending));
  if (options.dryRun) {
    human.write('\nDry run: nothing was changed.\n');
    return finishWithoutApplying(options, ctx, version, plan, steps, after, 'planned', true);
  }
  if (!options.yes) {
    const interactive = ctx.io.stdinIsTTY && ctx.io.stderr.isTTY;
    if (!interactive) {
      // kops' own wording: without --yes nothing is applied, and that is not an error.
      human.write('\nMust specify --yes to apply changes\n');
      return finishWithoutApplying(options, ctx, version, plan, steps, after, 'planned', true);
    }
    const confirm = deps.confirm ?? inquirerConfirm;
    const yes = await confirm(`Apply these changes to ${cluster}?`, ctx);
    if (!yes) {
      human.write('Nothing was changed.\n');
      return finishWithoutApplying(
        options,
        ctx,
        version,
        plan,
        steps,
        after,
        'declined',
        false,
        ExitCode.ERROR,
      );
    }
  }

  let backup: string | undefined;
  const resume = options.resumeCommand ?? defaultResume(options, plan.action);
  const startedAll = ctx.now();
  let verifiedGeneration: number | undefined;
  for (const [index, step] of steps.entries()) {
    const started = ctx.now();
    progress.write(`\n==> [${index + 1}/${steps.length}] ${step.title}\n`);
    if (step.command) progress.write(`    $ ${step.command}\n`);
    ticker.start(step.name, started);
    try {
      switch (step.name) {
        case 'backup':
          backup = await writeBackup(backupDir, cluster, clusterText, ctx.now());
          progress.write(`    backup: ${backup}\n`);
          break;
        case 'verify': {
          const now = await client.getCluster(cluster);
          verifiedGeneration = generationOf(now);
          if (!sameObjects(now, clusterText)) {
            throw new ConflictError(
              `The spec of ${cluster} changed in the state store after kops-audit read it (someone ran kops edit, replace or another kops-audit). Nothing was replaced.`,
              { hint: `Review the change and run \`${resume}\` again to plan against the current spec.` },
            );
          }
          break;
        }
        case 'replace': {
          await client.replace(after);
          // kops replace has no compare-and-swap: a change landing between the check above and
          // the replace is overwritten, or overwrites ours. kops bumps metadata.generation on each
          // change of the spec, so read it back, and stop before the cloud is touched unless the
          // store moved by exactly one generation, ours.
          const generation = generationOf(await client.getCluster(cluster));
          const expected = (verifiedGeneration ?? 0) + 1;
          if (generation !== undefined && generation !== expected) {
            throw new ConflictError(
              `Another change to ${cluster} reached the state store while kops-audit replaced its spec (generation ${generation ?? '?'}, expected ${expected}): it may have been overwritten by kops-audit's, or overwritten it. Nothing was applied to the cloud.`,
              {
                hint: `Find out who else changed the cluster and check its spec (\`${client.commandLine(getClusterArgs(cluster))}\`); then run \`${resume}\` again.`,
              },
            );
          }
          break;
        }
        case 'update':
          await client.update(cluster);
          break;
        case 'rolling-update':
          await client.rollingUpdate(cluster, roles);
          break;
      }
      ticker.stop();
      step.status = 'done';
      step.seconds = (ctx.now() - started) / 1000;
      progress.write(`    done in ${elapsed(ctx.now() - started)}\n`);
    } catch (error) {
      ticker.stop();
      step.status = error instanceof InterruptedError ? 'interrupted' : 'failed';
      step.seconds = (ctx.now() - started) / 1000;
      const knownBackup = backup ?? (await latestBackup(backupDir, cluster));
      if (options.output === 'json') {
        ctx.io.stdout.write(
          toJsonLine({ ...report(options, version, plan, steps, knownBackup, 'failed', after) }),
        );
      }
      throw stepFailure(error, { index, steps, step, cluster, backup: knownBackup, resume, client, roles });
    }
  }

  const where = destinations(after);
  progress.write(`\nAll steps done in ${elapsed(ctx.now() - startedAll)}.\n`);
  human.write(`\n${summaryLine(plan, cluster, options, where)}\n`);
  if (backup) human.write(`The previous spec is backed up at ${backup}\n`);
  if (!options.rollingUpdate) {
    human.write(
      `The control plane still runs the old settings. Roll it when convenient:\n  ${cmd(rollingUpdateArgs(cluster, roles))}\n`,
    );
  }
  if (options.output === 'json') {
    ctx.io.stdout.write(toJsonLine(report(options, version, plan, steps, backup, 'applied', after)));
  }
  return ExitCode.OK;
}

function summaryLine(
  plan: ClusterPlan,
  cluster: string,
  options: ClusterModeOptions,
  where: string[],
): string {
  if (plan.action === 'disable')
    return `Audit logging settings written by kops-audit are removed from ${cluster}.`;
  const to = where.length > 0 ? `: kube-apiserver sends audit events to ${where.join(' and ')}` : '';
  return options.rollingUpdate
    ? `Audit logging is on for ${cluster}${to}.`
    : `Audit settings are applied to ${cluster}${to} after the rolling update.`;
}

function defaultResume(options: ClusterModeOptions, action: string): string {
  const words = ['kops-audit', action, options.cluster];
  if (options.kops) words.push('--kops', options.kops);
  if (options.state) words.push('--state', options.state);
  if (options.backupDir) words.push('--backup-dir', options.backupDir);
  if (!options.rollingUpdate) words.push('--no-rolling-update');
  return `${words.map(shellQuote).join(' ')} --yes`;
}

function stepFailure(
  error: unknown,
  c: {
    index: number;
    steps: Step[];
    step: Step;
    cluster: string;
    backup: string | undefined;
    resume: string;
    client: KopsClient;
    roles: string[];
  },
): KopsAuditError {
  const cause = error instanceof Error ? error.message : String(error);
  const replaced = c.steps.some((s) => s.name === 'replace' && s.status === 'done');
  const where = `Step ${c.index + 1} of ${c.steps.length} (${c.step.title.replace(/ \(.*$/, '')})`;
  const state = replaced
    ? 'The new spec is in the state store.'
    : c.step.name === 'replace' && error instanceof InterruptedError
      ? // kops writes the Cluster object in one piece: it is the old spec or the new one, never half.
        'kops was stopped while replacing the spec, so the state store holds either the old or the new spec (never a mix); running again checks which.'
      : c.steps.some((s) => s.name === 'replace')
        ? 'The spec in the state store was not changed.'
        : 'The spec already had these settings.';
  const saved = c.backup ? ` The previous spec is backed up at ${c.backup}.` : '';
  const undo = c.backup
    ? ` Undo: \`${c.client.commandLine(['replace', '-f', c.backup])} && ${c.client.commandLine(updateArgs(c.cluster))} && ${c.client.commandLine(rollingUpdateArgs(c.cluster, c.roles))}\`.`
    : '';
  const hint = `Resume: \`${c.resume}\` (it skips what is done).${undo}`;
  if (error instanceof InterruptedError) {
    return new InterruptedError(`${where} was interrupted. ${state}${saved}`, {
      hint,
      cause: error,
      exitCode: error.exitCode,
    });
  }
  if (error instanceof ConflictError)
    return new ConflictError(`${cause}${saved}`, { hint: error.hint, cause: error });
  const exitCode = error instanceof KopsAuditError ? error.exitCode : ExitCode.ERROR;
  return new KopsError(`${where} failed: ${cause} ${state}${saved}`, { hint, exitCode, cause: error });
}

function finishWithoutApplying(
  options: ClusterModeOptions,
  ctx: Ctx,
  version: KopsVersion,
  plan: ClusterPlan,
  steps: Step[],
  after: string,
  result: 'planned' | 'declined',
  pending: boolean,
  code: number = ExitCode.OK,
): number {
  if (options.output === 'json')
    ctx.io.stdout.write(toJsonLine(report(options, version, plan, steps, undefined, result, after)));
  if (code !== ExitCode.OK) return code;
  return options.detailedExitcode && pending ? ExitCode.CHANGES : ExitCode.OK;
}

function planText(
  options: ClusterModeOptions,
  version: KopsVersion,
  plan: ClusterPlan,
  steps: Step[],
  updatePending: boolean,
): string {
  let text = `${plan.action === 'enable' ? 'Enable' : 'Disable'} audit logging on ${options.cluster} (kops ${version.text})\n`;
  if (plan.changed) {
    text += '\nChanges to the cluster spec:\n';
    for (const c of plan.changes) {
      const detail =
        c.action === 'update' ? `${c.before ?? ''} -> ${c.after ?? ''}` : (c.after ?? c.before ?? '');
      text += `  ${c.action === 'add' ? '+' : c.action === 'remove' ? '-' : '~'} ${c.target}${detail ? `: ${detail}` : ''}\n`;
    }
    text += `\n${plan.diff}${plan.diff.endsWith('\n') ? '' : '\n'}`;
  } else {
    text += `\nThe spec already has these settings; ${updatePending ? 'kops has changes to apply to the cloud' : 'the control plane has not been rolled yet'}.\n`;
  }
  for (const w of plan.warnings) text += `Warning: ${w}\n`;
  text += '\nSteps:\n';
  steps.forEach((s, i) => {
    text += `  ${i + 1}. ${s.title}${s.command ? `\n     $ ${s.command}` : ''}\n`;
  });
  return text;
}

function report(
  options: ClusterModeOptions,
  version: KopsVersion,
  plan: ClusterPlan,
  steps: Step[],
  backup: string | undefined,
  result: 'applied' | 'planned' | 'declined' | 'failed' | 'nothing-to-do',
  after: string,
): object {
  return {
    action: plan.action,
    cluster: options.cluster,
    kopsVersion: version.text,
    result,
    changed: plan.changed,
    changes: plan.changes,
    diff: plan.diff,
    warnings: plan.warnings,
    steps: steps.map(({ name, command, status, seconds }) => ({ name, command, status, seconds })),
    backup: backup ?? null,
    auditDestinations: result === 'applied' ? destinations(after) : [],
  };
}
