import type { KopsClient } from '../kops/client.js';

/**
 * When the spec already has the change, ask kops (dry runs, which change nothing) whether the cloud
 * and the nodes have caught up: `kops update cluster` and `kops rolling-update cluster` without --yes.
 * The roll is asked about only when the cloud is up to date and `checkRoll` is set.
 */
export async function unappliedChanges(
  client: KopsClient,
  cluster: string,
  rollRoles: readonly string[],
  checkRoll: boolean,
): Promise<{ update: boolean; rollingUpdate: boolean }> {
  const update = await client.updatePending(cluster);
  const rollingUpdate = checkRoll && !update && (await client.rollingUpdatePending(cluster, rollRoles));
  return { update, rollingUpdate };
}
