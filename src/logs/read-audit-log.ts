import { isAscii } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { UsageError } from '../errors.js';
import type { Ctx } from '../io.js';
import { readErrorReason } from '../io.js';
import type { AuditRecord } from './audit-event.js';
import { type MalformedReason, parseAuditLine } from './parse-line.js';

/** How many malformed lines are reported by number; the rest are only counted. */
export const MALFORMED_LINES_KEPT = 10;
/** A longer line is counted as malformed and skipped, so memory stays bounded whatever the input. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * 120 KiB reads: each decoded chunk stays under V8's 128 KiB limit for ordinary heap objects, so it is
 * a young string that dies cheaply. Measured on a 200 MB log: peak RSS about 79 MB, against 95 MB with
 * 256 KiB reads and 120-170 MB with 1 MiB reads (external strings that linger until a full GC), and the
 * least CPU of the sizes tried.
 */
const READ_CHUNK_BYTES = 120 * 1024;

export interface MalformedLine {
  line: number;
  reason: MalformedReason | 'longer than 64 MiB';
}

export interface ReadProgress {
  /** Bytes taken from the file or stdin so far (compressed bytes for a .gz). */
  bytesRead: number;
  /** Size of the file, when known (not for stdin). */
  totalBytes: number | undefined;
  events: number;
}

export interface ReadSummary {
  /** The path as given, or `-` for stdin. */
  source: string;
  gzip: boolean;
  /** The gzip stream ends before its end (a file copied while it was written, or cut short). */
  truncated: boolean;
  bytesRead: number;
  /** Bytes of log text after decompression. */
  textBytes: number;
  lines: number;
  events: number;
  malformed: { count: number; first: MalformedLine[] };
}

export interface ReadOptions {
  /** Called once per event, in input order. */
  onEvent(record: AuditRecord): void;
  /** Called for each malformed line, in input order (they are also counted in the summary). */
  onMalformed?(malformed: MalformedLine): void;
  /** Called after each chunk of input. */
  onProgress?(progress: ReadProgress): void;
  /**
   * Whether the sizes must include managedFields (some policy sets omitManagedFields). Without them
   * the reader skips most of each response body (see scanEvent). Default true.
   */
  managedFields?: boolean;
  /** Read only bytes [start, end) of the file (a worker's share; both on line boundaries). */
  range?: { start: number; end: number };
}

/** A summary of nothing read yet from `source`. */
export function emptySummary(source: string): ReadSummary {
  return {
    source,
    gzip: false,
    truncated: false,
    bytesRead: 0,
    textBytes: 0,
    lines: 0,
    events: 0,
    malformed: { count: 0, first: [] },
  };
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Stream the audit events of a log file, `-` (stdin), or a gzip file or stream (recognised by its magic
 * bytes, whatever the name), one JSON object per line as kube-apiserver's log backend writes them.
 * Memory stays bounded: one chunk and one line are held at a time. Malformed lines are counted and the
 * first few reported by number; they never stop the read. Blank lines are skipped.
 */
export async function readAuditLog(source: string, ctx: Ctx, options: ReadOptions): Promise<ReadSummary> {
  let handle: FileHandle | undefined;
  let totalBytes: number | undefined;
  let raw: AsyncIterable<Buffer>;
  if (source === '-') {
    raw = ctx.io.stdin as AsyncIterable<Buffer>;
  } else {
    const file = source;
    try {
      handle = await open(path.resolve(ctx.cwd, file), 'r');
      const stat = await handle.stat();
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      totalBytes = options.range ? options.range.end - options.range.start : stat.size;
    } catch (error) {
      await handle?.close();
      throw cannotRead(source, error);
    }
    raw = handle.createReadStream({
      highWaterMark: READ_CHUNK_BYTES,
      autoClose: false,
      ...(options.range ? { start: options.range.start, end: options.range.end - 1 } : {}),
    });
  }

  const summary = emptySummary(source);
  const splitter = new LineSplitter(summary, options, options.managedFields ?? true);
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
      options.onProgress?.({ bytesRead: summary.bytesRead, totalBytes, events: summary.events });
    }
    splitter.end();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(source, error, summary.gzip);
  } finally {
    await handle?.close();
  }
  return summary;
}

