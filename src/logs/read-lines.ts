import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { UsageError } from '../errors.js';
import type { Ctx } from '../io.js';
import { readErrorReason } from '../io.js';

/**
 * The one reader of line-based input files (audit logs, request lists): a file, `-` (stdin), or gzip
 * of either, recognised by its magic bytes whatever the name. Memory stays bounded: two read buffers
 * and one unfinished line are held at a time, and a line longer than MAX_LINE_BYTES is dropped.
 */

/** A longer line is dropped (its consumer is told), so memory stays bounded whatever the input. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * A plain file is read 1 MiB at a time into two buffers used in turn: one read is always in flight
 * while the other buffer is split, and nothing is allocated per read. Lines are handed on as bytes, never
 * decoded here, so the buffer size no longer touches the heap (decoded 1 MiB chunks were external
 * strings that lingered until a full GC: hence the 120 KiB reads of before).
 */
const READ_BYTES = 1024 * 1024;
/** The unfinished line starts in a buffer this big; a longer line grows it, and it shrinks back after. */
const CARRY_BYTES = 64 * 1024;
const KEEP_CARRY_BYTES = 4 * 1024 * 1024;

export interface InputSummary {
  /** The path as given, or `-` for stdin. */
  source: string;
  gzip: boolean;
  /** The gzip stream ends before its end (a file copied while it was written, or cut short). */
  truncated: boolean;
  /** Bytes taken from the file or stdin (compressed bytes for gzip). */
  bytesRead: number;
  /** Bytes of text after decompression. */
  textBytes: number;
}

/** What the input is, for "Cannot read <what> FILE: reason." and the hint under it. */
export interface InputDescription {
  what: string;
  hint: string;
}

export interface LineRunOptions {
  /**
   * Complete lines, in input order: `bytes[start, end)`, which ends with a newline (one is added to a
   * last line without). Cut at the byte level (a newline byte never occurs inside a UTF-8 sequence),
   * so a consumer can decode a whole run at once. The bytes are valid only during the call: the
   * buffer is reused for the input that follows.
   */
  onLines(bytes: Buffer, start: number, end: number): void;
  /** A line longer than MAX_LINE_BYTES was dropped; called in its place in the order of onLines. */
  onLongLine(): void;
  /** Called after each chunk of input. */
  onChunk?(bytesRead: number, totalBytes: number | undefined): void;
  /** Read only bytes [start, end) of the file (both on line boundaries). */
  range?: { start: number; end: number };
}

/** Streams `source` as runs of complete lines; returns what was read. */
export async function readLineRuns(
  source: string,
  ctx: Ctx,
  options: LineRunOptions,
  describe: InputDescription,
): Promise<InputSummary> {
  const summary: InputSummary = { source, gzip: false, truncated: false, bytesRead: 0, textBytes: 0 };
  const splitter = new LineSplitter(options);
  let handle: FileHandle | undefined;
  let totalBytes: number | undefined;
  try {
    let chunks: AsyncIterable<Buffer> | undefined;
    if (source === '-') {
      chunks = ctx.io.stdin as AsyncIterable<Buffer>;
    } else {
      try {
        handle = await open(path.resolve(ctx.cwd, source), 'r');
        const stat = await handle.stat();
        if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
        totalBytes = options.range ? options.range.end - options.range.start : stat.size;
      } catch (error) {
        throw cannotRead(source, describe, error);
      }
      const from = options.range?.start ?? 0;
      const to = options.range?.end ?? Number.POSITIVE_INFINITY;
      if (await startsLikeGzip(handle, from, to)) {
        // zlib holds on to what it is given: gzip input gets fresh chunks from a stream.
        chunks = handle.createReadStream({
          highWaterMark: 256 * 1024,
          autoClose: false,
          start: from,
          ...(options.range ? { end: to - 1 } : {}),
        });
      } else {
        await readPlainFile(handle, from, to, (bytes, length) => {
          summary.bytesRead += length;
          summary.textBytes += length;
          splitter.push(bytes, length);
          options.onChunk?.(summary.bytesRead, totalBytes);
        });
      }
    }
    if (chunks !== undefined) {
      const counted = countBytes(chunks, (n) => {
        summary.bytesRead += n;
      });
      for await (const chunk of maybeGunzip(
        counted,
        () => {
          summary.gzip = true;
        },
        () => {
          summary.truncated = true;
        },
      )) {
        summary.textBytes += chunk.length;
        splitter.push(chunk, chunk.length);
        options.onChunk?.(summary.bytesRead, totalBytes);
      }
    }
    splitter.end();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(source, describe, error, summary.gzip);
  } finally {
    await handle?.close();
  }
  return summary;
}

