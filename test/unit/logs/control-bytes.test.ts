import { describe, expect, it } from 'vitest';
import { firstControlByte } from '../../../src/logs/control-bytes.js';

describe('firstControlByte', () => {
  it('finds the first byte below 0x20 in any range, at any alignment, as a byte-by-byte look would', () => {
    let seed = 3;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const memory = Buffer.alloc(300);
    for (let k = 0; k < 20_000; k++) {
      // Mostly printable bytes, some above 0x7f, now and then a control byte.
      for (let i = 0; i < memory.length; i++) {
        const r = random(200);
        memory[i] = r === 0 ? random(0x20) : r < 20 ? 0x80 + random(0x80) : 0x20 + random(0x5f);
      }
      const offset = random(8);
      const bytes = memory.subarray(offset, offset + 1 + random(memory.length - offset - 1));
      const from = random(bytes.length);
      const to = from + random(bytes.length - from + 1);
      let expected = from;
      while (expected < to && bytes[expected]! >= 0x20) expected++;
      expect(firstControlByte(bytes, from, to), `${offset} ${from} ${to}`).toBe(expected);
    }
  });
});
