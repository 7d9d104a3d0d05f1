import { UsageError } from '../../errors.js';

export type ClusterCommand = 'enable' | 'disable' | 'status';

export interface ClusterModeRequest {
  command: ClusterCommand;
  cluster: string;
  /** Every flag commander parsed for the command (file-mode flags included). */
  flags: Record<string, unknown>;
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
