import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * vitest globalSetup: every temporary file of the run (os.tmpdir() in tests, workers and the CLI
 * processes they start, and those processes' compile cache) goes under one fresh directory, removed when the run ends. (Its name avoids
 * the word "audit": some tests assert that a spec, which may hold temp paths, does not contain it.)
 */
export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'kat-run-'));
  process.env.TMPDIR = root;
  // The CLI's compile cache (src/launch/bundle-loader.ts) goes there too, not into the user's home.
  process.env.XDG_CACHE_HOME = path.join(root, 'cache');
  return () => rmSync(root, { recursive: true, force: true });
}
