/**
 * Reading a spec from a file or stdin, and writing one back in place: atomically (temp file in the
 * same directory, then rename), with the file's permissions, owner and group, only if nobody changed
 * it meanwhile, and never over a file its mode makes read-only.
 * Files are read and written synchronously: a spec is a few kilobytes, and the promise API would
 * start libuv's thread pool, whose start and the closing of each file handle there cost more than
 * the whole read (measured: ~15 ms of a 100 ms `enable -f` went to waiting for it).
 */

import { isUtf8 } from 'node:buffer';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  readFileSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { SpecError } from '../errors.js';
import type { Ctx } from '../io.js';
import { readErrorReason } from '../io.js';
import { shellCommand } from '../kops/client.js';
import { readAllBytes } from './read-all.js';

export interface SpecInput {
  /** The name used in messages: the path as given, or `-` for stdin. */
  source: string;
  /** Absolute path, undefined for stdin. */
  file?: string;
  text: string;
}

/** Read `-f FILE` (or stdin for `-`) as UTF-8 text, refusing an empty or binary one. */
export async function readSpecInput(
  filename: string,
  ctx: Ctx,
  command: 'enable' | 'disable' | 'status',
): Promise<SpecInput> {
  if (filename === '-') {
    return { source: '-', text: specText(await readAllBytes(ctx.io.stdin), '-', command) };
  }
  const file = path.resolve(ctx.cwd, filename);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new SpecError(`Cannot read the spec ${filename}: ${readErrorReason(error)}.`, {
      hint: 'Give the kops spec file with -f FILE (e.g. from `kops get all NAME -o yaml > cluster.yaml`), or -f - to read it from stdin.',
    });
  }
  return { source: filename, file, text: specText(bytes, filename, command) };
}

/**
 * The text of a spec's bytes. Empty input and binary data (a NUL byte, or bytes that are not UTF-8,
 * such as a compressed or encrypted file) would otherwise read as YAML "without a Cluster".
 */
function specText(bytes: Buffer, source: string, command: string): string {
  const stdin = source === '-';
  const text = bytes.toString('utf8');
  if (text.trim() === '') {
    if (stdin) {
      throw new SpecError(
        `stdin is empty: pipe the spec in, e.g. \`kops get all NAME -o yaml | kops-audit ${command} -f -\`.`,
        { hint: 'Or give the spec file with -f FILE.' },
      );
    }
    throw new SpecError(`${source} is empty.`, {
      hint: `Write the spec into it first, e.g. \`kops get all NAME -o yaml > ${shellCommand(source, [])}\`.`,
    });
  }
  if (bytes.includes(0) || !isUtf8(bytes)) {
    throw new SpecError(
      `${stdin ? 'stdin' : source} is not text (it holds binary data); give the YAML kops prints.`,
      {
        hint: `For example \`${stdin ? `kops get all NAME -o yaml | kops-audit ${command} -f -` : `kops get all NAME -o yaml > ${shellCommand(source, [])}`}\`; unpack a compressed or encrypted spec first.`,
      },
    );
  }
  return text;
}

/**
 * Whether the user would call `file` read-only: access() says it is not writable, or its mode has no
 * write bit at all. The second is for root, to whom access() grants everything, but who still means
 * "leave it alone" by `chmod 444` (CI runs as root). The rename would replace it regardless: the
 * directory, not the file, decides that.
 */
function isReadOnly(file: string, info: Stats): boolean {
  if ((info.mode & 0o222) === 0) return true;
  try {
    accessSync(file, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/**
 * Give the temp file `info`'s owner and group where this process may (root may; others may set a
 * group they are in), then its mode: open() applied the umask, and chown() clears setuid/setgid.
 */
function copyOwnership(temp: string, info: Stats): void {
  try {
    chownSync(temp, info.uid, info.gid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    try {
      chownSync(temp, -1, info.gid);
    } catch (groupError) {
      if ((groupError as NodeJS.ErrnoException).code !== 'EPERM') throw groupError;
    }
  }
  chmodSync(temp, info.mode & 0o7777);
}

/**
 * Replace `input.file` with `text`, keeping its permissions, owner and group (and a symlink a
 * symlink). Refuses a read-only file, and one that changed since it was read, so that a concurrent
 * edit is never overwritten.
 */
export async function writeSpecInPlace(input: SpecInput, text: string): Promise<void> {
  // Through a symlink, replace the file it points at, not the link.
  const file = realpathSync(input.file!);
  const current = readFileSync(file, 'utf8');
  const info = statSync(file);
  if (isReadOnly(file, info)) {
    const name = input.source;
    throw new SpecError(`${name} is read-only; nothing was written.`, {
      hint: `Make it writable (chmod u+w ${name}) and run the command again, or use --stdout to print the new spec instead.`,
    });
  }
  if (current !== input.text) {
    throw new SpecError(`${input.source} changed while kops-audit was working on it; nothing was written.`, {
      hint: 'Run the command again.',
    });
  }
  const temp = path.join(
    path.dirname(file),
    // Unique enough: 'wx' (O_EXCL) refuses an existing file or symlink, so a guessed name can only make
    // the write fail, never redirect it. (node:crypto would cost more to load than the whole write.)
    `.${path.basename(file)}.kops-audit-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`,
  );
  try {
    writeFileSync(temp, text, { mode: info.mode & 0o7777, flag: 'wx' });
    copyOwnership(temp, info);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never made, or is already gone.
    }
    throw new SpecError(`Cannot write ${input.source}: ${(error as Error).message}; the file is unchanged.`, {
      hint: 'Check that the directory is writable, or use --stdout to print the new spec instead.',
    });
  }
}

/** Who besides the owner may read a spec file: how its mode lets them, and the git work tree it is in. */
export interface SpecExposure {
  /** The file's permission bits, when they let group or others read it. */
  readableMode?: number;
  /** The top of the git work tree the file is in (a `.git` directory or file there). */
  gitWorkTree?: string;
}

export function specExposure(file: string): SpecExposure {
  const real = realpathSync(file);
  const exposure: SpecExposure = {};
  const mode = statSync(real).mode & 0o777;
  if ((mode & 0o044) !== 0) exposure.readableMode = mode;
  // What git itself looks for, without needing git: `.git` is a file in worktrees and submodules.
  for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) {
      exposure.gitWorkTree = dir;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  return exposure;
}
