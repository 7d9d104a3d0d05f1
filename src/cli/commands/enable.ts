/**
 * `kops-audit enable -f FILE|-`: add kops-audit's audit setup to a kops spec file. Parse and check
 * the flags, read the policy and the spec, plan (pure), then show or write the plan as asked.
 * `enable <cluster>` goes to cluster mode (cluster-mode.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../../errors.js';
import type { Ctx } from '../../io.js';
import { planEnable } from '../../plan/plan.js';
import type { AuditSettings } from '../../spec/apply.js';
import { parseShipCredentials } from '../../spec/ship-target.js';
import { withoutByteOrderMark } from '../byte-order-mark.js';
import { DEFAULT_POLICY } from '../default-policy.js';
import { type PolicyOrder, parsePolicyOrder } from '../define/flags.js';
import { askPolicy, readPolicyChoice } from '../policy-choice.js';
import { canPrompt } from '../prompt.js';
import { readSpecInput } from '../spec-file.js';
import { deliverPlan } from './deliver-plan.js';
import {
  type OutputChoice,
  parseAuditSettingFlags,
  parseOutputChoice,
  type RawEnableFlags,
} from './spec-flags.js';

export interface EnableArgs {
  filename: string;
  /** `--policy` as given; undefined means ask at a terminal, else gce. */
  policy?: string;
  flags: ReturnType<typeof parseAuditSettingFlags>;
  webhookConfigFile?: string;
  shipCredentialsFile?: string;
  output: OutputChoice;
  /** `--order specific`: ship the policy compiled most specific first. */
  order: PolicyOrder;
}

/** Pure: flags to EnableArgs, or a UsageError naming the flag. */
export function parseEnableArgs(raw: RawEnableFlags & { filename: string }): EnableArgs {
  const args: EnableArgs = {
    filename: raw.filename,
    flags: parseAuditSettingFlags(raw),
    output: parseOutputChoice(raw),
    order: parsePolicyOrder(raw),
  };
  if (raw.policy !== undefined) args.policy = raw.policy;
  if (raw.webhookConfig !== undefined) args.webhookConfigFile = raw.webhookConfig;
  if (raw.shipCredentials !== undefined) args.shipCredentialsFile = raw.shipCredentials;
  return args;
}

/** The policy and webhook kubeconfig the flags name, read and checked (shared with cluster mode). */
export async function resolveAuditSettings(
  flags: EnableArgs['flags'],
  choice: {
    policy?: string;
    webhookConfigFile?: string;
    /** Whether enable may ask for the policy when at a terminal. */
    mayPrompt: boolean;
    /** The spec comes from stdin, so `--policy -` cannot. */
    specFromStdin?: boolean;
    /** `--ship-credentials FILE` (parseAuditSettingFlags checked it goes with --ship-to). */
    shipCredentialsFile?: string;
    order?: PolicyOrder;
  },
  ctx: Ctx,
): Promise<AuditSettings> {
  const policyName =
    choice.policy ?? (choice.mayPrompt && canPrompt(ctx) ? await askPolicy(ctx) : DEFAULT_POLICY);
  const settings: AuditSettings = {
    ...flags,
    policy: await readPolicyChoice(policyName, ctx, choice.specFromStdin, choice.order),
  };
  if (choice.webhookConfigFile !== undefined) {
    const file = path.resolve(ctx.cwd, choice.webhookConfigFile);
    let text: string;
    try {
      text = withoutByteOrderMark(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `--webhook-config ${choice.webhookConfigFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
        { hint: 'Give the kubeconfig file kube-apiserver should use to reach the audit webhook.' },
      );
    }
    checkKubeconfig(choice.webhookConfigFile, text);
    settings.webhookConfig = { source: choice.webhookConfigFile, text };
  }
  if (choice.shipCredentialsFile !== undefined && typeof settings.ship === 'object') {
    const source = choice.shipCredentialsFile;
    let text: string;
    try {
      text = readFileSync(path.resolve(ctx.cwd, source), 'utf8');
    } catch (error) {
      throw new UsageError(
        `--ship-credentials ${source}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
        { hint: "Give the file that holds the destination's token (one line)." },
      );
    }
    settings.ship = {
      ...settings.ship,
      credentials: parseShipCredentials(settings.ship.target, source, text),
    };
  }
  return settings;
}

/** The webhook config must be a kubeconfig with a cluster to send to (its content is never quoted). */
function checkKubeconfig(source: string, text: string): void {
  let config: unknown;
  try {
    config = parse(text);
  } catch (error) {
    // Only the line: the parser's message can quote the text, and a kubeconfig holds credentials.
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new UsageError(
      `--webhook-config ${source}${line ? `:${line}` : ''} is not valid YAML, so not a kubeconfig.`,
      { hint: 'Fix the YAML at that line (indentation, quoting), or give the kubeconfig file itself.' },
    );
  }
  const clusters = (config as { clusters?: unknown } | null | undefined)?.clusters;
  if (!Array.isArray(clusters) || clusters.length === 0) {
    throw new UsageError(
      `--webhook-config ${source} is not a kubeconfig with a cluster (no \`clusters:\` list).`,
      {
        hint: 'Give a kubeconfig (apiVersion: v1, kind: Config) whose cluster server is your audit webhook.',
      },
    );
  }
}

export async function runEnable(args: EnableArgs, ctx: Ctx): Promise<number> {
  const settings = await resolveAuditSettings(
    args.flags,
    {
      ...(args.policy !== undefined ? { policy: args.policy } : {}),
      ...(args.webhookConfigFile !== undefined ? { webhookConfigFile: args.webhookConfigFile } : {}),
      ...(args.shipCredentialsFile !== undefined ? { shipCredentialsFile: args.shipCredentialsFile } : {}),
      mayPrompt: args.filename !== '-',
      specFromStdin: args.filename === '-',
      order: args.order,
    },
    ctx,
  );
  const input = await readSpecInput(args.filename, ctx, 'enable');
  const plan = planEnable(input.text, { ...settings, source: input.source });
  return deliverPlan(plan, input, args.output, ctx, args.flags.kopsVersion);
}
