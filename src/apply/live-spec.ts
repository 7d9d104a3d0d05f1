import { parseDocument } from 'yaml';
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
  // One kops call: `get all` prints the Cluster first, then its InstanceGroups. The documents are kept
  // as kops printed them (split on kops' `---` lines), so the diff shows only what the plan changes.
  const all = await client.getAll(cluster);
  const docs = splitDocuments(all.text);
  const clusterText = docs.find((d) => kindOf(d) === 'Cluster');
  if (clusterText === undefined) throw new KopsError(`kops printed no Cluster object for ${cluster}.`);
  const groups = docs.filter((d) => kindOf(d) === 'InstanceGroup');
  return {
    clusterText,
    text: [clusterText, ...groups].join('---\n'),
    instanceGroups: all.instanceGroups,
  };
}

/** The documents of a multi-document YAML text as written (kops never prints `---` inside a value). */
export function splitDocuments(text: string): string[] {
  return text
    .split(/^---[ \t]*$/m)
    .filter((d) => d.trim() !== '')
    .map(body);
}

function body(doc: string): string {
  return `${doc.replace(/^\n+/, '').replace(/\n*$/, '')}\n`;
}

export function kindOf(doc: string): string | undefined {
  return (parseDocument(doc).toJS() as { kind?: string } | null)?.kind;
}

/** The Cluster document of a spec text, as written (what `kops replace` gets). */
export function clusterDocument(text: string): string {
  const found = splitDocuments(text).find((d) => kindOf(d) === 'Cluster');
  if (found === undefined) throw new KopsError('The planned spec has no Cluster object.');
  return found;
}
