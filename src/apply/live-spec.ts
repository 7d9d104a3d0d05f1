import { parseAllDocuments } from 'yaml';
import { KopsError } from '../errors.js';
import type { InstanceGroupInfo, KopsClient } from '../kops/client.js';

/**
 * The live spec as the offline core reads a file: the Cluster (`kops get cluster`) followed by its
 * InstanceGroups (from `kops get all`), so that version rules see APIServer groups. Addon objects that
 * `get all` may print are left out: `kops replace` would refuse them.
 */
export async function liveSpecText(
  client: KopsClient,
  cluster: string,
): Promise<{ clusterText: string; text: string; instanceGroups: InstanceGroupInfo[] }> {
  // One kops call: `get all` prints the Cluster first, then its InstanceGroups.
  const all = await client.getAll(cluster);
  const docs = parseAllDocuments(all.text);
  const clusterDoc = docs.find((doc) => doc.get('kind') === 'Cluster');
  if (!clusterDoc) throw new KopsError(`kops printed no Cluster object for ${cluster}.`);
  const clusterText = clusterDoc.toString();
  const groups = docs.filter((doc) => doc.get('kind') === 'InstanceGroup').map((doc) => doc.toString());
  return { clusterText, text: [clusterText, ...groups].join('---\n'), instanceGroups: all.instanceGroups };
}
