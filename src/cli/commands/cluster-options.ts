/**
 * The flags of cluster mode (`enable|disable|status <cluster>`), parsed into typed options, and the
 * command that resumes a run. Pure: flags in, options or a UsageError naming the flag out.
 */
import { UsageError } from '../../errors.js';
import { shellQuote } from '../../kops/client.js';
import type { RawEnableFlags } from './spec-flags.js';

export type ClusterCommand = 'enable' | 'disable' | 'status';

/** What commander gives for the cluster-mode flags (cli/define/flags.ts clusterModeOptions). */
export interface RawClusterFlags {
  yes?: boolean;
  kops?: string;
  state?: string;
  backupDir?: string;
  /** False with `--no-rolling-update`. */
  rollingUpdate?: boolean;
}

/** How kops-audit reaches kops: the binary and the state store. */
export interface KopsTarget {
  cluster: string;
  /** `--kops PATH`; otherwise kops on PATH. */
  kops?: string;
  /** `--state`; otherwise kops reads KOPS_STATE_STORE. */
  state?: string;
}

export interface ClusterChangeOptions extends KopsTarget {
  yes: boolean;
  dryRun: boolean;
  backupDir?: string;
  rollingUpdate: boolean;
  detailedExitcode: boolean;
  json: boolean;
  /** What the user ran, plus --yes: the command that resumes after a failure. */
  resumeCommand: string;
}

/** kops cluster names are DNS names; anything else would be read by kops as a flag or refused. */
export function checkClusterName(cluster: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(cluster)) {
    throw new UsageError(`${JSON.stringify(cluster)} is not a kops cluster name.`, {
      hint: 'kops cluster names are DNS names, e.g. prod.example.com (see `kops get clusters`).',
    });
  }
}

export function parseKopsTarget(cluster: string, raw: RawClusterFlags): KopsTarget {
  checkClusterName(cluster);
  return {
    cluster,
    ...(raw.kops !== undefined ? { kops: raw.kops } : {}),
    ...(raw.state !== undefined ? { state: raw.state } : {}),
  };
}

export type RawClusterChangeFlags = RawEnableFlags & RawClusterFlags;

export function parseClusterChangeOptions(
  command: 'enable' | 'disable',
  cluster: string,
  raw: RawClusterChangeFlags,
): ClusterChangeOptions {
  if (raw.stdout) {
    throw new UsageError(
      `--stdout is for file mode; kops-audit ${command} ${cluster} changes the cluster through kops.`,
      {
        hint: `Use --dry-run to see the change, or \`kops get all --name ${cluster} -o yaml | kops-audit ${command} -f - --stdout\` for the new spec.`,
      },
    );
  }
  return {
    ...parseKopsTarget(cluster, raw),
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    ...(raw.backupDir !== undefined ? { backupDir: raw.backupDir } : {}),
    rollingUpdate: raw.rollingUpdate !== false,
    detailedExitcode: raw.detailedExitcode === true,
    json: raw.output === 'json',
    resumeCommand: resumeCommand(command, cluster, raw),
  };
}

/** Flags that say how to show a run, not what to change: a resumed run goes ahead with --yes. */
const NOT_RESUMED = new Set(['yes', 'dryRun', 'output', 'detailedExitcode', 'stdout', 'filename']);

/** The command a user re-runs to resume: what they chose (from the parsed flags) plus --yes. */
export function resumeCommand(command: ClusterCommand, cluster: string, raw: RawClusterChangeFlags): string {
  const words = ['kops-audit', command, cluster];
  for (const [key, value] of Object.entries(raw)) {
    if (NOT_RESUMED.has(key) || value === undefined) continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (key === 'rollingUpdate') {
      if (value === false) words.push('--no-rolling-update');
    } else if (value === true) words.push(flag);
    else if (value !== false) words.push(flag, String(value));
  }
  return `${words.map(shellQuote).join(' ')} --yes`;
}