/** Whether the bytes at `from` start with the gzip magic (a lone first byte of it counts, as zlib would fail on it). */
async function startsLikeGzip(handle: FileHandle, from: number, to: number): Promise<boolean> {
  const head = Buffer.alloc(2);
  const { bytesRead } = await handle.read(head, 0, Math.max(0, Math.min(2, to - from)), from);
  return bytesRead > 0 && head[0] === GZIP_MAGIC_0 && (bytesRead < 2 || head[1] === GZIP_MAGIC_1);
}

/**
 * Read buffers kept for the next file: a thread that reads many byte ranges (simulate's threads) then
 * reuses the same two instead of leaving 2 MiB per range for the next garbage collection, which, with
 * next to nothing allocated per event, comes seldom.
 */
const spareBuffers: Buffer[] = [];

/**
 * Read [from, to) of a plain file into two reused buffers in turn: while `onBytes` works on one, the
 * next read fills the other. `onBytes` must be done with a buffer when it returns.
 */
async function readPlainFile(
  handle: FileHandle,
  from: number,
  to: number,
  onBytes: (bytes: Buffer, length: number) => void,
): Promise<void> {
  const buffers = [
    spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_BYTES),
    spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_BYTES),
  ] as const;
  let position = from;
  const read = async (buffer: Buffer): Promise<number> => {
    const length = Math.min(READ_BYTES, to - position);
    if (length <= 0) return 0;
    return (await handle.read(buffer, 0, length, position)).bytesRead;
  };
  let current = 0;
  let pending = read(buffers[0]);
  try {
    for (;;) {
      const length = await pending;
      if (length === 0) return;
      position += length;
      pending = read(buffers[current ^ 1]!);
      onBytes(buffers[current]!, length);
      current ^= 1;
    }
  } finally {
    // A read still in flight (onBytes threw) must end before the file is closed.
    await pending.catch(() => 0);
    if (spareBuffers.length < 2) spareBuffers.push(...buffers);
  }
}

/**
 * readLineRuns one line at a time, decoded as UTF-8 without its newline (or CRLF) and numbered from 1.
 * Simpler and slower than a consumer of whole runs: for small inputs such as request lists.
 */
export function readLines(
  source: string,
  ctx: Ctx,
  options: { onLine(line: string, lineNumber: number): void; onLongLine(lineNumber: number): void },
  describe: InputDescription,
): Promise<InputSummary> {
  let lineNumber = 0;
  return readLineRuns(
    source,
    ctx,
    {
      onLines(bytes, start, end) {
        const text = bytes.toString('utf8', start, end);
        let pos = 0;
        while (pos < text.length) {
          const nl = text.indexOf('\n', pos);
          const lineEnd = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          options.onLine(text.slice(pos, lineEnd), ++lineNumber);
          pos = nl + 1;
        }
      },
      onLongLine: () => options.onLongLine(++lineNumber),
    },
    describe,
  );
}

function cannotRead(source: string, describe: InputDescription, error: unknown, gzip = false): UsageError {
  const name = source === '-' ? 'stdin' : source;
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    gzip && code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES'
      ? `not a valid gzip stream (${(error as Error).message})`
      : readErrorReason(error);
  return new UsageError(`Cannot read ${describe.what} ${name}: ${reason}.`, {
    hint: describe.hint,
    cause: error,
  });
}

async function* countBytes(chunks: AsyncIterable<Buffer>, add: (n: number) => void): AsyncIterable<Buffer> {
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    add(buffer.length);
    yield buffer;
  }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Pass the stream through gunzip when it starts with the gzip magic bytes. */
