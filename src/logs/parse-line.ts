import { type AuditRecord, fieldsFromParsed, sizesFromParsed } from './audit-event.js';
import { scanEvent } from './scan-event.js';

/** Raw control characters other than the newline: JSON.parse refuses them inside strings. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

/** Why a line is not an audit event (a short phrase for the malformed-line report). */
export type MalformedReason = 'not JSON' | 'not a JSON object' | 'not an audit Event';

/**
 * Read the line `text[start, end)` as one audit event. Returns the record, or the reason the line is
 * malformed. `ascii` says the text has no non-ASCII characters (string indices are byte offsets);
 * `clean` says the line has no raw control characters (otherwise it is checked here).
 */
export function parseAuditLine(
  text: string,
  start: number,
  end: number,
  line: number,
  ascii: boolean,
  clean: boolean,
): AuditRecord | MalformedReason {
  if (clean || !CONTROL.test(text.slice(start, end))) {
    const lineAscii = ascii || Buffer.byteLength(text.slice(start, end), 'utf8') === end - start;
    const scanned = scanEvent(text, start, end, lineAscii);
    if (scanned !== undefined) {
      if (scanned.event.kind !== undefined && scanned.event.kind !== 'Event') return 'not an audit Event';
      return { event: scanned.event, sizes: scanned.sizes, line };
    }
  }
  return parseSlow(text.slice(start, end), line);
}

/** JSON.parse decides: the definition the fast path must agree with. */
export function parseSlow(lineText: string, line: number): AuditRecord | MalformedReason {
  let parsed: unknown;
  try {
    parsed = JSON.parse(lineText);
  } catch {
    return 'not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const record = parsed as Record<string, unknown>;
  if (Object.hasOwn(record, 'kind') && record.kind !== 'Event') return 'not an audit Event';
  return { event: fieldsFromParsed(record), sizes: sizesFromParsed(record), line };
}
