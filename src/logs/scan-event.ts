import type { AuditEventFields, AuditObjectRef, AuditUser, EventSizes } from './audit-event.js';

/**
 * A fast path for reading one audit-event line without building the whole object. kube-apiserver writes
 * compact JSON, and most of a line is request and response bodies that simulate only needs to measure,
 * so this walks the line once, checking JSON grammar as it goes, extracts the handful of fields the
 * policy reads, and records where the bodies and their managedFields are.
 *
 * It gives up (returns undefined) on anything it is not sure of: whitespace between tokens, a key it
 * reads appearing twice, a field of an unexpected type, or invalid JSON. The caller then uses JSON.parse
 * with fieldsFromParsed/sizesFromParsed, which define the answer; this path agrees with them on every
 * line it accepts (test/unit/logs/scan-event.test.ts). The caller must rule out raw control characters
 * first (strings are skipped with indexOf, not inspected character by character).
 *
 * Speed matters here (see bench/): strings are skipped with String#indexOf, which V8 runs natively, and
 * the hot loops keep their state in locals.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface ScannedEvent {
  event: AuditEventFields;
  sizes: EventSizes;
}

/** Thrown inside this module when the fast path gives up; never escapes it. */
class GiveUp {}
const GIVE_UP = new GiveUp();

const MAX_DEPTH = 512;
const containerStack = new Uint8Array(MAX_DEPTH);

/**
 * Scanner state, in one object rather than module-level `let`s: V8 reads properties of a constant
 * object faster than module bindings, which need a check for the temporal dead zone on every access.
 */
const st = {
  /** The text being scanned, the end of the current line, and the read position. */
  text: '',
  lineEnd: 0,
  pos: 0,
  /** Cached position of the next backslash at or after `st.backslashFrom` (Infinity: none). */
  nextBackslash: -1,
  backslashFrom: 0,
  /** Set by skipString: the string just skipped had escapes. */
  hadEscape: false,
  /** managedFields spans: keyStart, valueEnd, comma (0|1), body (0 request | 1 response). */
  managedSpans: [] as number[],
  currentBody: 0,
};

/**
 * Skip the string whose opening quote is at `i`; returns the index after its closing quote, or -1.
 * Escapes are validated as JSON.parse would.
 */
function skipString(i: number): number {
  const s = st.text;
  let j = i + 1;
  st.hadEscape = false;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0 || q >= st.lineEnd) return -1;
    if (st.nextBackslash < j || st.backslashFrom > j) {
      const found = s.indexOf('\\', j);
      st.nextBackslash = found < 0 ? Number.POSITIVE_INFINITY : found;
      st.backslashFrom = j;
    }
    if (st.nextBackslash > q) return q + 1;
    // Validate every escape up to the quote; an escaped quote means the string goes on.
    st.hadEscape = true;
    let b = st.nextBackslash;
    let escapedQuote = false;
    while (b < q) {
      const c = s.charCodeAt(b + 1);
      if (c === 0x75 /* u */) {
        if (!isHex4(s, b + 2)) return -1;
        j = b + 6;
      } else if (
        c === QUOTE ||
        c === BACKSLASH ||
        c === 0x2f /* / */ ||
        c === 0x62 /* b */ ||
        c === 0x66 /* f */ ||
        c === 0x6e /* n */ ||
        c === 0x72 /* r */ ||
        c === 0x74 /* t */
      ) {
        j = b + 2;
        if (b + 1 === q) escapedQuote = true;
      } else {
        return -1;
      }
      const found = s.indexOf('\\', j);
      b = found < 0 ? Number.POSITIVE_INFINITY : found;
      st.nextBackslash = b;
      st.backslashFrom = j;
      if (escapedQuote) break;
    }
    if (!escapedQuote) {
      // \uXXXX may run past q only if q were inside it, which isHex4 refused.
      return q + 1;
    }
    if (j > st.lineEnd) return -1;
  }
}

