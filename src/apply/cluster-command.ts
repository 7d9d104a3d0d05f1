/**
 * From the parsed flags of `enable|disable|status <cluster>` to the cluster-mode run: build the
 * planner closure from the offline core, the options of the apply flow, and the resume command.
 */
import { type ClusterModeRequest, refuseFileModeFlags } from '../cli/commands/cluster-mode.js';
import { parseEnableArgs, resolveAuditSettings } from '../cli/commands/enable.js';
import type { RawEnableFlags } from '../cli/commands/spec-flags.js';
import { UsageError } from '../errors.js';
import type { Ctx } from '../io.js';
import { shellQuote } from '../kops/client.js';
import { planDisable, planEnable } from '../plan/plan.js';
import { type ClusterModeDeps, type ClusterModeOptions, runClusterChange } from './cluster-change.js';
import { runClusterStatus } from './cluster-status.js';
import type { PlanFn } from './planner.js';

const NOT_RESUMED = new Set(['yes', 'dryRun', 'output', 'detailedExitcode', 'stdout', 'filename']);

/** The command a user re-runs to resume: what they typed (from the parsed flags) plus --yes. */
export function resumeCommand(request: ClusterModeRequest): string {
  const words = ['kops-audit', request.command, request.cluster];
  for (const [key, value] of Object.entries(request.flags)) {
    if (NOT_RESUMED.has(key) || value === undefined) continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (key === 'rollingUpdate') {
      if (value === false) words.push('--no-rolling-update');
    } else if (value === true) words.push(flag);
    else if (value !== false) words.push(flag, String(value));
  }
  return `${words.map(shellQuote).join(' ')} --yes`;
}

export function clusterModeOptionsFrom(request: ClusterModeRequest): ClusterModeOptions {
  refuseFileModeFlags(request);
  const f = request.flags;
  const output = (f.output as string | undefined) ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new UsageError(`--output must be text or json, not ${JSON.stringify(output)}.`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(request.cluster)) {
    throw new UsageError(`${JSON.stringify(request.cluster)} is not a kops cluster name.`, {
      hint: 'kops cluster names are DNS names, e.g. prod.example.com (see `kops get clusters`).',
    });
  }
  return {
    cluster: request.cluster,
    yes: f.yes === true,
    dryRun: f.dryRun === true,
    ...(typeof f.kops === 'string' ? { kops: f.kops } : {}),
    ...(typeof f.state === 'string' ? { state: f.state } : {}),
    ...(typeof f.backupDir === 'string' ? { backupDir: f.backupDir } : {}),
    rollingUpdate: f.rollingUpdate !== false,
    detailedExitcode: f.detailedExitcode === true,
    output,
    resumeCommand: resumeCommand(request),
  };
}

export async function runClusterRequest(
  request: ClusterModeRequest,
  ctx: Ctx,
  deps: ClusterModeDeps = {},
): Promise<number> {
  const options = clusterModeOptionsFrom(request);
  if (request.command === 'status') {
    return runClusterStatus(options, ctx, deps);
  }
  let plan: PlanFn;
  if (request.command === 'enable') {
    // Not '-': that would be pipe mode, which refuses --output json.
    const args = parseEnableArgs({
      ...(request.flags as RawEnableFlags),
      filename: `cluster/${request.cluster}`,
    });
    const settings = await resolveAuditSettings(
      args.flags,
      {
        ...(args.policy !== undefined ? { policy: args.policy } : {}),
        ...(args.webhookConfigFile !== undefined ? { webhookConfigFile: args.webhookConfigFile } : {}),
        mayPrompt: options.output === 'text',
      },
      ctx,
    );
    // The version kops reports wins over --kops-version: it is the kops that will apply the spec.
    plan = (text, source, kopsVersion) => {
      const planned = planEnable(text, { ...settings, source, kopsVersion });
      const given = settings.kopsVersion;
      if (
        given === undefined ||
        `${given.major}.${given.minor}.${given.patch}` ===
          `${kopsVersion.major}.${kopsVersion.minor}.${kopsVersion.patch}`
      ) {
        return planned;
      }
      const note = `--kops-version ${given.text} is ignored: the spec is written for kops ${kopsVersion.text}, the kops that applies it.`;
      return { ...planned, warnings: [...planned.warnings, note] };
    };
  } else {
    plan = (text, source) => planDisable(text, { source });
  }
  return runClusterChange(plan, options, ctx, deps);
}
