/**
 * Finding raw control characters (bytes below 0x20) in log bytes, which JSON.parse refuses inside
 * strings: 4 bytes at a time, since the scanner runs this over every byte it does not read itself.
 */

const NEWLINE = 0x0a;
const CR = 0x0d;

const views = new WeakMap<ArrayBufferLike, Uint32Array>();

/** A view of the 4-byte words of the memory under `bytes`, made once per buffer. */
function wordsOf(bytes: Uint8Array): Uint32Array {
  let view = views.get(bytes.buffer);
  if (view === undefined) {
    view = new Uint32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
    views.set(bytes.buffer, view);
  }
  return view;
}

/**
 * The first byte below 0x20 in bytes[from, to), or `to` if there is none. A word has one iff
 * (w - 0x20202020) & ~w & 0x80808080 is non-zero; only the word that has one is looked at bytewise.
 */
export function firstControlByte(bytes: Uint8Array, from: number, to: number): number {
  const offset = bytes.byteOffset;
  let i = from;
  for (; i < to && ((offset + i) & 3) !== 0; i++) if (bytes[i]! < 0x20) return i;
  if (i < to) {
    const words = wordsOf(bytes);
    // The loop counts words: measured twice as fast as deriving the word from a byte index each step.
    let w = (offset + i) >>> 2;
    for (const last = ((offset + to) >>> 2) - 1; w <= last; w++) {
      const x = words[w]!;
      if (((x - 0x20202020) & ~x & 0x80808080) !== 0) break;
    }
    i = w * 4 - offset;
  }
  for (; i < to; i++) if (bytes[i]! < 0x20) return i;
  return to;
}

/** Offsets of bytes below 0x20 other than a newline or the CR of a CRLF. */
export function controlBytes(bytes: Buffer): number[] {
  const found: number[] = [];
  for (let i = 0; ; i++) {
    i = firstControlByte(bytes, i, bytes.length);
    if (i >= bytes.length) return found;
    const c = bytes[i]!;
    if (c !== NEWLINE && !(c === CR && bytes[i + 1] === NEWLINE)) found.push(i);
  }
}
