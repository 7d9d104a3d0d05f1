/**
 * Loads the bundles in dist/ (cli.cjs, app.cjs) through V8's code cache. Compiling them, and then
 * each function on its first call, is most of what a short command costs on Node 20, which keeps no
 * compiled code between runs (Node >= 22.1 has module.enableCompileCache(); Node 20 is our floor). So
 * the first run of a command compiles as usual and, at exit, saves the code it compiled; later runs
 * read it back. A cache V8 rejects (another Node, other V8 flags) is simply compiled anew.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';

/**
 * A cache file is a header (MAGIC, the CRC-32 of the rest, then FLAGS) and V8's data. V8 checks only
 * the data's own header in release builds, so a file damaged on disk could otherwise run as code.
 * With no zlib.crc32 (Node before 20.15) nothing is cached.
 */
const MAGIC = 'KAC2';
const HEADER_BYTES = 12;
/** Set when the run that wrote the cache finished its command (see `save`). */
const FLAG_COMPLETE = 1;
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export interface BundleLoaderOptions {
  /** The directory holding `<name>.cjs`. */
  distDir: string;
  /**
   * A hash of each bundle's bytes, from the build. It is part of the cache file's name, so a cache is
   * only read back for the bytes it was made from: V8 checks the length of the source, not its text.
   */
  hashes: Readonly<Record<string, string>>;
  /** Where compiled code is kept; undefined for none. */
  cacheDir: string | undefined;
  /** Which command this run is: each keeps its own cache, holding the functions it compiled. */
  variant: string;
}

/** Files of an older build (another hash) are removed this long after they were written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/**
 * What became of a bundle's cache: read back, read back but written by a run that did not finish its
 * command (so it lacks what the rest of the command compiles), absent, refused by V8, or not kept.
 */
export type CacheStatus = 'hit' | 'partial' | 'miss' | 'rejected' | 'off';

interface Pending {
  name: string;
  cacheFile: string;
  script: Script;
  /** There is a usable cache already: replace it only with the code of a finished command. */
  partial: boolean;
}

export class BundleLoader {
  private readonly loaded = new Map<string, unknown>();
  private readonly unsaved: Pending[] = [];
  private readonly statuses = new Map<string, CacheStatus>();

  constructor(private readonly options: BundleLoaderOptions) {}

