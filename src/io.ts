import type { Readable } from 'node:stream';
import type { StopSignal } from './errors.js';

// The bottom module of kops-audit: the IO types every layer may take (cli/ builds them, apply/, kops/
// and logs/ receive them) and the words for a failed read. It imports nothing of ours but errors.ts.

/** A place to write text: process.stdout in production, a buffer in tests. */
export interface TextSink {
  write(text: string): void;
  /** True when this sink is a terminal. */
  readonly isTTY: boolean;
}

/** Streams injected into every command, so tests can call `run` with buffers. */
export interface Io {
  stdin: Readable;
  stdinIsTTY: boolean;
  stdout: TextSink;
  stderr: TextSink;
}

/** Everything a command may touch besides its options. */
export interface Ctx {
  io: Io;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Milliseconds since the epoch; injected so tests are repeatable. */
  now(): number;
  /**
   * Take over Ctrl-C, SIGTERM and SIGHUP until the returned function is called (e.g. to forward the
   * signal to kops, wait for it and report where things stand). Absent in tests that do not need it.
   */
  onInterrupt?: (handler: (signal?: StopSignal) => void) => () => void;
}

/** Colour only on a TTY and never with NO_COLOR (https://no-color.org); FORCE_COLOR forces it. */
export function useColor(sink: TextSink, env: Ctx['env']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return sink.isTTY && env.TERM !== 'dumb';
}

/** Why a file could not be read, in words a user can act on (for "Cannot read X: <reason>."). */
export function readErrorReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
      return 'permission denied';
    case 'Z_DATA_ERROR':
      return 'it is not valid gzip';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