function isHex4(s: string, j: number): boolean {
  for (let k = j; k < j + 4; k++) {
    const c = s.charCodeAt(k);
    const hex = (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return true;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? starting at i; the index after it, or -1. */
function skipNumber(i: number): number {
  const s = st.text;
  let j = i;
  if (s.charCodeAt(j) === MINUS) j++;
  let c = s.charCodeAt(j);
  if (c === DIGIT_0) j++;
  else if (c > DIGIT_0 && c <= DIGIT_9) j = digits(s, j + 1);
  else return -1;
  c = s.charCodeAt(j);
  if (c === DOT) {
    const k = digits(s, j + 1);
    if (k === j + 1) return -1;
    j = k;
    c = s.charCodeAt(j);
  }
  if (c === 0x65 /* e */ || c === 0x45 /* E */) {
    j++;
    c = s.charCodeAt(j);
    if (c === PLUS || c === MINUS) j++;
    const k = digits(s, j);
    if (k === j) return -1;
    j = k;
  }
  return j;
}

function digits(s: string, j: number): number {
  let k = j;
  for (;;) {
    const c = s.charCodeAt(k);
    if (c >= DIGIT_0 && c <= DIGIT_9) k++;
    else return k;
  }
}

/** Skip one JSON value starting at `i`, checking its grammar; the index after it, or -1. */
function skipValue(start: number): number {
  const s = st.text;
  const stack = containerStack;
  let i = start;
  let depth = 0;
  for (;;) {
    // A value starts at i.
    let c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(i);
      if (i < 0) return -1;
    } else if (c === OPEN_BRACE) {
      i++;
      c = s.charCodeAt(i);
      if (c === CLOSE_BRACE) {
        i++;
      } else {
        if (c !== QUOTE || depth === MAX_DEPTH) return -1;
        stack[depth++] = 1;
        i = skipString(i);
        if (i < 0 || s.charCodeAt(i) !== COLON) return -1;
        i++;
        continue;
      }
    } else if (c === OPEN_BRACKET) {
      i++;
      if (s.charCodeAt(i) === CLOSE_BRACKET) {
        i++;
      } else {
        if (depth === MAX_DEPTH) return -1;
        stack[depth++] = 0;
        continue;
      }
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      i = skipNumber(i);
      if (i < 0) return -1;
    } else if (c === 0x74 /* t */ && s.startsWith('true', i)) {
      i += 4;
    } else if (c === 0x66 /* f */ && s.startsWith('false', i)) {
      i += 5;
    } else if (c === 0x6e /* n */ && s.startsWith('null', i)) {
      i += 4;
    } else {
      return -1;
    }
    // After a value: close containers until one continues with a comma.
    for (;;) {
      if (depth === 0) return i > st.lineEnd ? -1 : i;
      c = s.charCodeAt(i);
      const inObject = stack[depth - 1] === 1;
      if (c === COMMA) {
        i++;
        if (inObject) {
          if (s.charCodeAt(i) !== QUOTE) return -1;
          i = skipString(i);
          if (i < 0 || s.charCodeAt(i) !== COLON) return -1;
          i++;
        }
        break;
      }
      if (inObject ? c === CLOSE_BRACE : c === CLOSE_BRACKET) {
        depth--;
        i++;
        continue;
      }
      return -1;
    }
  }
}

function skip(): void {
  const next = skipValue(st.pos);
  if (next < 0) throw GIVE_UP;
  st.pos = next;
}

/** A member key at `pos` and its colon; returns the key's text (decoded when it has escapes). */
function readKey(): string {
  const key = readString();
  if (st.text.charCodeAt(st.pos) !== COLON) throw GIVE_UP;
  st.pos++;
  return key;
}

function readString(): string {
  const start = st.pos;
  if (st.text.charCodeAt(start) !== QUOTE) throw GIVE_UP;
  const end = skipString(start);
  if (end < 0) throw GIVE_UP;
  st.pos = end;
  return st.hadEscape ? (JSON.parse(st.text.slice(start, end)) as string) : st.text.slice(start + 1, end - 1);
}

function readStringArray(): string[] {
  if (st.text.charCodeAt(st.pos) !== OPEN_BRACKET) throw GIVE_UP;
  st.pos++;
  const out: string[] = [];
  if (st.text.charCodeAt(st.pos) === CLOSE_BRACKET) {
    st.pos++;
    return out;
  }
  for (;;) {
    out.push(readString());
    const c = st.text.charCodeAt(st.pos++);
    if (c === COMMA) continue;
    if (c === CLOSE_BRACKET) return out;
    throw GIVE_UP;
  }
}

/**
 * Walk the members of the object at `st.pos`. `visit(key, keyStart)` reads the value of keys it wants and
 * returns true; other values are skipped. A key in `tracked` seen twice gives up (JSON.parse would keep
 * the last one; leave such lines to it). Returns the member count.
 */
function members(visit: (key: string, keyStart: number) => boolean, tracked: readonly string[]): number {
  if (st.text.charCodeAt(st.pos) !== OPEN_BRACE) throw GIVE_UP;
  st.pos++;
  if (st.text.charCodeAt(st.pos) === CLOSE_BRACE) {
    st.pos++;
    return 0;
  }
  let count = 0;
  let seen = 0;
  for (;;) {
    const keyStart = st.pos;
    const key = readKey();
    count++;
    const index = tracked.indexOf(key);
    if (index >= 0) {
      const bit = 1 << index;
      if ((seen & bit) !== 0) throw GIVE_UP;
      seen |= bit;
    }
    if (!visit(key, keyStart)) skip();
    const c = st.text.charCodeAt(st.pos++);
    if (c === COMMA) continue;
    if (c === CLOSE_BRACE) return count;
    throw GIVE_UP;
  }
}

/** Visit each element of the array at `st.pos` that is an object; skip the others. False if no array. */
function eachObject(visit: () => void): boolean {
  if (st.text.charCodeAt(st.pos) !== OPEN_BRACKET) return false;
  st.pos++;
  if (st.text.charCodeAt(st.pos) === CLOSE_BRACKET) {
    st.pos++;
    return true;
  }
  for (;;) {
    if (st.text.charCodeAt(st.pos) === OPEN_BRACE) visit();
    else skip();
    const c = st.text.charCodeAt(st.pos++);
    if (c === COMMA) continue;
    if (c === CLOSE_BRACKET) return true;
    throw GIVE_UP;
  }
}

const TOP_KEYS = [
  'kind',
  'level',
  'stage',
  'verb',
  'requestURI',
  'requestReceivedTimestamp',
  'stageTimestamp',
  'user',
  'objectRef',
  'requestObject',
  'responseObject',
] as const;
const USER_KEYS = ['username', 'groups'] as const;
const OBJECT_REF_KEYS = ['resource', 'namespace', 'name', 'apiGroup', 'subresource'] as const;
const BODY_KEYS = ['metadata', 'items', 'rows'] as const;
const ITEM_KEYS = ['metadata'] as const;
const ROW_KEYS = ['object'] as const;
const METADATA_KEYS = ['managedFields'] as const;

/** Body spans found in the current line: [keyStart, valueEnd) of each body, -1 when absent. */
const bodyStart = [-1, -1];
const bodyEnd = [-1, -1];

function readUser(): AuditUser {
  const user: AuditUser = {};
  members((key) => {
    if (key === 'username') user.username = readString();
    else if (key === 'groups') user.groups = readStringArray();
    else return false;
    return true;
  }, USER_KEYS);
  return user;
}

function readObjectRef(): AuditObjectRef {
  const ref: AuditObjectRef = {};
  members((key) => {
    switch (key) {
      case 'resource':
      case 'namespace':
      case 'name':
      case 'apiGroup':
      case 'subresource':
        ref[key] = readString();
        return true;
      default:
        return false;
    }
  }, OBJECT_REF_KEYS);
  return ref;
}

/** `metadata` of an object in a body: note where its managedFields are. False if not an object. */
function visitMetadata(): boolean {
  if (st.text.charCodeAt(st.pos) !== OPEN_BRACE) return false;
  let start = -1;
  let end = -1;
  const count = members((key, keyStart) => {
    if (key !== 'managedFields') return false;
    skip();
    start = keyStart;
    end = st.pos;
    return true;
  }, METADATA_KEYS);
  if (start >= 0) st.managedSpans.push(start, end, count > 1 ? 1 : 0, st.currentBody);
  return true;
}

const visitItem = (): void => {
  members((key) => key === 'metadata' && visitMetadata(), ITEM_KEYS);
};
const visitRow = (): void => {
  members((key) => {
    if (key !== 'object' || st.text.charCodeAt(st.pos) !== OPEN_BRACE) return false;
    visitItem();
    return true;
  }, ROW_KEYS);
};

/**
 * A request or response body: find `metadata.managedFields` in the object itself, in each `items[]`
 * (lists) and in each `rows[].object` (Tables), the places copyWithoutManagedFields
 * (k8s.io/apiserver/pkg/audit/request.go) strips them from.
 */
function visitBody(): void {
  if (st.text.charCodeAt(st.pos) !== OPEN_BRACE) {
    skip();
    return;
  }
  members((key) => {
    if (key === 'metadata') return visitMetadata();
    if (key === 'items') return eachObject(visitItem);
    if (key === 'rows') return eachObject(visitRow);
    return false;
  }, BODY_KEYS);
}

function readTop(): { event: AuditEventFields; memberCount: number } {
  const event: AuditEventFields = {};
  const memberCount = members((key, keyStart) => {
    switch (key) {
      case 'kind':
      case 'level':
      case 'stage':
      case 'verb':
      case 'requestURI':
      case 'requestReceivedTimestamp':
      case 'stageTimestamp':
        event[key] = readString();
        return true;
      case 'user':
        event.user = readUser();
        return true;
      case 'objectRef':
        event.objectRef = readObjectRef();
        return true;
      case 'requestObject':
      case 'responseObject': {
        const which = key === 'requestObject' ? 0 : 1;
        st.currentBody = which;
        visitBody();
        bodyStart[which] = keyStart;
        bodyEnd[which] = st.pos;
        return true;
      }
      default:
        return false;
    }
  }, TOP_KEYS);
  return { event, memberCount };
}

/**
 * Read the event on `source[start, end)` (one line, without its newline) by the fast path, or undefined
 * when JSON.parse must decide. `ascii` says the line has no non-ASCII characters, so string indices are
 * byte offsets. The line must contain no raw control characters (the reader checks).
 */
export function scanEvent(
  source: string,
  start: number,
  end: number,
  ascii: boolean,
): ScannedEvent | undefined {
  if (source !== st.text) {
    st.text = source;
    st.nextBackslash = -1;
    st.backslashFrom = 0;
  }
  st.lineEnd = end;
  st.pos = start;
  bodyStart[0] = bodyStart[1] = bodyEnd[0] = bodyEnd[1] = -1;
  st.managedSpans = [];
  let top: { event: AuditEventFields; memberCount: number };
  try {
    top = readTop();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
  if (st.pos !== end) return undefined;
  return { event: top.event, sizes: measure(start, end, ascii, top.memberCount > 1 ? 1 : 0) };
}

/** Sizes in bytes: dropping a member also drops one comma, unless it was the only member. */
function measure(start: number, end: number, ascii: boolean, comma: number): EventSizes {
  const length = ascii
    ? (a: number, b: number): number => b - a
    : (a: number, b: number): number => Buffer.byteLength(st.text.slice(a, b), 'utf8');
  const sizes: EventSizes = {
    total: length(start, end),
    requestObject: bodyStart[0]! >= 0 ? length(bodyStart[0]!, bodyEnd[0]!) + comma : 0,
    responseObject: bodyStart[1]! >= 0 ? length(bodyStart[1]!, bodyEnd[1]!) + comma : 0,
    requestManagedFields: 0,
    responseManagedFields: 0,
  };
  const spans = st.managedSpans;
  for (let k = 0; k < spans.length; k += 4) {
    const bytes = length(spans[k]!, spans[k + 1]!) + spans[k + 2]!;
    if (spans[k + 3] === 0) sizes.requestManagedFields += bytes;
    else sizes.responseManagedFields += bytes;
  }
  return sizes;
}
