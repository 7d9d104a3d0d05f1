import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../../bench/generate-log.mjs';
import { parseSimulateFlags, runSimulate } from '../../../src/cli/commands/simulate.js';
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