async function* maybeGunzip(
  chunks: AsyncIterable<Buffer>,
  onGzip: () => void,
  onTruncated: () => void,
): AsyncIterable<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (!first.done && first.value.length === 0) first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => iterator };
  if (!(head[0] === GZIP_MAGIC_0 && (head.length < 2 || head[1] === GZIP_MAGIC_1))) {
    yield head;
    yield* rest;
    return;
  }
  onGzip();
  async function* all(): AsyncIterable<Buffer> {
    yield head;
    yield* rest;
  }
  // A truncated gzip (a log copied while being compressed) yields what it holds, then zlib says
  // "unexpected end of file": the read ends there, marked truncated so that the output can say it
  // covers only part of the input; the cut line goes to the consumer like any other.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const done = pipeline(Readable.from(all()), gunzip);
  done.catch(() => {}); // the error also reaches the loop below
  try {
    yield* gunzip as AsyncIterable<Buffer>;
    await done;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw error;
    onTruncated();
  }
}

/**
 * Cuts chunks into runs of complete lines, passed on in place; holds only the unfinished line, in a
 * buffer of its own that is reused from line to line.
 */
class LineSplitter {
  private carry = Buffer.allocUnsafeSlow(CARRY_BYTES);
  private carryBytes = 0;
  /** Inside a line too long to keep: drop bytes up to the next newline. */
  private skipping = false;

  constructor(private readonly consumer: Pick<LineRunOptions, 'onLines' | 'onLongLine'>) {}

  /** The first `length` bytes of `chunk`. */
  push(chunk: Buffer, length: number): void {
    let from = 0;
    if (this.skipping) {
      const nl = newlineIn(chunk, 0, length);
      if (nl < 0) return;
      this.skipping = false; // the long line was reported when it was found
      from = nl + 1;
    }
    if (this.carryBytes > 0) {
      // Finish the carried line on its own, so the rest of the chunk is passed on without a copy.
      const nl = newlineIn(chunk, from, length);
      if (nl < 0) {
        this.keep(chunk, from, length);
        return;
      }
      if (this.carryBytes + nl - from > MAX_LINE_BYTES) {
        this.dropCarry();
      } else {
        this.append(chunk, from, nl + 1);
        this.consumer.onLines(this.carry, 0, this.carryBytes);
        this.clearCarry();
      }
      from = nl + 1;
    }
    const last = from < length ? chunk.lastIndexOf(NEWLINE, length - 1) : -1;
    if (last >= from) this.consumer.onLines(chunk, from, last + 1);
    this.keep(chunk, Math.max(from, last + 1), length);
  }

  end(): void {
    if (this.carryBytes > 0) {
      this.append(NEWLINE_BYTES, 0, 1);
      this.consumer.onLines(this.carry, 0, this.carryBytes);
    }
    this.clearCarry();
  }

  /** Keep chunk[from, to) as (the start of) the unfinished line. */
  private keep(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    if (this.carryBytes + to - from > MAX_LINE_BYTES) {
      this.dropCarry();
      this.skipping = true;
      return;
    }
    this.append(chunk, from, to);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const needed = this.carryBytes + to - from;
    if (needed > this.carry.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * this.carry.length));
      this.carry.copy(grown, 0, 0, this.carryBytes);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carryBytes, from, to);
    this.carryBytes = needed;
  }

  private dropCarry(): void {
    this.consumer.onLongLine();
    this.clearCarry();
  }

  private clearCarry(): void {
    this.carryBytes = 0;
    if (this.carry.length > KEEP_CARRY_BYTES) this.carry = Buffer.allocUnsafeSlow(CARRY_BYTES);
  }
}

const NEWLINE_BYTES = Buffer.from('\n');

/** The first newline in chunk[from, to), or -1. */
function newlineIn(chunk: Buffer, from: number, to: number): number {
  if (from >= to) return -1;
  const nl = chunk.indexOf(NEWLINE, from);
  return nl >= 0 && nl < to ? nl : -1;
}
