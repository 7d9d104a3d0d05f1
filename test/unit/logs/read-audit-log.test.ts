import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../../bench/generate-log.mjs';
import type { AuditRecord } from '../../../src/logs/audit-event.js';
import { parseSlow } from '../../../src/logs/parse-line.js';
import { controlBytes, readAuditLog } from '../../../src/logs/read-audit-log.js';
import { testCtx } from '../../helpers/ctx.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-read-'));
const lines = [...auditLogLines({ seed: 3, bytes: 3_000_000 })];
const log = `${lines.join('\n')}\n`;

async function read(source: string, input?: string | Buffer) {
  const ctx = testCtx({ cwd: dir });
  if (input !== undefined)
    (ctx.io as { stdin: unknown }).stdin = (async function* () {
      const bytes = Buffer.from(input);
      // Small, uneven chunks: lines and UTF-8 sequences cut across chunk boundaries.
      for (let i = 0; i < bytes.length; i += 70_001) yield bytes.subarray(i, i + 70_001);
    })();
  const records: AuditRecord[] = [];
  const progress: number[] = [];
  const summary = await readAuditLog(source, ctx, {
    onEvent: (r) => records.push(r),
    onProgress: (p) => progress.push(p.bytesRead),
  });
  return { summary, records, progress };
}

function file(name: string, content: string | Buffer): string {
  writeFileSync(path.join(dir, name), content);
  return name;
}

