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
 * of either, recognised by its magic bytes whatever the name. Memory stays bounded: one chunk and one
 * unfinished line are held at a time, and a line longer than MAX_LINE_BYTES is dropped.
 */

/** A longer line is dropped (its consumer is told), so memory stays bounded whatever the input. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * 120 KiB reads: each decoded chunk stays under V8's 128 KiB limit for ordinary heap objects, so it is
 * a young string that dies cheaply. Measured on a 200 MB log: peak RSS about 79 MB, against 95 MB with
 * 256 KiB reads and 120-170 MB with 1 MiB reads (external strings that linger until a full GC), and the
 * least CPU of the sizes tried.
 */
const READ_CHUNK_BYTES = 120 * 1024;

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
   * Complete lines, in input order: bytes that end with a newline, or at the end of input the last
   * line without one. Cut at the byte level (a newline byte never occurs inside a UTF-8 sequence), so
   * a consumer can decode a whole run at once.
   */
  onLines(bytes: Buffer): void;
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
  let handle: FileHandle | undefined;
  let totalBytes: number | undefined;
  let raw: AsyncIterable<Buffer>;
  if (source === '-') {
    raw = ctx.io.stdin as AsyncIterable<Buffer>;
  } else {
    try {
      handle = await open(path.resolve(ctx.cwd, source), 'r');
      const stat = await handle.stat();
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      totalBytes = options.range ? options.range.end - options.range.start : stat.size;
    } catch (error) {
      await handle?.close();
      throw cannotRead(source, describe, error);
    }
    raw = handle.createReadStream({
      highWaterMark: READ_CHUNK_BYTES,
      autoClose: false,
      ...(options.range ? { start: options.range.start, end: options.range.end - 1 } : {}),
    });
  }

  const summary: InputSummary = { source, gzip: false, truncated: false, bytesRead: 0, textBytes: 0 };
  const splitter = new LineSplitter(options);
  try {
    const counted = countBytes(raw, (n) => {
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
      splitter.push(chunk);
      options.onChunk?.(summary.bytesRead, totalBytes);
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
      onLines(bytes) {
        const text = bytes.toString('utf8');
        let pos = 0;
        while (pos < text.length) {
          let nl = text.indexOf('\n', pos);
          if (nl < 0) nl = text.length;
          const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          options.onLine(text.slice(pos, end), ++lineNumber);
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

/** Cuts chunks into runs of complete lines; holds one chunk plus the unfinished line. */
class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** Inside a line too long to keep: drop bytes up to the next newline. */
  private skipping = false;

  constructor(private readonly consumer: Pick<LineRunOptions, 'onLines' | 'onLongLine'>) {}

  push(chunk: Buffer): void {
    let from = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) return;
      this.skipping = false; // the long line was reported when it was found
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < from) {
      this.keep(chunk.subarray(from));
      return;
    }
    if (this.carryBytes > 0) {
      // Finish the carried line on its own, so the rest of the chunk is passed on without a copy.
      const nl = chunk.indexOf(NEWLINE, from);
      this.carry.push(chunk.subarray(from, nl + 1));
      this.consumer.onLines(Buffer.concat(this.carry, this.carryBytes + nl + 1 - from));
      this.carry = [];
      this.carryBytes = 0;
      from = nl + 1;
    }
    if (last >= from) this.consumer.onLines(chunk.subarray(from, last + 1));
    this.keep(chunk.subarray(last + 1));
  }

  end(): void {
    if (this.carryBytes > 0 && !this.skipping)
      this.consumer.onLines(Buffer.concat(this.carry, this.carryBytes));
    this.carry = [];
    this.carryBytes = 0;
  }

  private keep(rest: Buffer): void {
    if (rest.length === 0) return;
    if (this.carryBytes + rest.length > MAX_LINE_BYTES) {
      this.consumer.onLongLine();
      this.carry = [];
      this.carryBytes = 0;
      this.skipping = true;
      return;
    }
    // Copy: the chunk it came from can then be collected.
    this.carry.push(Buffer.from(rest));
    this.carryBytes += rest.length;
  }
}
