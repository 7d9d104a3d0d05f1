import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist/kops-audit.js');

/**
 * Real data written by others (kops specs, the kops CRD, kube-apiserver audit events) lives in
 * ../shared beside the repository, read-only in CI. It is never copied into the repo.
 */
export const SHARED_DIR = process.env.KOPS_AUDIT_SHARED_DIR ?? path.resolve(REPO_ROOT, '../shared');
export const CONFORMANCE_DIR = path.join(SHARED_DIR, 'conformance');

/** Why conformance tests are skipped, or undefined when the data is there. Printed once per file. */
export function conformanceMissing(relative: string): string | undefined {
  const full = path.join(CONFORMANCE_DIR, relative);
  if (existsSync(full)) return undefined;
  const reason = `skipping conformance tests: ${full} is absent (it is read from ../shared beside the repo)`;
  console.warn(reason);
  return reason;
}
