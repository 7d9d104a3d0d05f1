import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Ctx } from '../io.js';

/**
 * Where spec backups go by default: `$XDG_STATE_HOME/kops-audit/backups`, else
 * `~/.local/state/kops-audit/backups` (XDG Base Directory spec: state that should survive restarts).
 */
export function defaultBackupDir(env: Ctx['env']): string {
  const base = env.XDG_STATE_HOME || path.join(env.HOME || '.', '.local', 'state');
  return path.join(base, 'kops-audit', 'backups');
}

function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Write the spec as kops had it before we changed it. The file is readable only by the user: it
 * may hold audit webhook credentials. Never overwrites an earlier backup.
 */
export async function writeBackup(dir: string, cluster: string, text: string, now: number): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const base = `${cluster}-${stamp(now)}`;
  for (let n = 0; ; n++) {
    const file = path.join(dir, n === 0 ? `${base}.yaml` : `${base}-${n}.yaml`);
    try {
      await writeFile(file, text, { mode: 0o600, flag: 'wx' });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The newest backup of `cluster` in `dir` (for resume and undo hints), if any. */
export async function latestBackup(dir: string, cluster: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const mine = names
    .filter(
      (n) =>
        n.startsWith(`${cluster}-`) &&
        n.endsWith('.yaml') &&
        /^\d{8}T\d{6}Z/.test(n.slice(cluster.length + 1)),
    )
    .sort();
  const last = mine.at(-1);
  return last === undefined ? undefined : path.join(dir, last);
}