describe('readAuditLog', () => {
  it('reads every event of a file in order, with line numbers and the bytes read', async () => {
    const { summary, records, progress } = await read(file('audit.log', log));
    expect(summary).toMatchObject({ events: lines.length, lines: lines.length, gzip: false });
    expect(summary.bytesRead).toBe(Buffer.byteLength(log));
    expect(summary.malformed.count).toBe(0);
    expect(records.map((r) => r.line)).toEqual(lines.map((_, i) => i + 1));
    expect(records.map((r) => r.event.verb)).toEqual(lines.map((l) => JSON.parse(l).verb));
    expect(records.map((r) => r.sizes.total)).toEqual(lines.map((l) => Buffer.byteLength(l)));
    expect(progress.at(-1)).toBe(summary.bytesRead);
  });

  it('reads the same events from stdin (-) and from gzip, file or stream', async () => {
    const plain = await read(file('plain.log', log));
    const gz = gzipSync(log);
    for (const result of [await read('-', log), await read(file('audit.log.gz', gz)), await read('-', gz)]) {
      expect(result.records).toEqual(plain.records);
    }
    const zipped = await read(file('x.gz', gz));
    expect(zipped.summary.gzip).toBe(true);
    expect(zipped.summary.bytesRead).toBe(gz.length);
    expect(zipped.summary.textBytes).toBe(Buffer.byteLength(log));
  });

  it('a gzip cut short gives the events it holds and says it was cut (a whole one, and two members, do not)', async () => {
    const gz = gzipSync(log);
    const whole = await read(file('whole.log.gz', gz));
    expect(whole.summary.truncated).toBe(false);
    const cut = await read(file('cut.log.gz', gz.subarray(0, Math.floor(gz.length / 2))));
    expect(cut.summary.truncated).toBe(true);
    expect(cut.records.length).toBeGreaterThan(0);
    expect(cut.records.length).toBeLessThan(lines.length);
    expect(cut.records).toEqual(whole.records.slice(0, cut.records.length));
    const members = await read(file('two.log.gz', Buffer.concat([gzipSync(log), gzipSync(log)])));
    expect(members.summary).toMatchObject({ truncated: false, events: 2 * lines.length });
  });

  it('counts malformed lines with their first line numbers and goes on; skips blank lines', async () => {
    const text = [
      lines[0],
      'not json at all',
      '',
      lines[1]!.slice(0, 200),
      '   ',
      '[1,2,3]',
      '{"kind":"Policy","rules":[]}',
      '{"kind":"EventList","items":[{"kind":"Event","verb":"get"},{"kind":"Event","verb":"list"}]}',
      lines[2],
    ].join('\r\n');
    const { summary, records } = await read(file('bad.log', text));
    expect(records.map((r) => r.line)).toEqual([1, 8, 8, 9]);
    expect(records.map((r) => r.event.verb)).toEqual([
      JSON.parse(lines[0]!).verb,
      'get',
      'list',
      JSON.parse(lines[2]!).verb,
    ]);
    expect(summary.lines).toBe(9);
    expect(summary.events).toBe(4);
    expect(summary.malformed).toEqual({
      count: 4,
      first: [
        { line: 2, reason: 'not JSON' },
        { line: 4, reason: 'not JSON' },
        { line: 6, reason: 'not a JSON object' },
        { line: 7, reason: 'not an audit event' },
      ],
    });
  });

  it('keeps only the first malformed line numbers but counts them all', async () => {
    const text = Array.from({ length: 25 }, (_, i) => `garbage ${i}`).join('\n');
    const { summary } = await read(file('garbage.log', text));
    expect(summary.malformed.count).toBe(25);
    expect(summary.malformed.first.map((m) => m.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('measures non-ASCII events in UTF-8 bytes, across chunk boundaries', async () => {
    const event = JSON.stringify({
      kind: 'Event',
      verb: 'get',
      user: { username: 'ユーザー' },
      requestObject: { a: 'é'.repeat(50_000) },
    });
    const text = `${event}\n`.repeat(5);
    const { records } = await read('-', text);
    expect(records).toHaveLength(5);
    for (const r of records) {
      expect(r.event.user?.username).toBe('ユーザー');
      expect(r.sizes.total).toBe(Buffer.byteLength(event));
      expect(r.sizes.requestObject).toBe(Buffer.byteLength(`,"requestObject":{"a":"${'é'.repeat(50_000)}"}`));
    }
  });

  describe('on a log of several reads, with odd lines where the reads end', () => {
    const MiB = 1024 * 1024;
    const base = JSON.parse(lines.find((l) => l.includes('"responseObject"'))!) as Record<string, unknown>;
    const event = (fields: Record<string, unknown>) => JSON.stringify({ ...base, ...fields });
    /** `event(...)` with its `"PLACE"` (a string value) replaced by raw bytes. */
    const spliced = (fields: Record<string, unknown>, bytes: Buffer) => {
      const [before, after] = event(fields).split('"PLACE"') as [string, string];
      return Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]);
    };
    const body = { responseObject: { data: 'PLACE' } };
    const odd: Buffer[] = [
      // Raw control characters in the responseObject the reader skips unread when no policy omits
      // managedFields: JSON.parse refuses one inside a string and takes a tab between tokens.
      spliced(body, Buffer.from('"a\u0001b"')),
      spliced(body, Buffer.from('\t"ab"')),
      spliced(body, Buffer.from('"a\rb"')),
      // Invalid UTF-8 (sizes are those of the text as decoded), and valid UTF-8.
      spliced({ user: { username: 'PLACE' } }, Buffer.from([0x22, 0x61, 0xff, 0xc3, 0x22])),
      Buffer.from(event({ user: { username: 'ünïcödé', groups: ['グループ'] } })),
      // CRLF, escapes, and a line JSON.parse refuses.
      Buffer.from(`${event({})}\r`),
      spliced({ verb: 'PLACE' }, Buffer.from('"li\\u0073t"')),
      Buffer.from(event({ objectRef: { resource: 'pods', name: 'a"b' } })),
      Buffer.from(event({}).slice(0, -5)),
    ];
    // Each odd line straddles a read boundary (1 MiB apart), then synthetic lines up to the next one.
    const parts: Buffer[] = [];
    let size = 0;
    let next = 0;
    for (const [k, oddLine] of odd.entries()) {
      while (size + Buffer.byteLength(lines[next % lines.length]!) + 1 < (k + 1) * MiB - 40) {
        const line = Buffer.from(`${lines[next++ % lines.length]}\n`);
        parts.push(line);
        size += line.length;
      }
      parts.push(oddLine, Buffer.from('\n'));
      size += oddLine.length + 1;
    }
    const bytes = Buffer.concat(parts);
    const expected = bytes
      .toString('utf8')
      .split('\n')
      .map((line, i) => parseSlow(line.endsWith('\r') ? line.slice(0, -1) : line, i + 1));

    it.each([true, false])(
      'agrees with JSON.parse line by line (managedFields %s)',
      async (managedFields) => {
        const name = file('odd.log', bytes);
        const records: AuditRecord[] = [];
        const malformed: number[] = [];
        await readAuditLog(name, testCtx({ cwd: dir }), {
          managedFields,
          onEvent: (r) => records.push(r),
          onMalformed: (m) => malformed.push(m.line),
        });
        const want = expected.flatMap((r) => (typeof r === 'string' ? [] : [r].flat()));
        expect(records.map((r) => [r.line, r.event])).toEqual(want.map((r) => [r.line, r.event]));
        expect(malformed).toEqual(
          expected.flatMap((r, i) => (r === 'not JSON' && i < expected.length - 1 ? [i + 1] : [])),
        );
        const text = bytes.toString('utf8').split('\n');
        for (const [i, r] of records.entries()) {
          const line = text[r.line - 1]!.replace(/\r$/, '');
          // Sizes where JSON.parse's re-encoding is the line itself.
          if (JSON.stringify(JSON.parse(line)) !== line) continue;
          const sizes = managedFields
            ? want[i]!.sizes
            : { ...want[i]!.sizes, requestManagedFields: 0, responseManagedFields: 0 };
          expect(r.sizes, line.slice(0, 80)).toEqual(sizes);
        }
      },
    );

    it('gives the same records when the reader reuses them (each one read before the next)', async () => {
      const name = file('odd.log', bytes);
      const fresh: AuditRecord[] = [];
      const reused: AuditRecord[] = [];
      await readAuditLog(name, testCtx({ cwd: dir }), { onEvent: (r) => fresh.push(r) });
      await readAuditLog(name, testCtx({ cwd: dir }), {
        reuseRecords: true,
        onEvent: (r) => reused.push(structuredClone(r)),
      });
      expect(reused).toEqual(fresh);
    });
  });

  it('says which file it cannot read, with a hint', async () => {
    await expect(read('missing.log')).rejects.toThrow(/Cannot read the audit log missing\.log: no such file/);
    await expect(read('.')).rejects.toThrow(/it is a directory/);
    await expect(read('-', Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).rejects.toThrow(
      /not a valid gzip/,
    );
  });
});

describe('controlBytes', () => {
  it('finds control bytes at any alignment but not newlines or the CR of CRLF', () => {
    const bytes = Buffer.from('ab\ncd\r\nef\tgh\rij\u0000');
    for (let offset = 0; offset < 4; offset++) {
      const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).subarray(offset);
      expect(controlBytes(shifted)).toEqual([9, 12, 15]);
    }
  });
});
