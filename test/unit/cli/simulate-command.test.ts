import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../../bench/generate-log.mjs';
import {
  isFileSource,
  parallelPlan,
  parseSimulateFlags,
  runSimulate,
} from '../../../src/cli/commands/simulate.js';
import { testCtx } from '../../helpers/ctx.js';

// Progress goes to stderr only on a terminal (issue 5: "nothing extra when piped"), and never to stdout.

const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-simulate-cmd-'));
writeFileSync(
  path.join(dir, 'audit.log'),
  `${[...auditLogLines({ seed: 5, bytes: 2_000_000 })].join('\n')}\n`,
);

function ctxWithClock(tty: boolean) {
  const ctx = testCtx({ tty, cwd: dir });
  let t = 0;
  // Each reading of the clock is a second later, so every chunk may redraw the progress line.
  return { ...ctx, now: () => (t += 1000) };
}

describe('simulate progress', () => {
  const options = parseSimulateFlags({ policy: ['gce'], events: 'audit.log', output: 'json' });

  it('draws bytes read, percent, ETA and events/s on a terminal, then clears the line', async () => {
    const ctx = ctxWithClock(true);
    expect(await runSimulate(options, ctx)).toBe(0);
    const clearLine = '\r\u001b[K';
    const lines = ctx.err.text.split(clearLine).filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(line).toMatch(/^reading [\d.]+ [kM]B of 2\.\d MB \(\d+%\), ETA \d+s, [\d,]+ events\/s$/);
    }
    expect(ctx.err.text.endsWith(clearLine)).toBe(true);
    expect(JSON.parse(ctx.out.text).policies[0].policy).toBe('gce');
  });

  it('writes nothing to stderr when it is not a terminal', async () => {
    const ctx = ctxWithClock(false);
    expect(await runSimulate(options, ctx)).toBe(0);
    expect(ctx.err.text).toBe('');
  });
});

describe('parseSimulateFlags', () => {
  it.each([
    [{ events: 'a.log' }, /at least one --policy/],
    [{ policy: ['gce'] }, /needs --events FILE/],
    [{ policy: ['-'], events: '-' }, /Only one of --policy and --events can read stdin/],
  ])('%j is refused', (flags, message) => {
    expect(() => parseSimulateFlags(flags)).toThrow(message);
  });

  it('keeps the policies in order (the first is the baseline) and defaults to text', () => {
    expect(parseSimulateFlags({ policy: ['gce', 'basic', './mine.yaml'], events: '-' })).toEqual({
      policies: ['gce', 'basic', './mine.yaml'],
      events: '-',
      output: 'text',
    });
  });
});

describe('worker threads: when simulate reads a file in parallel', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-parallel-'));
  const big = path.join(dir, 'big.log');
  writeFileSync(big, '');
  truncateSync(big, 64 * 1024 * 1024); // sparse: only its size matters here
  const small = path.join(dir, 'small.log');
  writeFileSync(small, '{}\n');
  const gzipped = path.join(dir, 'log.gz');
  writeFileSync(gzipped, Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
  const cores = Math.min(availableParallelism(), 8);
  const plan = (file: string, env: Record<string, string> = {}) =>
    parallelPlan(file, testCtx({ env, cwd: dir }));

  it('by default for a plain file of 64 MiB or more, one worker per core', async () => {
    expect((await plan(big))?.workers).toBe(cores >= 2 ? cores : undefined);
  });

  it('not for a small file, stdin, or gzip (one stream, read in order)', async () => {
    expect(await plan(small)).toBeUndefined();
    expect(await plan('-')).toBeUndefined();
    expect(await plan(gzipped, { KOPS_AUDIT_WORKERS: '2' })).toBeUndefined();
  });

  it('KOPS_AUDIT_WORKERS=1 keeps one thread; =N asks for N whatever the size', async () => {
    expect(await plan(big, { KOPS_AUDIT_WORKERS: '1' })).toBeUndefined();
    expect((await plan(small, { KOPS_AUDIT_WORKERS: '3' }))?.workers).toBe(3);
  });
});

describe('parseSimulateFlags with --emit-sql (issue 13): a usage error names the flag', () => {
  it.each([
    [{ policy: ['gce'], from: 'audit.log' }, /--from is the source of --emit-sql/],
    [{ policy: ['gce'], emitSql: 'duckdb' }, /--emit-sql needs --from/],
    [{ policy: ['gce'], emitSql: 'trino', from: '  ' }, /--emit-sql needs --from/],
    [{ policy: ['gce'], emitSql: 'duckdb', from: 'a.log', events: 'a.log' }, /--events and --emit-sql/],
    [
      { policy: ['gce'], emitSql: 'trino', from: 'logs/*.gz' },
      /--from logs\/\*\.gz looks like a file.*trino reads a table/,
    ],
    [{ policy: ['gce'], emitSql: 'bigquery', from: 'audit.log' }, /only --emit-sql duckdb reads files/],
    [{ policy: ['gce'], emitSql: 'spark', from: 'db..events' }, /not a table name/],
    [{ emitSql: 'duckdb', from: 'a.log' }, /at least one --policy/],
  ])('%j is refused', (flags, message) => {
    expect(() => parseSimulateFlags(flags)).toThrow(message);
  });

  it('a path, a glob or a log file name is files (duckdb only); anything else a table', () => {
    for (const from of [
      'audit.log',
      'logs/*.gz',
      's3://bucket/audit/*.log',
      'x.jsonl',
      'a?.json',
      'C:\\logs\\a',
    ]) {
      expect(isFileSource(from), from).toBe(true);
    }
    for (const from of ['audit_events', 'audit_db.audit_events', 'my-project.audit.events']) {
      expect(isFileSource(from), from).toBe(false);
    }
    expect(parseSimulateFlags({ policy: ['gce', 'basic'], emitSql: 'duckdb', from: 'logs/*.gz' })).toEqual({
      policies: ['gce', 'basic'],
      dialect: 'duckdb',
      source: { files: 'logs/*.gz' },
      from: 'logs/*.gz',
      output: 'text',
    });
    expect(
      parseSimulateFlags({ policy: ['gce'], emitSql: 'bigquery', from: 'proj.audit.events', output: 'json' }),
    ).toMatchObject({ dialect: 'bigquery', source: { table: 'proj.audit.events' }, output: 'json' });
  });

  it('prints the query and reads nothing: the log need not exist', async () => {
    const ctx = testCtx({ cwd: dir });
    const options = parseSimulateFlags({ policy: ['basic'], emitSql: 'duckdb', from: 'no-such-dir/*.log' });
    expect(await runSimulate(options, ctx)).toBe(0);
    expect(ctx.out.text).toMatch(
      /^WITH\n[\s\S]*read_ndjson_objects\('no-such-dir\/\*\.log'[\s\S]*ORDER BY [^\n]*\n$/,
    );
    expect(ctx.err.text).toBe('');
  });

  it('-o json: the dialect, the source, the columns and the query in one object', async () => {
    const ctx = testCtx({ cwd: dir });
    const options = parseSimulateFlags({
      policy: ['gce'],
      emitSql: 'trino',
      from: 'db.events',
      output: 'json',
    });
    expect(await runSimulate(options, ctx)).toBe(0);
    const json = JSON.parse(ctx.out.text);
    expect(json).toMatchObject({
      version: 1,
      dialect: 'trino',
      from: 'db.events',
      columns: ['policy', 'rule', 'level', 'matched', 'written'],
    });
    expect(json.sql).toContain('FROM "db"."events" AS t');
  });
});
