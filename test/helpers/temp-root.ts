import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * vitest globalSetup: every temporary file of the run (os.tmpdir() in tests, workers and the CLI
 * processes they start) goes under one fresh directory, removed when the run ends. (Its name avoids
 * the word "audit": some tests assert that a spec, which may hold temp paths, does not contain it.)
 */
export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'kat-run-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
