/**
 * The place where `enable|disable|status <cluster>` (cluster mode: through kops and its state store)
 * plugs in. File mode (-f) lives in enable.ts, disable.ts and status.ts; they call `runClusterMode`
 * when a cluster name is given instead of -f. The kops helper owns this file: its flags are in
 * `clusterModeOptions`, the work in src/apply/ (imported lazily: it loads execa and yaml).
 */
import { Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { Ctx } from '../io.js';

export type ClusterCommand = 'enable' | 'disable' | 'status';

export interface ClusterModeRequest {
  command: ClusterCommand;
  cluster: string;
  /** Every flag commander parsed for the command (file-mode flags included). */
  flags: Record<string, unknown>;
}

/** Extra flags cluster mode adds to a command. */
export function clusterModeOptions(command: ClusterCommand): Option[] {
  const kops = [
    new Option('--kops <path>', 'cluster mode: the kops binary to run (default: kops on PATH)'),
    new Option(
      '--state <store>',
      'cluster mode: kops state store, passed to kops (default: $KOPS_STATE_STORE)',
    ),
  ];
  if (command === 'status') return kops;
  return [
    new Option('-y, --yes', 'cluster mode: apply without asking (needed when not at a terminal)'),
    ...kops,
    new Option(
      '--backup-dir <dir>',
      'cluster mode: where to back up the spec first (default: ~/.local/state/kops-audit/backups)',
    ),
    new Option(
      '--no-rolling-update',
      'cluster mode: stop after `kops update cluster`; roll the control plane later yourself',
    ),
  ];
}

export async function runClusterMode(request: ClusterModeRequest, ctx: Ctx): Promise<number> {
  const { runClusterRequest } = await import('../../apply/cluster-command.js');
  return runClusterRequest(request, ctx);
}

/** Flags that only make sense for a spec file. */
export function refuseFileModeFlags(request: ClusterModeRequest): void {
  if (request.flags.stdout) {
    throw new UsageError(
      `--stdout is for file mode; kops-audit ${request.command} ${request.cluster} changes the cluster through kops.`,
      {
        hint: `Use --dry-run to see the change, or \`kops get all --name ${request.cluster} -o yaml | kops-audit ${request.command} -f - --stdout\` for the new spec.`,
      },
    );
  }
}
