import { parseDocument } from 'yaml';
import { KopsError } from '../errors.js';
import type { KopsClient } from '../kops/client.js';

/** The spec kops keeps in its state store, as the offline core reads a file. */
export interface LiveSpec {
  /** The Cluster document as kops printed it (what the verify step compares and a backup keeps). */
  clusterText: string;
  /** The Cluster followed by its InstanceGroups, so that version rules see APIServer groups. */
  text: string;
}

/**
 * One kops call: `get all` prints the Cluster first, then its InstanceGroups. The documents are kept
 * as kops printed them (split on kops' `---` lines), so the diff shows only what the plan changes.
 * Addon objects that `get all` may print are left out: `kops replace` would refuse them.
 */
export async function readLiveSpec(client: KopsClient, cluster: string): Promise<LiveSpec> {
  const docs = splitDocuments(await client.getAll(cluster));
  const clusterText = docs.find((d) => kindOf(d) === 'Cluster');
  if (clusterText === undefined) throw new KopsError(`kops printed no Cluster object for ${cluster}.`);
  const groups = docs.filter((d) => kindOf(d) === 'InstanceGroup');
  return { clusterText, text: [clusterText, ...groups].join('---\n') };
}

/** The documents of a multi-document YAML text as written (kops never prints `---` inside a value). */
export function splitDocuments(text: string): string[] {
  return text
    .split(/^---[ \t]*$/m)
    .filter((d) => d.trim() !== '')
    .map((doc) => `${doc.replace(/^\n+/, '').replace(/\n*$/, '')}\n`);
}

function kindOf(doc: string): string | undefined {
  return (parseDocument(doc).toJS() as { kind?: string } | null)?.kind;
}

/** The Cluster document of a spec text, as written (what `kops replace` gets). */
export function clusterDocument(text: string): string {
  const found = splitDocuments(text).find((d) => kindOf(d) === 'Cluster');
  if (found === undefined) throw new KopsError('The planned spec has no Cluster object.');
  return found;
}
