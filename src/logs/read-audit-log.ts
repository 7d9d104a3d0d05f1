import { isAscii, isUtf8 } from 'node:buffer';
import type { Ctx } from '../io.js';
import type { AuditRecord } from './audit-event.js';
import { copyRecord, isReused, type MalformedReason, parseAuditBytes } from './parse-line.js';
import { type InputSummary, readLineRuns } from './read-lines.js';

export { controlBytes } from './control-bytes.js';

/** How many malformed lines are reported by number; the rest are only counted. */
export const MALFORMED_LINES_KEPT = 10;
const NEWLINE = 0x0a;
const CR = 0x0d;

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
  /**
   * The record given to onEvent (and the objects in it) may be reused for the next event: the
   * consumer reads it and keeps nothing of it but strings. Spares a copy per event. Default false.
   */
  reuseRecords?: boolean;
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
  const parser = new AuditLines(
    summary,
    options,
    options.managedFields ?? true,
    options.reuseRecords ?? false,
  );
  const { onProgress } = options;
  const input = await readLineRuns(
    source,
    ctx,
    {
      onLines: (bytes, start, end) => parser.lines(bytes, start, end),
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
 * Parses runs of complete lines, in place: the bytes are never decoded as a whole. The scanner reads
 * each line where it lies and refuses any raw control character it meets (JSON.parse decides those
 * lines), and looks over the bytes it skips unread for them too.
 */
class AuditLines {
  constructor(
    private readonly summary: ReadSummary,
    private readonly listener: Pick<ReadOptions, 'onEvent' | 'onMalformed' | 'onBlank'>,
    private readonly walkBodies: boolean,
    private readonly reuseRecords: boolean,
  ) {}

  /** Complete lines in bytes[start, end), which ends with a newline. */
  lines(bytes: Buffer, start: number, end: number): void {
    const allAscii = isAscii(bytes.subarray(start, end));
    let pos = start;
    while (pos < end) {
      const nl = bytes.indexOf(NEWLINE, pos);
      const lineEnd = nl > pos && bytes[nl - 1] === CR ? nl - 1 : nl;
      this.line(bytes, pos, lineEnd, allAscii);
      pos = nl + 1;
    }
  }

  private line(bytes: Buffer, start: number, end: number, allAscii: boolean): void {
    const number = ++this.summary.lines;
    if (start === end) {
      this.blank(number);
      return;
    }
    let ascii = allAscii;
    let exact = true;
    if (!ascii) {
      const line = bytes.subarray(start, end);
      ascii = isAscii(line);
      exact = ascii || isUtf8(line);
    }
    const result = parseAuditBytes(bytes, start, end, number, ascii, exact, this.walkBodies);
    if (Array.isArray(result)) {
      for (const record of result) {
        this.summary.events++;
        this.listener.onEvent(record);
      }
      return;
    }
    if (typeof result !== 'string') {
      this.summary.events++;
      this.listener.onEvent(this.reuseRecords || !isReused(result) ? result : copyRecord(result));
      return;
    }
    if (result === 'not JSON' && bytes.toString('utf8', start, end).trim() === '') {
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
