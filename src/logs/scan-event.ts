import type { AuditEventFields, AuditObjectRef, AuditUser, EventSizes } from './audit-event.js';
import { firstControlByte } from './control-bytes.js';

/**
 * A fast path for reading one audit-event line without building the whole object. kube-apiserver writes
 * compact JSON, and most of a line is request and response bodies that simulate only needs to measure,
 * so this walks the line's bytes once, checking JSON grammar as it goes, extracts the handful of fields
 * the policy reads, and records where the bodies and their managedFields are.
 *
 * It gives up (returns undefined) on anything it is not sure of: whitespace between tokens, a key it
 * reads appearing twice, a field of an unexpected type, or invalid JSON. The caller then uses JSON.parse
 * with fieldsFromParsed/sizesFromParsed, which define the answer; this path agrees with them on every
 * line it accepts (test/unit/logs/scan-event.test.ts). It also gives up on any raw control character
 * (JSON.parse refuses them in strings and takes some as whitespace), in the bytes it reads and in
 * those it skips unread. The byte after the line must be its newline (or any byte below 0x20):
 * string loops stop there instead of checking the line's end on every byte.
 *
 * Speed matters here (see bench/): it works on the bytes as read, never on a decoded copy; the hot
 * loops keep their state in locals; and the result is written into objects reused from line to line.
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
const SPACE = 0x20;
const BANG = 0x21;

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
  /** The bytes being scanned, the end of the current line, and the read position. */
  bytes: Buffer.alloc(0) as Buffer,
  /** The same bytes as a DataView, to compare and hash 4 bytes at a time. */
  words: new DataView(new ArrayBuffer(0)) as DataView,
  lineEnd: 0,
  pos: 0,
  /** The line has no byte above 0x7f: strings decode as latin1. */
  ascii: true,
  /** Sizes are byte offsets: the line is ASCII or valid UTF-8 (else as measured after decoding). */
  exact: true,
  /** Set by skipString: the string just skipped had escapes. */
  hadEscape: false,
  /** managedFields spans, 4 numbers each: keyStart, valueEnd, comma (0|1), body (0 request | 1 response). */
  managedSpans: [] as number[],
  managedCount: 0,
  currentBody: 0,
};

/**
 * Skip the string whose opening quote is at `i`; returns the index after its closing quote, or -1.
 * Escapes are validated as JSON.parse would. Stops at the first byte below 0x20 (the line's newline).
 * Small, so that it is inlined where strings are read: the rest is in skipStringRest.
 */
function skipString(i: number): number {
  const b = st.bytes;
  let j = i + 1;
  let c = b[j]!;
  // Two comparisons per byte: everything above the quote but the backslash goes on.
  while (c > QUOTE && c !== BACKSLASH) c = b[++j]!;
  st.hadEscape = false;
  return c === QUOTE ? j + 1 : skipStringRest(j);
}

/** skipString from `j`, at a space, a '!', a backslash or the end of the line. */
function skipStringRest(from: number): number {
  const b = st.bytes;
  let j = from;
  let c = b[j]!;
  for (;;) {
    while (c > QUOTE && c !== BACKSLASH) c = b[++j]!;
    if (c === QUOTE) return j + 1;
    if (c === SPACE || c === BANG) {
      c = b[++j]!;
      continue;
    }
    if (c !== BACKSLASH) return -1; // below 0x20: the end of the line
    st.hadEscape = true;
    c = b[j + 1]!;
    if (c === 0x75 /* u */) {
      if (!isHex4(b, j + 2)) return -1;
      j += 6;
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
      j += 2;
    } else {
      return -1;
    }
    c = b[j]!;
  }
}

