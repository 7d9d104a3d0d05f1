/**
 * The place where `enable|disable|status <cluster>` (cluster mode: through kops and its state store)
 * plugs in. File mode (-f) lives in enable.ts, disable.ts and status.ts; they call
 * `runClusterMode` when a cluster name is given instead of -f. The kops helper owns this file:
 * it adds its flags in `clusterModeOptions` and routes to its module (imported lazily, since
 * it loads execa).
 */
import type { Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { Ctx } from '../io.js';

export type ClusterCommand = 'enable' | 'disable' | 'status';

export interface ClusterModeRequest {
  command: ClusterCommand;
  cluster: string;
  /** Every flag commander parsed for the command (file-mode flags included). */
  flags: Record<string, unknown>;
}

/** Extra flags cluster mode adds to a command (e.g. --yes, --state). */
export function clusterModeOptions(_command: ClusterCommand): Option[] {
  return [];
}

export async function runClusterMode(request: ClusterModeRequest, _ctx: Ctx): Promise<number> {
  throw new UsageError(
    `kops-audit ${request.command} ${request.cluster}: cluster mode is not available in this build.`,
    {
      hint: `Work on a spec file instead: kops get all --name ${request.cluster} -o yaml | kops-audit ${request.command} -f -`,
    },
  );
}
