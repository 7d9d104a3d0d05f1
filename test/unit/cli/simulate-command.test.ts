import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
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
import { main } from '../../../src/cli/main.js';
import { testCtx } from '../../helpers/ctx.js';
import { REPO_ROOT } from '../../helpers/paths.js';

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

describe('simulate refuses input that holds no audit events (issue 11)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-not-a-log-'));
  writeFileSync(path.join(dir, 'cluster.yaml'), readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml')));
  writeFileSync(path.join(dir, 'empty.log'), '');
  // A small binary: NULs and bytes that are not UTF-8, with a newline after every 96 bytes (7 lines).
  const binary = Buffer.alloc(600);
  for (let i = 0; i < binary.length; i++)
    binary[i] = i % 97 === 96 ? 0x0a : i % 5 === 0 ? 0 : 0x80 + (i % 128);
  writeFileSync(path.join(dir, 'binary.bin'), binary);
  writeFileSync(path.join(dir, 'blank.log'), '\n  \n\n');
  const specLines = readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), 'utf8')
    .split('\n')
    .slice(0, -1);
  const blank = specLines.filter((l) => l.trim() === '').length;
  const read = `${specLines.length} lines read: ${specLines.length - blank} malformed${blank > 0 ? `, ${blank} blank` : ''}`;
  const simulate = async (file: string, output: 'text' | 'json') => {
    const ctx = testCtx({ cwd: dir });
    const code = await main(['simulate', '--policy', 'gce', '--events', file, '-o', output], ctx);
    return { code, stdout: ctx.out.text, stderr: ctx.err.text };
  };

  /** No figures on stdout: nothing in text mode, only the error object with -o json. */
  const expectNoFigures = (stdout: string, output: 'text' | 'json', message: string) => {
    if (output === 'text') return expect(stdout).toBe('');
    const { version, error } = JSON.parse(stdout);
    expect(version).toBe(1);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.exitCode).toBe(1);
  };

  it.each(['text', 'json'] as const)(
    'a kops spec: what was read and the first malformed line, exit 1, no figures on stdout (%s)',
    async (output) => {
      const result = await simulate('cluster.yaml', output);
      expect(result.code).toBe(1);
      expectNoFigures(result.stdout, output, `cluster.yaml holds no audit events (${read}`);
      expect(result.stderr).toMatch(
        new RegExp(
          `^Error: cluster\\.yaml holds no audit events \\(${read}; first malformed: line 1, not JSON\\)\\.\\nHint: --events takes a kube-apiserver audit log`,
        ),
      );
    },
  );

  it.each([
    ['empty.log', '0 lines read: it is empty'],
    ['blank.log', '3 lines read: 3 blank'],
    ['binary.bin', '7 lines read: 7 malformed; first malformed: line 1, not JSON'],
  ])('%s: "%s", exit 1, no figures on stdout', async (file, read) => {
    for (const output of ['text', 'json'] as const) {
      const result = await simulate(file, output);
      expect(result.code).toBe(1);
      expectNoFigures(result.stdout, output, `${file} holds no audit events (`);
      expect(result.stderr).toMatch(
        new RegExp(`^Error: ${file.replace('.', '\\.')} holds no audit events \\(.*${read}\\)\\.\\n`),
      );
    }
  });

  it('a log whose lines are mostly malformed: a warning on stderr with the count, then the figures', async () => {
    const events = [...auditLogLines({ seed: 3, bytes: 20_000 })].slice(0, 3);
    writeFileSync(
      path.join(dir, 'mostly-garbage.log'),
      `${['garbage', ...events, 'more: garbage', '', '[1]', 'x: 1'].join('\n')}\n`,
    );
    for (const output of ['text', 'json'] as const) {
      const result = await simulate('mostly-garbage.log', output);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        'Warning: 4 of the 7 lines of mostly-garbage.log that are not blank are malformed (first: line 1, not JSON); the figures cover only the 3 events read from the rest.\n',
      );
      if (output === 'json') expect(JSON.parse(result.stdout).input.events).toBe(3);
      else expect(result.stdout).toMatch(/^Input {2}mostly-garbage\.log: .*, 3 events/);
    }
  });

  it('no warning when half of the lines or fewer are malformed', async () => {
    const events = [...auditLogLines({ seed: 3, bytes: 20_000 })].slice(0, 2);
    writeFileSync(path.join(dir, 'half.log'), `${['garbage', ...events, '[]'].join('\n')}\n`);
    const result = await simulate('half.log', 'json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('simulate projects no day from too little (issue 11)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-sparse-'));
  // 40 events, one every 15 seconds: ten minutes is long enough, but 40 events are too few to say
  // what a day holds.
  const sparse = [...auditLogLines({ seed: 11, bytes: 600_000 })].slice(0, 40).map((line, i) => {
    const event = JSON.parse(line);
    const at = new Date(Date.parse('2026-11-02T10:00:00Z') + i * 15_000).toISOString().replace('Z', '000Z');
    return JSON.stringify({ ...event, requestReceivedTimestamp: at, stageTimestamp: at });
  });
  writeFileSync(path.join(dir, 'sparse.log'), `${sparse.join('\n')}\n`);
  const why = 'too few events to project a day: 40 in the input, fewer than 100';

  it('text: says why in place of the figure, and the side-by-side table shows none', async () => {
    const ctx = testCtx({ cwd: dir });
    expect(
      await main(['simulate', '--policy', 'gce', '--policy', 'basic', '--events', 'sparse.log'], ctx),
    ).toBe(0);
    const headers = ctx.out.text.split('\n').filter((l) => l.startsWith('Policy '));
    expect(headers).toHaveLength(2);
    for (const header of headers)
      expect(header).toMatch(new RegExp(`^Policy \\w+: writes \\d+ events, [\\d.]+ kB \\(${why}\\)$`));
    expect(ctx.out.text).toMatch(/\n {2}per day +- +-\n/);
    expect(ctx.out.text).toContain(
      '\nNote: The input holds 40 events, fewer than 100: too few to project a day from, so there is no per-day projection.\n',
    );
  });

  it('JSON: perDay stays null and a note says why', async () => {
    const ctx = testCtx({ cwd: dir });
    expect(await main(['simulate', '--policy', 'gce', '--events', 'sparse.log', '-o', 'json'], ctx)).toBe(0);
    const json = JSON.parse(ctx.out.text);
    expect(json.input.spanSeconds).toBeGreaterThan(60);
    expect(json.policies[0].perDay).toBeNull();
    expect(json.notes).toContain(
      'The input holds 40 events, fewer than 100: too few to project a day from, so there is no per-day projection.',
    );
  });
});

describe('simulate of two policies that log the same (issue 11)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-same-'));
  writeFileSync(
    path.join(dir, 'audit.log'),
    `${[...auditLogLines({ seed: 5, bytes: 300_000 })].join('\n')}\n`,
  );
  // gce with its comments stripped: another file, the same rules.
  const gce = readFileSync(path.join(REPO_ROOT, 'templates/gce.yaml'), 'utf8');
  writeFileSync(path.join(dir, 'gce-copy.yaml'), gce.replace(/^\s*#.*\n/gm, ''));

  it.each([['gce'], ['gce-copy.yaml']])('gce and %s: "Q logs exactly what P logs"', async (other) => {
    const ctx = testCtx({ cwd: dir });
    expect(await main(['simulate', '--policy', 'gce', '--policy', other, '--events', 'audit.log'], ctx)).toBe(
      0,
    );
    expect(ctx.out.text).toContain(
      `\n${other} logs exactly what gce logs from this input: the same events, each the same size.\n`,
    );
    expect(ctx.out.text).not.toMatch(/drops 0 events|smaller in all/);
  });

  it('gce and basic do not log the same: what basic drops, adds and shrinks is said as before', async () => {
    const ctx = testCtx({ cwd: dir });
    expect(
      await main(['simulate', '--policy', 'gce', '--policy', 'basic', '--events', 'audit.log'], ctx),
    ).toBe(0);
    expect(ctx.out.text).not.toContain('logs exactly what');
    expect(ctx.out.text).toMatch(
      /\nbasic writes [\d,]+ events? \(.*\) that gce does not, and writes .* smaller in all/,
    );
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
