import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, readLineRuns, readLines } from '../../../src/logs/read-lines.js';
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

describe('readLines: a line just over 64 MiB', () => {
  it('is dropped however the reads cut it, also when its newline comes in the next read', async () => {
    const mib = Buffer.alloc(1024 * 1024, 'x');
    function* input() {
      yield Buffer.from('first\n');
      for (let i = 0; i < MAX_LINE_BYTES / mib.length; i++) yield mib; // 64 MiB, no newline yet
      yield Buffer.from('yy\nthird\n');
    }
    const { lines, long } = await linesOf(input());
    expect(lines).toEqual([
      [1, 'first'],
      [3, 'third'],
    ]);
    expect(long).toEqual([2]);
  });
});

describe('readLines from a file (1 MiB reads into reused buffers)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-lines-'));

  /** readLines over a file holding `text`, optionally a byte range of it. */
  async function fileLines(text: string, range?: { start: number; end: number }) {
    writeFileSync(path.join(dir, 'input.txt'), text);
    const lines: string[] = [];
    const summary = await readLineRuns(
      'input.txt',
      testCtx({ cwd: dir }),
      {
        onLines(bytes, start, end) {
          // Runs end with a newline; the bytes are read here, during the call, as the contract says.
          expect(bytes[end - 1]).toBe(0x0a);
          lines.push(...bytes.toString('utf8', start, end - 1).split('\n'));
        },
        onLongLine: () => lines.push('<long>'),
        range,
      },
      describeInput,
    );
    return { lines: lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), summary };
  }

  it('gives lines cut across reads whole: short ones, one longer than a read, CRLF at a boundary', async () => {
    const mib = 1024 * 1024;
    const parts = [
      'a'.repeat(mib - 3), // ends 2 bytes before the first read does: "é" is cut across it
      'é\r',
      'short',
      'b'.repeat(2 * mib + 17), // longer than a read buffer
      ...Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 700)}`),
      'last without newline',
    ];
    const text = parts.join('\n');
    const { lines, summary } = await fileLines(text);
    expect(lines).toEqual(text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
    expect(summary).toMatchObject({ gzip: false, bytesRead: Buffer.byteLength(text) });
  });

  it('reads only its byte range', async () => {
    const text = `${Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join('\n')}\n`;
    const start = text.indexOf('line 20000\n');
    const end = text.indexOf('line 40000\n');
    const { lines, summary } = await fileLines(text, { start, end });
    expect(lines).toEqual(Array.from({ length: 20_000 }, (_, i) => `line ${20_000 + i}`));
    expect(summary.bytesRead).toBe(end - start);
  });
});
