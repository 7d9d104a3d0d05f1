import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, readLines } from '../../../src/logs/read-lines.js';
import { testCtx } from '../../helpers/ctx.js';

const describeInput = { what: 'the test input', hint: 'a hint' };

/** readLines over stdin given as these chunks. */
async function linesOf(chunks: Iterable<Buffer>) {
  const ctx = testCtx();
  (ctx.io as { stdin: unknown }).stdin = chunks;
  const lines: [number, string][] = [];
  const long: number[] = [];
  const summary = await readLines(
    '-',
    ctx,
    { onLine: (line, n) => lines.push([n, line]), onLongLine: (n) => long.push(n) },
    describeInput,
  );
  return { lines, long, summary };
}

describe('readLines', () => {
  it('numbers lines from 1, drops LF and CRLF, keeps blank lines and a last line without newline', async () => {
    const text = Buffer.from('a\r\n\nbé\nlast');
    // One byte at a time: lines and UTF-8 sequences cut across chunks.
    const { lines, summary } = await linesOf([...text].map((b) => Buffer.from([b])));
    expect(lines).toEqual([
      [1, 'a'],
      [2, ''],
      [3, 'bé'],
      [4, 'last'],
    ]);
    expect(summary).toMatchObject({ gzip: false, truncated: false, textBytes: text.length });
  });

  it('skips a line longer than 64 MiB in its place and goes on', async () => {
    const mib = Buffer.alloc(1024 * 1024, 'x');
    function* input() {
      yield Buffer.from('first\n');
      for (let i = 0; i <= MAX_LINE_BYTES / mib.length; i++) yield mib;
      yield Buffer.from('\nthird\n');
    }
    const { lines, long } = await linesOf(input());
    expect(lines).toEqual([
      [1, 'first'],
      [3, 'third'],
    ]);
    expect(long).toEqual([2]);
  });
});
