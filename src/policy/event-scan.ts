import { requestFromEvent } from './event-request.js';
import type { RequestAttributes } from './types.js';

/**
 * A fast path for audit log lines as kube-apiserver writes them, without JSON.parse of the whole
 * event. Go's encoding/json writes struct fields in declaration order (k8s.io/apiserver
 * pkg/apis/audit/v1/types.go Event; v1beta1 adds metadata and timestamp), and every field the policy
 * needs (requestURI, verb, user, objectRef) comes before responseStatus and the request/response
 * bodies, which are most of the bytes. So the scan reads top-level keys from the start and stops at
 * the first key after objectRef.
 *
 * It only answers when the line is plainly in that shape: it starts with `{"kind":"Event",`, its keys
 * come in declaration order, and it ends with `}`. Anything else (other writers, reordered keys,
 * whitespace, EventList) returns FALL_BACK and the caller uses JSON.parse + requestFromEvent, so the
 * answer is the same either way.
 */

export const FALL_BACK = Symbol('fall back to JSON.parse');
/** The scan needs more of the line than it was given (see `prefixOnly`). */
export const NEED_MORE = Symbol('need the whole line');

const FIELD_ORDER = new Map<string, number>(
  [
    'kind',
    'apiVersion',
    'metadata',
    'level',
    'timestamp',
    'auditID',
    'stage',
    'requestURI',
    'verb',
    'user',
    'impersonatedUser',
    'authenticationMetadata',
    'sourceIPs',
    'userAgent',
    'objectRef',
    'responseStatus',
    'requestObject',
    'responseObject',
    'requestReceivedTimestamp',
    'stageTimestamp',
    'annotations',
  ].map((key, i) => [key, i]),
);
/** Keys from here on cannot be followed by a field the policy needs. */
const AFTER_NEEDED = FIELD_ORDER.get('responseStatus')!;

const START = '{"kind":"Event",';
const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * @param text the line, or a prefix of it when `prefixOnly` is true (the caller has checked that the
 *   whole line ends with `}`).
 */
export function scanEventLine(
  text: string,
  prefixOnly = false,
): RequestAttributes | undefined | typeof FALL_BACK | typeof NEED_MORE {
  if (!text.startsWith(START)) return FALL_BACK;
  if (!prefixOnly && text.charCodeAt(text.length - 1) !== CLOSE_BRACE) return FALL_BACK;
  const fields: Record<string, unknown> = {};
  let i = 1;
  let last = -1;
  const n = text.length;
  for (;;) {
    if (i >= n) return prefixOnly ? NEED_MORE : FALL_BACK;
    if (text.charCodeAt(i) !== QUOTE) return FALL_BACK;
    const keyEnd = text.indexOf('"', i + 1);
    if (keyEnd === -1) return prefixOnly ? NEED_MORE : FALL_BACK;
    const key = text.slice(i + 1, keyEnd);
    if (key.includes('\\')) return FALL_BACK;
    if (text.charCodeAt(keyEnd + 1) !== COLON) return keyEnd + 1 >= n && prefixOnly ? NEED_MORE : FALL_BACK;
    const order = FIELD_ORDER.get(key);
    if (order !== undefined) {
      if (order <= last) return FALL_BACK;
      last = order;
      if (order >= AFTER_NEEDED) break;
    }
    const valueStart = keyEnd + 2;
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd === -1 || valueEnd >= n) return prefixOnly ? NEED_MORE : FALL_BACK;
    if (key === 'verb' || key === 'requestURI' || key === 'user' || key === 'objectRef') {
      try {
        fields[key] = JSON.parse(text.slice(valueStart, valueEnd));
      } catch {
        return FALL_BACK;
      }
    }
    const next = text.charCodeAt(valueEnd);
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return FALL_BACK;
    i = valueEnd + 1;
  }
  return requestFromEvent(fields);
}

/** Index just past the JSON value starting at `i`, or -1 when the text ends first. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    let j = i;
    const n = text.length;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = skipString(text, j);
        if (j === -1) return -1;
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  // number, true, false, null
  let j = i;
  const n = text.length;
  while (j < n) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) return j;
    j++;
  }
  return -1;
}

function skipString(text: string, i: number): number {
  let j = text.indexOf('"', i + 1);
  while (j !== -1) {
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return j + 1;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}
