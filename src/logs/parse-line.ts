import { type AuditRecord, fieldsFromParsed, sizesFromParsed } from './audit-event.js';
import { copyFields, scanEventBytes } from './scan-event.js';

/** Raw control characters other than the newline: JSON.parse refuses them inside strings. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

/** Why a line is not an audit event (a short phrase for the malformed-line report). */
export type MalformedReason = 'not JSON' | 'not a JSON object' | 'not an audit event' | 'no verb';

/** The record parseAuditBytes returns for a line the scanner took: the same object every time. */
const scannedRecord: AuditRecord = { event: {}, sizes: {} as AuditRecord['sizes'], line: 0 };

/**
 * Read the line `bytes[start, end)` as audit events: one Event, or the items of an EventList (what the
 * webhook backend sends, sometimes saved as lines too). Returns the records, or the reason the line is
 * malformed. The byte after the line is its newline (or CR); `ascii` and `exact` are as for
 * scanEventBytes; `walkBodies` false: managedFields sizes are not needed.
 *
 * A single record is reused by the next call (see scanEventBytes): read it, copy what you keep.
 */
export function parseAuditBytes(
  bytes: Buffer,
  start: number,
  end: number,
  line: number,
  ascii: boolean,
  exact: boolean,
  walkBodies: boolean,
): AuditRecord | AuditRecord[] | MalformedReason {
  const scanned = scanEventBytes(bytes, start, end, ascii, exact, walkBodies);
  if (scanned !== undefined && scanned.event.kind !== 'EventList') {
    if (scanned.event.kind !== undefined && scanned.event.kind !== 'Event') return 'not an audit event';
    if (!scanned.event.verb) return 'no verb';
    scannedRecord.event = scanned.event;
    scannedRecord.sizes = scanned.sizes;
    scannedRecord.line = line;
    return scannedRecord;
  }
  return parseSlow(bytes.toString('utf8', start, end), line);
}

/**
 * parseAuditBytes on the line `text[start, end)`, for callers with text in hand; the records are the
 * caller's to keep. `clean` says the line has no raw control characters (otherwise it is checked
 * here); `ascii` is accepted for the callers that know it, and otherwise unused.
 */
export function parseAuditLine(
  text: string,
  start: number,
  end: number,
  line: number,
  _ascii: boolean,
  clean: boolean,
  walkBodies = true,
): AuditRecord | AuditRecord[] | MalformedReason {
  const lineText = text.slice(start, end);
  // The scanner refuses control characters itself; this only spares it the lines known to have one.
  if (!clean && CONTROL.test(lineText)) return parseSlow(lineText, line);
  const bytes = Buffer.from(`${lineText}\n`);
  const length = bytes.length - 1;
  const result = parseAuditBytes(bytes, 0, length, line, length === lineText.length, true, walkBodies);
  return result === scannedRecord ? copyRecord(scannedRecord) : result;
}

/** A record the caller may keep, from one that parseAuditBytes will reuse. */
export function copyRecord(record: AuditRecord): AuditRecord {
  return { event: copyFields(record.event), sizes: { ...record.sizes }, line: record.line };
}

/** Whether `record` is the one parseAuditBytes reuses. */
export function isReused(record: AuditRecord): boolean {
  return record === scannedRecord;
}

/** JSON.parse decides: the definition the fast path must agree with. */
export function parseSlow(lineText: string, line: number): AuditRecord | AuditRecord[] | MalformedReason {
  let parsed: unknown;
  try {
    parsed = JSON.parse(lineText);
  } catch {
    return 'not JSON';
  }
  if (!isObject(parsed)) return 'not a JSON object';
  if (parsed.kind === 'EventList' && Array.isArray(parsed.items)) {
    const records = parsed.items.map((item) =>
      isObject(item) ? eventRecord(item, line) : 'not a JSON object',
    );
    const events = records.filter((r): r is AuditRecord => typeof r !== 'string');
    return events.length > 0 || records.length === 0 ? events : (records[0] as MalformedReason);
  }
  return eventRecord(parsed, line);
}

function eventRecord(parsed: Record<string, unknown>, line: number): AuditRecord | MalformedReason {
  if (Object.hasOwn(parsed, 'kind') && parsed.kind !== 'Event') return 'not an audit event';
  const event = fieldsFromParsed(parsed);
  if (!event.verb) return 'no verb';
  return { event, sizes: sizesFromParsed(parsed), line };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
