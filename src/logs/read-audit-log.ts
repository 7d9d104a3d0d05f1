import { isAscii } from 'node:buffer';
import type { Ctx } from '../io.js';
import type { AuditRecord } from './audit-event.js';
import { type MalformedReason, parseAuditLine } from './parse-line.js';
import { type InputSummary, readLineRuns } from './read-lines.js';

/** How many malformed lines are reported by number; the rest are only counted. */
export const MALFORMED_LINES_KEPT = 10;
const NEWLINE = 0x0a;

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

export interface ReadSummary extends InputSummary {
  lines: number;
  /** Empty or whitespace-only lines (skipped, never malformed). */
  blank: number;
  events: number;
  malformed: { count: number; first: MalformedLine[] };
}

export interface ReadOptions {
  /** Called once per event, in input order. */
  onEvent(record: AuditRecord): void;
  /** Called for each malformed line, in input order (they are also counted in the summary). */
  onMalformed?(malformed: MalformedLine): void;
  /** Called for each blank (empty or whitespace-only) line, in input order. */
  onBlank?(line: number): void;
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
    blank: 0,
    events: 0,
    malformed: { count: 0, first: [] },
  };
}

/**
 * Stream the audit events of a log file, `-` (stdin), or a gzip file or stream (recognised by its magic
 * bytes, whatever the name), one JSON object per line as kube-apiserver's log backend writes them.
 * Memory stays bounded (see read-lines.ts). Malformed lines are counted and the first few reported by
 * number; they never stop the read. Blank lines are skipped.
 */
export async function readAuditLog(source: string, ctx: Ctx, options: ReadOptions): Promise<ReadSummary> {
  const summary = emptySummary(source);
  const parser = new AuditLines(summary, options, options.managedFields ?? true);
  const { onProgress } = options;
  const input = await readLineRuns(
    source,
    ctx,
    {
      onLines: (bytes) => parser.lines(bytes),
      onLongLine: () => parser.malformed(++summary.lines, 'longer than 64 MiB'),
      onChunk:
        onProgress &&
        ((bytesRead, totalBytes) => onProgress({ bytesRead, totalBytes, events: summary.events })),
      range: options.range,
    },
    {
      what: 'the audit log',
      hint: '--events takes a kube-apiserver audit log (JSON lines), a .gz of one, or - to read it from stdin.',
    },
  );
  return Object.assign(summary, input);
}

/**
 * Parses runs of complete lines. Each run is decoded once into a flat string that the scanner reads
 * in place.
 */
class AuditLines {
  constructor(
    private readonly summary: ReadSummary,
    private readonly listener: Pick<ReadOptions, 'onEvent' | 'onMalformed' | 'onBlank'>,
    private readonly walkBodies: boolean,
  ) {}

  /** Complete lines (the last one may lack its newline at the end of input). */
  lines(bytes: Buffer): void {
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
    if (start === end) {
      this.blank(number);
      return;
    }
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
    if (result === 'not JSON' && source.slice(start, end).trim() === '') {
      this.blank(number);
      return;
    }
    this.malformed(number, result);
  }

  private blank(line: number): void {
    this.summary.blank++;
    this.listener.onBlank?.(line);
  }

  malformed(line: number, reason: MalformedLine['reason']): void {
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