function isHex4(b: Buffer, j: number): boolean {
  for (let k = j; k < j + 4; k++) {
    const c = b[k]!;
    const hex = (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return true;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? starting at i; the index after it, or -1. */
function skipNumber(i: number): number {
  const b = st.bytes;
  let j = i;
  if (b[j] === MINUS) j++;
  let c = b[j]!;
  if (c === DIGIT_0) j++;
  else if (c > DIGIT_0 && c <= DIGIT_9) j = digits(b, j + 1);
  else return -1;
  c = b[j]!;
  if (c === DOT) {
    const k = digits(b, j + 1);
    if (k === j + 1) return -1;
    j = k;
    c = b[j]!;
  }
  if (c === 0x65 /* e */ || c === 0x45 /* E */) {
    j++;
    c = b[j]!;
    if (c === PLUS || c === MINUS) j++;
    const k = digits(b, j);
    if (k === j) return -1;
    j = k;
  }
  return j;
}

function digits(b: Buffer, j: number): number {
  let k = j;
  for (;;) {
    const c = b[k]!;
    if (c >= DIGIT_0 && c <= DIGIT_9) k++;
    else return k;
  }
}

/** The bytes of `word` at i. */
function startsWith(b: Buffer, i: number, word: Uint8Array): boolean {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** Skip one JSON value starting at `i`, checking its grammar; the index after it, or -1. */
function skipValue(start: number): number {
  const b = st.bytes;
  const stack = containerStack;
  let i = start;
  let depth = 0;
  for (;;) {
    // A value starts at i.
    let c = b[i]!;
    if (c === QUOTE) {
      i = skipString(i);
      if (i < 0) return -1;
    } else if (c === OPEN_BRACE) {
      i++;
      c = b[i]!;
      if (c === CLOSE_BRACE) {
        i++;
      } else {
        if (c !== QUOTE || depth === MAX_DEPTH) return -1;
        stack[depth++] = 1;
        i = skipString(i);
        if (i < 0 || b[i] !== COLON) return -1;
        i++;
        continue;
      }
    } else if (c === OPEN_BRACKET) {
      i++;
      if (b[i] === CLOSE_BRACKET) {
        i++;
      } else {
        if (depth === MAX_DEPTH) return -1;
        stack[depth++] = 0;
        continue;
      }
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      i = skipNumber(i);
      if (i < 0) return -1;
    } else if (c === 0x74 /* t */ && startsWith(b, i, TRUE)) {
      i += 4;
    } else if (c === 0x66 /* f */ && startsWith(b, i, FALSE)) {
      i += 5;
    } else if (c === 0x6e /* n */ && startsWith(b, i, NULL)) {
      i += 4;
    } else {
      return -1;
    }
    // After a value: close containers until one continues with a comma.
    for (;;) {
      if (depth === 0) return i > st.lineEnd ? -1 : i;
      c = b[i]!;
      const inObject = stack[depth - 1] === 1;
      if (c === COMMA) {
        i++;
        if (inObject) {
          if (b[i] !== QUOTE) return -1;
          i = skipString(i);
          if (i < 0 || b[i] !== COLON) return -1;
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

/** The text of bytes [start, end) of the line. */
function decode(start: number, end: number): string {
  return st.bytes.toString(st.ascii ? 'latin1' : 'utf8', start, end);
}

/**
 * Strings decoded before, found again by their bytes: a value seen before (a verb, a user, a resource)
 * costs a hash and a comparison instead of a new string. Direct-mapped: a slot holds the last value
 * whose bytes hash to it. The decoded text depends on the bytes alone (ASCII decodes the same either
 * way, and a line with other bytes is decoded as UTF-8), so a hit is always the right string.
 */
class StringCache<T = string> {
  private readonly keys: Uint8Array;
  private readonly keyWords: DataView;
  private readonly lengths: Int32Array;
  private readonly values: Array<T | undefined>;
  /** Where the last `find` looked: the slot to `store` into. */
  private slot = 0;

  constructor(
    private readonly slots: number,
    private readonly maxBytes: number,
  ) {
    this.keys = new Uint8Array(slots * maxBytes);
    this.keyWords = new DataView(this.keys.buffer);
    this.lengths = new Int32Array(slots).fill(-1);
    this.values = new Array<T | undefined>(slots).fill(undefined);
  }

  /** The value stored for bytes [start, end) of the line, or undefined (then `store` may keep one). */
  find(start: number, end: number): T | undefined {
    const length = end - start;
    if (length > this.maxBytes) {
      this.slot = -1;
      return undefined;
    }
    const h = hashOf(start, end) ^ length;
    const slot = (h ^ (h >>> 15)) & (this.slots - 1);
    this.slot = slot;
    if (this.lengths[slot] !== length) return undefined;
    return equalBytes(start, this.keys, this.keyWords, slot * this.maxBytes, length)
      ? this.values[slot]
      : undefined;
  }

  /** Keep `value` for the bytes the last `find` missed. */
  store(start: number, end: number, value: T): void {
    const slot = this.slot;
    if (slot < 0) return;
    st.bytes.copy(this.keys, slot * this.maxBytes, start, end);
    this.lengths[slot] = end - start;
    this.values[slot] = value;
  }

  /** The string of bytes [start, end) of the line, decoded once. */
  text(start: number, end: number): T {
    let value = this.find(start, end);
    if (value === undefined) {
      value = decode(start, end) as T;
      this.store(start, end, value);
    }
    return value;
  }
}

/** FNV-1a over 4-byte words (and the last bytes one by one) of [start, end) of the line. */
function hashOf(start: number, end: number): number {
  const view = st.words;
  let h = 0x811c9dc5 | 0;
  let i = start;
  for (; i + 4 <= end; i += 4) h = Math.imul(h ^ view.getInt32(i, true), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ st.bytes[i]!, 0x01000193);
  return h;
}

/** Whether the line's bytes at `start` are `length` bytes of `other` from `at`, compared 4 at a time. */
function equalBytes(
  start: number,
  other: Uint8Array,
  otherWords: DataView,
  at: number,
  length: number,
): boolean {
  const view = st.words;
  let k = 0;
  for (; k + 4 <= length; k += 4)
    if (view.getInt32(start + k, true) !== otherWords.getInt32(at + k, true)) return false;
  for (; k < length; k++) if (st.bytes[start + k] !== other[at + k]) return false;
  return true;
}

/** Names, verbs, levels, groups, resources: few distinct values, each seen many times. */
const NAMES = new StringCache(4096, 96);
/** requestURI: repeated often enough, but its own cache, so that the unique ones do not evict names. */
const URIS = new StringCache(1024, 160);
/** user.groups by the bytes of the whole array: the same few lists over and over. Read-only arrays. */
const GROUP_LISTS = new StringCache<readonly string[]>(512, 256);

/** The string at `pos`, decoded. */
function readString(): string {
  const start = st.pos;
  if (st.bytes[start] !== QUOTE) throw GIVE_UP;
  const end = skipString(start);
  if (end < 0) throw GIVE_UP;
  st.pos = end;
  return st.hadEscape ? (JSON.parse(decode(start, end)) as string) : decode(start + 1, end - 1);
}

/** The string at `pos`, from `cache` when it has no escapes. */
function readCachedString(cache: StringCache): string {
  const start = st.pos;
  if (st.bytes[start] !== QUOTE) throw GIVE_UP;
  const end = skipString(start);
  if (end < 0) throw GIVE_UP;
  st.pos = end;
  return st.hadEscape ? (JSON.parse(decode(start, end)) as string) : cache.text(start + 1, end - 1);
}

/** The array of strings at `pos`, a list shared with every line that has the same bytes. */
function readStringArray(): readonly string[] {
  const b = st.bytes;
  const start = st.pos;
  if (b[start] !== OPEN_BRACKET) throw GIVE_UP;
  // Find the end (checking the grammar) to look the whole list up by its bytes.
  let end = start + 1;
  let escapes = false;
  if (b[end] === CLOSE_BRACKET) {
    end++;
  } else {
    for (;;) {
      if (b[end] !== QUOTE) throw GIVE_UP;
      end = skipString(end);
      if (end < 0) throw GIVE_UP;
      escapes ||= st.hadEscape;
      const c = b[end++];
      if (c === COMMA) continue;
      if (c === CLOSE_BRACKET) break;
      throw GIVE_UP;
    }
  }
  const cached = escapes ? undefined : GROUP_LISTS.find(start, end);
  if (cached !== undefined) {
    st.pos = end;
    return cached;
  }
  const out: string[] = [];
  st.pos = start + 1;
  if (b[st.pos] === CLOSE_BRACKET) {
    st.pos++;
  } else {
    do out.push(readCachedString(NAMES));
    while (b[st.pos++] === COMMA);
  }
  if (!escapes) GROUP_LISTS.store(start, end, out);
  return out;
}

/**
 * Known keys of one kind of object, recognised without building a string per key: a key's length and
 * three of its bytes pick a slot of a small table (sized so that the known keys all have slots of
 * their own), and a byte comparison confirms the key in it.
 */
class KeyTable {
  private readonly byName: Map<string, number>;
  private readonly encoded: Buffer[];
  private readonly slots: Int8Array;
  private readonly mask: number;
  /** `"name":` of each key, and as a DataView: a guess is confirmed in one comparison. */
  readonly quoted: Buffer[];
  readonly quotedWords: DataView[];
  /** For each key, and for the start of an object (at names.length): the key that came next last time. */
  readonly after: Int8Array;
  /** The key last read in the object being read (names.length at its start, -1 after an unknown key). */
  previous = -1;

  constructor(readonly names: readonly string[]) {
    this.encoded = names.map((name) => Buffer.from(name, 'latin1'));
    this.quoted = names.map((name) => Buffer.from(`"${name}":`, 'latin1'));
    this.quotedWords = this.quoted.map((q) => new DataView(q.buffer, q.byteOffset, q.byteLength));
    this.after = new Int8Array(names.length + 1).fill(-1);
    this.byName = new Map(names.map((name, id) => [name, id]));
    for (let size = 16; ; size *= 2) {
      const slots = new Int8Array(size).fill(-1);
      const placed = this.encoded.every((name, id) => {
        const slot = KeyTable.hash(name, 0, name.length) & (size - 1);
        if (slots[slot] !== -1) return false;
        slots[slot] = id;
        return true;
      });
      if (placed) {
        this.slots = slots;
        this.mask = size - 1;
        return;
      }
    }
  }

  private static hash(b: Uint8Array, start: number, length: number): number {
    return length * 61 + b[start]! * 37 + b[start + (length > 1 ? 1 : 0)]! * 11 + b[start + length - 1]!;
  }

  /** Index of the key b[start, start + length), or -1. */
  find(b: Buffer, start: number, length: number): number {
    if (length === 0) return this.byName.get('') ?? -1;
    const id = this.slots[KeyTable.hash(b, start, length) & this.mask]!;
    if (id < 0) return -1;
    const name = this.encoded[id]!;
    return name.length === length && startsWith(b, start, name) ? id : -1;
  }

  findDecoded(name: string): number {
    return this.byName.get(name) ?? -1;
  }
}

/**
 * The member key at `pos` and its colon: its index in `table`, or -1 for any other key. Keys come in
 * the same order line after line, so the key that followed the previous one last time is tried first,
 * by comparing its bytes where the key should be.
 */
function readKeyId(table: KeyTable): number {
  const b = st.bytes;
  const start = st.pos;
  const previous = table.previous;
  if (previous >= 0) {
    const guess = table.after[previous]!;
    if (guess >= 0) {
      const quoted = table.quoted[guess]!;
      const fits = start + quoted.length <= st.lineEnd;
      if (fits && equalBytes(start, quoted, table.quotedWords[guess]!, 0, quoted.length)) {
        st.pos = start + quoted.length;
        table.previous = guess;
        return guess;
      }
    }
  }
  if (b[start] !== QUOTE) throw GIVE_UP;
  const end = skipString(start);
  if (end < 0 || b[end] !== COLON) throw GIVE_UP;
  st.pos = end + 1;
  const id = st.hadEscape
    ? table.findDecoded(JSON.parse(decode(start, end)) as string)
    : table.find(b, start + 1, end - start - 2);
  if (previous >= 0) table.after[previous] = id;
  table.previous = id;
  return id;
}

// An object's members are walked with three calls, so that no closure is made per object:
//   if (openObject(T)) { let seen = 0; do { const id = readKeyId(T); seen = firstTime(seen, id); ... }
//   while (nextMember()); }

/** Step into the object at `pos`, whose keys are in `table`; false when it is empty (and stepped over). */
function openObject(table: KeyTable): boolean {
  const b = st.bytes;
  if (b[st.pos] !== OPEN_BRACE) throw GIVE_UP;
  st.pos++;
  table.previous = table.names.length;
  if (b[st.pos] !== CLOSE_BRACE) return true;
  st.pos++;
  return false;
}

/**
 * `seen` with key `id` added. A key of the table seen twice gives up (JSON.parse would keep the last
 * one; leave such lines to it).
 */
function firstTime(seen: number, id: number): number {
  if (id < 0) return seen;
  const bit = 1 << id;
  if ((seen & bit) !== 0) throw GIVE_UP;
  return seen | bit;
}

/** After a member's value: true at a comma (another member follows), false at the closing brace. */
function nextMember(): boolean {
  const c = st.bytes[st.pos++];
  if (c === COMMA) return true;
  if (c === CLOSE_BRACE) return false;
  throw GIVE_UP;
}

/** Visit each element of the array at `st.pos` that is an object; skip the others. False if no array. */
function eachObject(visit: () => void): boolean {
  const b = st.bytes;
  if (b[st.pos] !== OPEN_BRACKET) return false;
  st.pos++;
  if (b[st.pos] === CLOSE_BRACKET) {
    st.pos++;
    return true;
  }
  for (;;) {
    if (b[st.pos] === OPEN_BRACE) visit();
    else skip();
    const c = b[st.pos++];
    if (c === COMMA) continue;
    if (c === CLOSE_BRACKET) return true;
    throw GIVE_UP;
  }
}

const USER_KEYS = new KeyTable(['username', 'groups']);
const OBJECT_REF_KEYS = new KeyTable(['resource', 'namespace', 'name', 'apiGroup', 'subresource']);
const BODY_KEYS = new KeyTable(['metadata', 'items', 'rows']);
const ITEM_KEYS = new KeyTable(['metadata']);
const ROW_KEYS = new KeyTable(['object']);
const METADATA_KEYS = new KeyTable(['managedFields']);

/** Body spans found in the current line: [keyStart, valueEnd) of each body, -1 when absent. */
const bodyStart = [-1, -1];
const bodyEnd = [-1, -1];

/** What scanEventBytes returns: the same objects every time, filled anew for each line. */
const user: AuditUser = { username: undefined, groups: undefined };
const objectRef: AuditObjectRef = {
  resource: undefined,
  namespace: undefined,
  name: undefined,
  apiGroup: undefined,
  subresource: undefined,
};
const scanned: ScannedEvent = {
  event: {
    kind: undefined,
    level: undefined,
    stage: undefined,
    verb: undefined,
    requestURI: undefined,
    user: undefined,
    objectRef: undefined,
    requestReceivedTimestamp: undefined,
    stageTimestamp: undefined,
  },
  sizes: { total: 0, requestObject: 0, responseObject: 0, requestManagedFields: 0, responseManagedFields: 0 },
};

function readUser(): AuditUser {
  user.username = undefined;
  user.groups = undefined;
  if (!openObject(USER_KEYS)) return user;
  let seen = 0;
  do {
    const id = readKeyId(USER_KEYS);
    seen = firstTime(seen, id);
    if (id === 0) user.username = readCachedString(NAMES);
    else if (id === 1) user.groups = readStringArray();
    else skip();
  } while (nextMember());
  return user;
}

function readObjectRef(): AuditObjectRef {
  objectRef.resource = undefined;
  objectRef.namespace = undefined;
  objectRef.name = undefined;
  objectRef.apiGroup = undefined;
  objectRef.subresource = undefined;
  if (!openObject(OBJECT_REF_KEYS)) return objectRef;
  let seen = 0;
  do {
    const id = readKeyId(OBJECT_REF_KEYS);
    seen = firstTime(seen, id);
    if (id < 0) skip();
    else objectRef[OBJECT_REF_KEYS.names[id] as keyof AuditObjectRef] = readCachedString(NAMES);
  } while (nextMember());
  return objectRef;
}

/** `metadata` of an object in a body: note where its managedFields are. False if not an object. */
function visitMetadata(): boolean {
  if (st.bytes[st.pos] !== OPEN_BRACE) return false;
  if (!openObject(METADATA_KEYS)) return true;
  let start = -1;
  let end = -1;
  let count = 0;
  let seen = 0;
  do {
    const keyStart = st.pos;
    const id = readKeyId(METADATA_KEYS);
    seen = firstTime(seen, id);
    count++;
    skip();
    if (id === 0) {
      start = keyStart;
      end = st.pos;
    }
  } while (nextMember());
  if (start >= 0) {
    const spans = st.managedSpans;
    const k = st.managedCount;
    spans[k] = start;
    spans[k + 1] = end;
    spans[k + 2] = count > 1 ? 1 : 0;
    spans[k + 3] = st.currentBody;
    st.managedCount = k + 4;
  }
  return true;
}

const visitItem = (): void => {
  if (!openObject(ITEM_KEYS)) return;
  let seen = 0;
  do {
    const id = readKeyId(ITEM_KEYS);
    seen = firstTime(seen, id);
    if (!(id === 0 && visitMetadata())) skip();
  } while (nextMember());
};
const visitRow = (): void => {
  if (!openObject(ROW_KEYS)) return;
  let seen = 0;
  do {
    const id = readKeyId(ROW_KEYS);
    seen = firstTime(seen, id);
    if (id === 0 && st.bytes[st.pos] === OPEN_BRACE) visitItem();
    else skip();
  } while (nextMember());
};

/**
 * A request or response body: find `metadata.managedFields` in the object itself, in each `items[]`
 * (lists) and in each `rows[].object` (Tables), the places copyWithoutManagedFields
 * (k8s.io/apiserver/pkg/audit/request.go) strips them from.
 */
function visitBody(): void {
  if (st.bytes[st.pos] !== OPEN_BRACE) {
    skip();
    return;
  }
  if (!openObject(BODY_KEYS)) return;
  let seen = 0;
  do {
    const id = readKeyId(BODY_KEYS);
    seen = firstTime(seen, id);
    const visited =
      id === 0 ? visitMetadata() : id === 1 ? eachObject(visitItem) : id === 2 ? eachObject(visitRow) : false;
    if (!visited) skip();
  } while (nextMember());
}

/**
 * Event fields in the order kube-apiserver writes them: Go's encoding/json follows the declaration
 * order of k8s.io/apiserver/pkg/apis/audit/v1/types.go (v1beta1 adds metadata and timestamp). In that
 * order responseObject, usually most of the line, is followed only by the timestamps and annotations.
 */
const EVENT_KEYS = new KeyTable([
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
]);
const F = {
  kind: 0,
  level: 3,
  stage: 6,
  requestURI: 7,
  verb: 8,
  user: 9,
  objectRef: 14,
  requestObject: 16,
  responseObject: 17,
  requestReceivedTimestamp: 18,
  stageTimestamp: 19,
} as const;
const TAIL = Buffer.from(',"requestReceivedTimestamp":');

/** The top-level members into `scanned.event`; returns how many there are. */
function readTop(walkBodies: boolean): number {
  const b = st.bytes;
  const event = scanned.event;
  event.kind = undefined;
  event.level = undefined;
  event.stage = undefined;
  event.verb = undefined;
  event.requestURI = undefined;
  event.user = undefined;
  event.objectRef = undefined;
  event.requestReceivedTimestamp = undefined;
  event.stageTimestamp = undefined;
  if (!openObject(EVENT_KEYS)) return 0;
  let ordered = true;
  let lastOrder = -1;
  let jumped = false;
  let count = 0;
  let seen = 0;
  do {
    const keyStart = st.pos;
    const id = readKeyId(EVENT_KEYS);
    seen = firstTime(seen, id);
    count++;
    if (id < 0 || id <= lastOrder) ordered = false;
    else lastOrder = id;
    // After a jump over responseObject only the known tail may follow, in order; else JSON.parse decides.
    if (jumped && !ordered) throw GIVE_UP;
    switch (id) {
      case F.kind:
        event.kind = readCachedString(NAMES);
        break;
      case F.level:
        event.level = readCachedString(NAMES);
        break;
      case F.stage:
        event.stage = readCachedString(NAMES);
        break;
      case F.requestURI:
        event.requestURI = readCachedString(URIS);
        break;
      case F.verb:
        event.verb = readCachedString(NAMES);
        break;
      case F.requestReceivedTimestamp:
        event.requestReceivedTimestamp = readString();
        break;
      case F.stageTimestamp:
        event.stageTimestamp = readString();
        break;
      case F.user:
        event.user = readUser();
        break;
      case F.objectRef:
        event.objectRef = readObjectRef();
        break;
      case F.requestObject:
      case F.responseObject: {
        const which = id === F.requestObject ? 0 : 1;
        st.currentBody = which;
        if (walkBodies) {
          visitBody();
        } else if (which === 1 && ordered) {
          // Jump to the tail instead of walking the body: in valid JSON the last `,"requestReceived
          // Timestamp":` from which the rest of the line parses as top-level members ends it. The search
          // is bounded by the body's start, so a line without a tail costs no more than its own length.
          const tail = b.subarray(st.pos, st.lineEnd).lastIndexOf(TAIL);
          if (tail <= 0) throw GIVE_UP;
          // Unread, but not unchecked for control characters: JSON.parse would refuse the line.
          if (firstControlByte(b, st.pos, st.pos + tail) < st.pos + tail) throw GIVE_UP;
          st.pos += tail;
          jumped = true;
        } else {
          skip();
        }
        bodyStart[which] = keyStart;
        bodyEnd[which] = st.pos;
        break;
      }
      default:
        skip();
    }
  } while (nextMember());
  return count;
}

/**
 * Read the event on `bytes[start, end)` (one line, without its newline) by the fast path, or undefined
 * when JSON.parse must decide. `bytes[end]` must be below 0x20 (its newline or CR) or past the end of
 * `bytes`. `ascii`: no byte above 0x7f. `exact`:
 * the line is valid UTF-8 (always so when ASCII), so that sizes are byte counts; otherwise sizes are
 * those of the text as decoded, invalid sequences replaced, as JSON.parse of the decoded line sees it.
 *
 * `walkBodies` false: the caller needs no managedFields sizes (no policy omits them), so request bodies
 * are skipped without looking inside, and in kube-apiserver-ordered lines the responseObject is not
 * read at all: the line is taken from the tail (timestamps, annotations), which must parse to its end.
 * Its grammar is then not checked (the same trade as explain --events): a line cut anywhere is still
 * refused, as its tail is gone.
 *
 * The result, and the objects in it, are reused by the next call: read them, copy what you keep.
 */
export function scanEventBytes(
  bytes: Buffer,
  start: number,
  end: number,
  ascii: boolean,
  exact: boolean,
  walkBodies: boolean,
): ScannedEvent | undefined {
  if (st.bytes !== bytes) {
    st.bytes = bytes;
    st.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  st.ascii = ascii;
  st.exact = exact;
  st.lineEnd = end;
  st.pos = start;
  bodyStart[0] = bodyStart[1] = bodyEnd[0] = bodyEnd[1] = -1;
  st.managedCount = 0;
  let count: number;
  try {
    count = readTop(walkBodies);
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
  if (st.pos !== end) return undefined;
  measure(start, end, count > 1 ? 1 : 0);
  return scanned;
}

/**
 * scanEventBytes on `source[start, end)`, a line as text; the result is the caller's to keep. `ascii`
 * is accepted for the callers that know it, and otherwise unused: the line is encoded anyway.
 */
export function scanEvent(
  source: string,
  start: number,
  end: number,
  _ascii?: boolean,
  walkBodies = true,
): ScannedEvent | undefined {
  const line = source.slice(start, end);
  const bytes = Buffer.from(`${line}\n`);
  const length = bytes.length - 1;
  const result = scanEventBytes(bytes, 0, length, length === line.length, true, walkBodies);
  return result && { event: copyFields(result.event), sizes: { ...result.sizes } };
}

/** A copy of reused event fields that the caller may keep, with only the fields present. */
export function copyFields(event: AuditEventFields): AuditEventFields {
  const out: AuditEventFields = {};
  if (event.kind !== undefined) out.kind = event.kind;
  if (event.level !== undefined) out.level = event.level;
  if (event.stage !== undefined) out.stage = event.stage;
  if (event.verb !== undefined) out.verb = event.verb;
  if (event.requestURI !== undefined) out.requestURI = event.requestURI;
  if (event.user !== undefined) {
    const u: AuditUser = {};
    if (event.user.username !== undefined) u.username = event.user.username;
    if (event.user.groups !== undefined) u.groups = [...event.user.groups];
    out.user = u;
  }
  if (event.objectRef !== undefined) {
    const ref: AuditObjectRef = {};
    for (const key of ['resource', 'namespace', 'name', 'apiGroup', 'subresource'] as const) {
      if (event.objectRef[key] !== undefined) ref[key] = event.objectRef[key];
    }
    out.objectRef = ref;
  }
  if (event.requestReceivedTimestamp !== undefined)
    out.requestReceivedTimestamp = event.requestReceivedTimestamp;
  if (event.stageTimestamp !== undefined) out.stageTimestamp = event.stageTimestamp;
  return out;
}

/** Sizes in bytes: dropping a member also drops one comma, unless it was the only member. */
function measure(start: number, end: number, comma: number): void {
  const sizes = scanned.sizes;
  sizes.total = length(start, end);
  sizes.requestObject = bodyStart[0]! >= 0 ? length(bodyStart[0]!, bodyEnd[0]!) + comma : 0;
  sizes.responseObject = bodyStart[1]! >= 0 ? length(bodyStart[1]!, bodyEnd[1]!) + comma : 0;
  sizes.requestManagedFields = 0;
  sizes.responseManagedFields = 0;
  const spans = st.managedSpans;
  for (let k = 0; k < st.managedCount; k += 4) {
    const bytes = length(spans[k]!, spans[k + 1]!) + spans[k + 2]!;
    if (spans[k + 3] === 0) sizes.requestManagedFields += bytes;
    else sizes.responseManagedFields += bytes;
  }
}

/** Bytes of [a, b) as the log holds them: invalid UTF-8 counts as decoded (U+FFFD, 3 bytes). */
function length(a: number, b: number): number {
  return st.exact ? b - a : Buffer.byteLength(st.bytes.toString('utf8', a, b), 'utf8');
}