  /** The exports of `<name>.cjs`, run once. */
  load(name: string): unknown {
    if (this.loaded.has(name)) return this.loaded.get(name);
    const file = path.join(this.options.distDir, `${name}.cjs`);
    const source = readFileSync(file, 'utf8');
    const cacheFile = this.cacheFileOf(name);
    const stored = cacheFile === undefined ? undefined : readIfPresent(cacheFile);
    const intact = stored === undefined ? undefined : intactData(stored);
    const cachedData = intact?.data;
    // The same wrapper as Node's CommonJS loader, on the first line so that line numbers hold.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: file,
      cachedData,
    });
    const status: CacheStatus =
      cacheFile === undefined
        ? 'off'
        : stored === undefined
          ? 'miss'
          : cachedData === undefined || script.cachedDataRejected
            ? 'rejected'
            : intact!.complete
              ? 'hit'
              : 'partial';
    this.statuses.set(name, status);
    if (status !== 'hit' && status !== 'off')
      this.unsaved.push({ name, cacheFile: cacheFile!, script, partial: status === 'partial' });
    const module = { exports: {} as unknown };
    this.loaded.set(name, module.exports);
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper(module.exports, createRequire(file), module, file, path.dirname(file));
    this.loaded.set(name, module.exports);
    return module.exports;
  }

  /** How `name` was compiled, once loaded. */
  cacheStatus(name: string): CacheStatus | undefined {
    return this.statuses.get(name);
  }

  /**
   * Save the compiled code of the bundles that had no usable cache. Call it when the command is done,
   * so that the cache holds every function the command compiled. `finished` says whether the command
   * ran to its end: the cache of a run that stopped early (a missing file, a bad flag) holds only
   * what it got to, and V8 would compile the rest on every later run; it is marked so, and the next
   * finished run replaces it. A failure to write (read-only home, full disk) only means the next run
   * compiles again: it is never reported.
   */
  save(finished: boolean): void {
    const dir = this.options.cacheDir;
    const pending = this.unsaved.splice(0).filter((p) => finished || !p.partial);
    if (dir === undefined || pending.length === 0) return;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (const { name, cacheFile, script } of pending) {
        // Written aside and renamed: a concurrent run reads the old file or the new one, never half.
        const temp = `${cacheFile}.${process.pid}.tmp`;
        // Opened before the code is serialised, which takes a few ms: in a directory that exists but
        // cannot be written to, every run would otherwise spend them for nothing.
        const fd = openSync(temp, 'w', 0o600);
        try {
          writeFileSync(fd, withHeader(script.createCachedData(), finished));
        } catch (error) {
          closeSync(fd);
          rmSync(temp, { force: true });
          throw error;
        }
        closeSync(fd);
        renameSync(temp, cacheFile);
        this.removeStale(name);
      }
    } catch {
      // See above: a cache is an optimisation.
    }
  }

  /** Remove the caches of other builds of `name` that nobody has written for a month. */
  private removeStale(name: string): void {
    const dir = this.options.cacheDir!;
    const current = `${name}-${this.options.hashes[name]}-`;
    const now = Date.now();
    for (const entry of readdirSync(dir)) {
      if (!entry.startsWith(`${name}-`) || entry.startsWith(current)) continue;
      const file = path.join(dir, entry);
      if (now - statSync(file).mtimeMs > STALE_MS) unlinkSync(file);
    }
  }

  private cacheFileOf(name: string): string | undefined {
    const { cacheDir, hashes, variant } = this.options;
    const hash = hashes[name];
    if (cacheDir === undefined || hash === undefined || crc32 === undefined) return undefined;
    return path.join(cacheDir, `${name}-${hash}-${variant}-node${process.version}-${process.arch}.v8cache`);
  }
}

function withHeader(data: Buffer, complete: boolean): Buffer {
  const file = Buffer.concat([Buffer.alloc(HEADER_BYTES), data]);
  file.write(MAGIC, 0, 'latin1');
  file.writeUInt32LE(complete ? FLAG_COMPLETE : 0, 8);
  // The CRC covers the flags too: a damaged flag must not pass for a finished run's cache.
  file.writeUInt32LE(crc32!(file.subarray(8)), 4);
  return file;
}

/** V8's data from a cache file, or undefined when the file is not one of ours or is damaged. */
function intactData(stored: Buffer): { data: Buffer; complete: boolean } | undefined {
  if (stored.length <= HEADER_BYTES || stored.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  if (crc32!(stored.subarray(8)) !== stored.readUInt32LE(4)) return undefined;
  const flags = stored.readUInt32LE(8);
  return { data: stored.subarray(HEADER_BYTES), complete: (flags & FLAG_COMPLETE) !== 0 };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * The per-user cache directory (the XDG base directory on Linux, its counterparts on macOS and
 * Windows), or undefined when KOPS_AUDIT_NO_COMPILE_CACHE is set or there is no home.
 */
export function compileCacheDir(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): string | undefined {
  if (env.KOPS_AUDIT_NO_COMPILE_CACHE) return undefined;
  // The XDG spec says to ignore a relative XDG_CACHE_HOME.
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) {
    return path.join(env.XDG_CACHE_HOME, 'kops-audit');
  }
  if (platform === 'win32') {
    return env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'kops-audit', 'Cache') : undefined;
  }
  const home = env.HOME;
  if (!home || !path.isAbsolute(home)) return undefined;
  return platform === 'darwin'
    ? path.join(home, 'Library', 'Caches', 'kops-audit')
    : path.join(home, '.cache', 'kops-audit');
}

/** The command a run is, for the cache's name: its first word that is not a flag. */
export function cacheVariant(argv: readonly string[]): string {
  const word = argv.find((arg) => !arg.startsWith('-'));
  if (word === undefined) return 'none';
  return /^[a-z][a-z-]{0,19}$/.test(word) ? word : 'other';
}