function cannotRead(source: string, error: unknown, gzip = false): UsageError {
  const what = source === '-' ? 'stdin' : source;
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    gzip && code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES'
      ? `not a valid gzip stream (${(error as Error).message})`
      : readErrorReason(error);
  return new UsageError(`Cannot read the audit log ${what}: ${reason}.`, {
    hint: '--events takes a kube-apiserver audit log (JSON lines), a .gz of one, or - to read it from stdin.',
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
  // A truncated .gz (a log copied while being compressed) yields what it holds, then zlib says
  // "unexpected end of file": the read ends there, marked truncated so that the output says the
  // figures cover only part of the log; the cut line is counted as malformed.
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
 * Splits the byte stream into lines and parses each. Lines are cut at the byte level (a newline byte
 * never occurs inside a UTF-8 sequence), so each run of complete lines is decoded once into a flat
 * string that the scanner reads in place. Holds one chunk plus the unfinished line.
 */
class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** Inside a line too long to keep: drop bytes up to the next newline. */
  private skipping = false;

  constructor(
    private readonly summary: ReadSummary,
    private readonly listener: Pick<ReadOptions, 'onEvent' | 'onMalformed'>,
    private readonly walkBodies: boolean,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) return;
      this.skipping = false; // the long line was counted when it was found
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < from) {
      this.keep(chunk.subarray(from));
      return;
    }
    if (this.carryBytes > 0) {
      // Finish the carried line on its own, so the rest of the chunk is decoded without a copy.
      const nl = chunk.indexOf(NEWLINE, from);
      this.carry.push(chunk.subarray(from, nl + 1));
      this.lines(Buffer.concat(this.carry, this.carryBytes + nl + 1 - from));
      this.carry = [];
      this.carryBytes = 0;
      from = nl + 1;
    }
    if (last >= from) this.lines(chunk.subarray(from, last + 1));
    this.keep(chunk.subarray(last + 1));
  }

  end(): void {
    if (this.carryBytes > 0 && !this.skipping) this.lines(Buffer.concat(this.carry, this.carryBytes));
    this.carry = [];
    this.carryBytes = 0;
  }

  private keep(rest: Buffer): void {
    if (rest.length === 0) return;
    if (this.carryBytes + rest.length > MAX_LINE_BYTES) {
      this.malformed(++this.summary.lines, 'longer than 64 MiB');
      this.carry = [];
      this.carryBytes = 0;
      this.skipping = true;
      return;
    }
    // Copy: the chunk it came from can then be collected.
    this.carry.push(Buffer.from(rest));
    this.carryBytes += rest.length;
  }

  /** Complete lines (the last one may lack its newline at the end of input). */
  private lines(bytes: Buffer): void {
    const ascii = isAscii(bytes);
    const source = ascii ? bytes.toString('latin1') : bytes.toString('utf8');
    // Byte offsets of control characters, which JSON.parse refuses in strings: those lines take the
    // slow path. Only meaningful as string indices when the text is ASCII.
    const control = controlBytes(bytes);
    let next = 0;
    let pos = 0;
    for (;;) {
      let nl = source.indexOf('\n', pos);
      if (nl < 0) {
        if (pos >= source.length) return;
        nl = source.length;
      }
      let end = nl;
      if (end > pos && source.charCodeAt(end - 1) === 13) end--; // CRLF
      let clean = control.length === 0;
      if (!clean && ascii) {
        while (next < control.length && control[next]! < pos) next++;
        clean = next === control.length || control[next]! >= end;
      }
      this.line(source, pos, end, ascii, clean);
      pos = nl + 1;
    }
  }

  private line(source: string, start: number, end: number, ascii: boolean, clean: boolean): void {
    const number = ++this.summary.lines;
    if (start === end) return;
    const result = parseAuditLine(source, start, end, number, ascii, clean, this.walkBodies);
    if (Array.isArray(result)) {
      for (const record of result) {
        this.summary.events++;
        this.listener.onEvent(record);
      }
      return;
    }
    if (typeof result !== 'string') {
      this.summary.events++;
      this.listener.onEvent(result);
      return;
    }
    if (result === 'not JSON' && source.slice(start, end).trim() === '') return;
    this.malformed(number, result);
  }

  private malformed(line: number, reason: MalformedLine['reason']): void {
    const { malformed } = this.summary;
    malformed.count++;
    if (malformed.first.length < MALFORMED_LINES_KEPT) malformed.first.push({ line, reason });
    this.listener.onMalformed?.({ line, reason });
  }
}

/**
 * Offsets of bytes below 0x20 other than a newline or the CR of a CRLF. Reads 4 bytes at a time: a word
 * has a byte below 0x20 iff (w - 0x20202020) & ~w & 0x80808080 is non-zero; only such words (about
 * one per line, for its newline) are looked at byte by byte.
 */
export function controlBytes(bytes: Buffer): number[] {
  const found: number[] = [];
  const n = bytes.length;
  let i = 0;
  const misaligned = (4 - (bytes.byteOffset % 4)) % 4;
  for (; i < Math.min(misaligned, n); i++) checkByte(bytes, i, found);
  const words = Math.floor((n - i) / 4);
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    let w = 0;
    // Two words per step: most steps find nothing in either.
    for (; w + 1 < words; w += 2) {
      const a = view[w]!;
      const b = view[w + 1]!;
      if ((((a - 0x20202020) & ~a) | ((b - 0x20202020) & ~b)) & 0x80808080) {
        const at = i + w * 4;
        for (let k = at; k < at + 8; k++) checkByte(bytes, k, found);
      }
    }
    for (; w < words; w++) {
      const word = view[w]!;
      if (((word - 0x20202020) & ~word & 0x80808080) !== 0) {
        const at = i + w * 4;
        for (let k = at; k < at + 4; k++) checkByte(bytes, k, found);
      }
    }
    i += words * 4;
  }
  for (; i < n; i++) checkByte(bytes, i, found);
  return found;
}

function checkByte(bytes: Buffer, i: number, found: number[]): void {
  const b = bytes[i]!;
  if (b >= 0x20 || b === NEWLINE) return;
  if (b === 13 && bytes[i + 1] === NEWLINE) return;
  found.push(i);
}
