import { type AuditRecord, fieldsFromParsed, sizesFromParsed } from './audit-event.js';
import { scanEvent } from './scan-event.js';

/** Raw control characters other than the newline: JSON.parse refuses them inside strings. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

/** Why a line is not an audit event (a short phrase for the malformed-line report). */
export type MalformedReason = 'not JSON' | 'not a JSON object' | 'not an audit event' | 'no verb';

/**
 * Read the line `text[start, end)` as audit events: one Event, or the items of an EventList (what the
 * webhook backend sends, sometimes saved as lines too). Returns the records, or the reason the line is
 * malformed. `ascii` says the text has no non-ASCII characters (string indices are byte offsets);
 * `clean` says the line has no raw control characters (otherwise it is checked here). `walkBodies`
 * false: managedFields sizes are not needed (see scanEvent).
 */
export function parseAuditLine(
  text: string,
  start: number,
  end: number,
  line: number,
  ascii: boolean,
  clean: boolean,
  walkBodies = true,
): AuditRecord | AuditRecord[] | MalformedReason {
  if (clean || !CONTROL.test(text.slice(start, end))) {
    const lineAscii = ascii || Buffer.byteLength(text.slice(start, end), 'utf8') === end - start;
    const scanned = scanEvent(text, start, end, lineAscii, walkBodies);
    if (scanned !== undefined && scanned.event.kind !== 'EventList') {
      if (scanned.event.kind !== undefined && scanned.event.kind !== 'Event') return 'not an audit event';
      if (!scanned.event.verb) return 'no verb';
      return { event: scanned.event, sizes: scanned.sizes, line };
    }
  }
  return parseSlow(text.slice(start, end), line);
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
