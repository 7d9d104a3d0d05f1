/**
 * The last check of an edit before anything is written: every part of the Cluster that the edit is
 * not about reads the same before and after, as values (the way kops reads them). Text edits work on
 * offsets; one that took a line too many (the next key along) still gives valid YAML, and only this
 * comparison notices.
 */
import type { Document } from 'yaml';

export interface AllowedChanges {
  /** spec.kubeAPIServer fields the edit sets or removes. */
  fields: ReadonlySet<string>;
  /** spec.fileAssets entries the edit adds, replaces or removes: by name, or by path (--force). */
  assetNames: ReadonlySet<string>;
  assetPaths: ReadonlySet<string>;
  /**
   * spec.additionalPolicies keys the edit changes (`--ship-to` merges its IAM statement there). The
   * edit checks itself that the statements of others in them are kept (ship-iam.ts).
   */
  policyKeys?: ReadonlySet<string>;
}

/** The path of the first value outside `allowed` that differs, e.g. `spec.kubernetesVersion`. */
export function firstUnrelatedChange(
  before: Document.Parsed,
  after: Document.Parsed,
  allowed: AllowedChanges,
): string | undefined {
  return firstDifference(withoutAllowed(before.toJS(), allowed), withoutAllowed(after.toJS(), allowed), '');
}

type Json = unknown;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** The Cluster without the allowed parts; an empty or null kubeAPIServer or fileAssets as absent. */
function withoutAllowed(cluster: Json, allowed: AllowedChanges): Json {
  if (!isRecord(cluster) || !isRecord(cluster.spec)) return cluster;
  const spec: Record<string, unknown> = { ...cluster.spec };
  const server = spec.kubeAPIServer;
  if (isRecord(server)) {
    const rest = Object.fromEntries(Object.entries(server).filter(([key]) => !allowed.fields.has(key)));
    spec.kubeAPIServer = rest;
  }
  const assets = spec.fileAssets;
  if (Array.isArray(assets)) {
    spec.fileAssets = assets.filter(
      (asset) =>
        !(
          isRecord(asset) &&
          (allowed.assetNames.has(String(asset.name)) || allowed.assetPaths.has(String(asset.path)))
        ),
    );
  }
  const policies = spec.additionalPolicies;
  if (isRecord(policies) && allowed.policyKeys) {
    spec.additionalPolicies = Object.fromEntries(
      Object.entries(policies).filter(([key]) => !allowed.policyKeys!.has(key)),
    );
  }
  for (const key of ['kubeAPIServer', 'fileAssets', 'additionalPolicies']) {
    const value = spec[key];
    const empty =
      value === null ||
      (Array.isArray(value) && value.length === 0) ||
      (isRecord(value) && Object.keys(value).length === 0);
    if (key in spec && empty) delete spec[key];
  }
  return { ...cluster, spec };
}

function firstDifference(a: Json, b: Json, path: string): string | undefined {
  const here = path || '(the document)';
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return here;
    for (let i = 0; i < a.length; i++) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(key in a) || !(key in b)) return path ? `${path}.${key}` : key;
      const found = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
    return undefined;
  }
  // Scalars, and the few objects YAML 1.1 makes (timestamps, binary): compare what they print as.
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b) ? undefined : here;
}
