import type { ReadProgress, ReadSummary } from '../../logs/read-audit-log.js';
import {
  type InputStats,
  type PolicyResult,
  projectionGap,
  type SimulationResult,
  writesTheSame,
} from '../../logs/simulate.js';
import { LEVELS } from '../../policy/types.js';
import type { ShipPrice } from '../../spec/ship-price.js';

/**
 * The human view of `simulate`: aligned tables on stdout, one block per policy, then a side-by-side
 * table and what each later policy drops when there are several. Numbers are formatted the same way
 * everywhere (thousands separators, decimal units) so the output is stable for golden files.
 */

const BAR_WIDTH = 20;

export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Decimal units, as disks and logging bills count them. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** `1 event`, `2 events`. */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

function percent(part: number, whole: number): string {
  if (whole === 0) return '-';
  const p = (100 * part) / whole;
  return p > 0 && p < 0.1 ? '<0.1%' : `${p.toFixed(1)}%`;
}

function bar(part: number, whole: number): string {
  const filled = whole === 0 ? 0 : Math.round((BAR_WIDTH * part) / whole);
  return '█'.repeat(filled) + '·'.repeat(BAR_WIDTH - filled);
}

/** Rows of cells → lines, each column padded to its widest cell; `right` columns align right. */
export function table(
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
  indent = '  ',
): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      (
        indent +
        row
          .map((cell, i) => {
            const pad = ' '.repeat(widths[i]! - [...cell].length);
            return right[i] ? pad + cell : cell + pad;
          })
          .join('  ')
      ).trimEnd(),
    )
    .join('\n');
}

function timeRange(from: string | null, to: string | null): string {
  const short = (t: string) => t.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, ' UTC');
  return from && to ? ` (${short(from)} to ${short(to)})` : '';
}

function inputBlock(summary: ReadSummary, result: SimulationResult): string {
  const { input } = result;
  const span =
    input.spanSeconds !== null && input.spanSeconds > 0 ? ` over ${formatDuration(input.spanSeconds)}` : '';
  const name = summary.source === '-' ? 'stdin' : summary.source;
  const gzip = summary.gzip ? ` (gzip, ${formatBytes(summary.bytesRead)})` : '';
  const lines = [
    `Input  ${name}: ${formatBytes(summary.textBytes)}${gzip}, ${countOf(input.events, 'event')}${span}${timeRange(input.from, input.to)}`,
  ];
  const levels = Object.entries(input.recordedLevels)
    .map(([level, n]) => `${level} ${percent(n, input.events)}`)
    .join(', ');
  const stages = Object.entries(input.stages)
    .map(([stage, n]) => `${stage} ${percent(n, input.events)}`)
    .join(', ');
  if (levels) lines.push(`       recorded at ${levels}`);
  if (stages) lines.push(`       stages ${stages}`);
  if (summary.truncated) {
    lines.push('       the gzip stream is cut short: the figures cover only what it holds');
  }
  const { malformed } = summary;
  if (malformed.count > 0) {
    const first = malformed.first.map((m) => `${m.line} (${m.reason})`).join(', ');
    const more = malformed.count > malformed.first.length ? ', ...' : '';
    lines.push(
      `       ${formatCount(malformed.count)} malformed line${malformed.count === 1 ? '' : 's'} skipped: ${first}${more}`,
    );
  }
  return lines.join('\n');
}

function perDayText(policy: PolicyResult, input: InputStats): string {
  const { perDay } = policy;
  if (perDay) return `${countOf(perDay.events, 'event')}, ${formatBytes(perDay.bytes)} per day`;
  return projectionGap(input, policy.events) ?? 'no per-day projection';
}

function policyBlock(policy: PolicyResult, input: InputStats): string {
  const inputEvents = input.events;
  const out: string[] = [];
  out.push(
    `Policy ${policy.policy}: writes ${countOf(policy.events, 'event')}, ${formatBytes(policy.bytes)} (${perDayText(policy, input)})`,
  );
  out.push('');
  const levelRows = [['level', 'events', 'share of events', '', 'written', 'bytes']];
  for (const level of LEVELS) {
    const t = policy.byLevel[level];
    levelRows.push([
      level,
      formatCount(t.matched),
      bar(t.matched, inputEvents),
      percent(t.matched, inputEvents),
      formatCount(t.events),
      formatBytes(t.bytes),
    ]);
  }
  out.push(table(levelRows, [false, true, false, true, true, true]));
  out.push('');
  const ruleRows = [['rule', '', 'level', 'events', 'written', 'bytes']];
  for (const r of policy.byRule) {
    ruleRows.push([
      r.rule === null ? '-' : `rules[${r.rule}]`,
      r.label,
      r.level,
      formatCount(r.matched),
      formatCount(r.events),
      formatBytes(r.bytes),
    ]);
  }
  out.push(table(ruleRows, [false, false, false, true, true, true]));
  if (policy.topUsers.length > 0) {
    out.push('');
    out.push(
      table(
        [
          ['top users', 'events', 'bytes'],
          ...policy.topUsers.map((u) => [u.user || '(none)', formatCount(u.events), formatBytes(u.bytes)]),
        ],
        [false, true, true],
      ),
    );
    out.push('');
    out.push(
      table(
        [
          ['top resources', 'events', 'bytes'],
          ...policy.topResources.map((r) => [
            r.resource || '(none)',
            formatCount(r.events),
            formatBytes(r.bytes),
          ]),
        ],
        [false, true, true],
      ),
    );
  }
  return out.join('\n');
}

function comparisonBlock(result: SimulationResult): string {
  const { policies } = result;
  const out: string[] = [];
  const header = ['', ...policies.map((p) => p.policy)];
  const rows = [
    header,
    ['events written', ...policies.map((p) => formatCount(p.events))],
    ['bytes', ...policies.map((p) => formatBytes(p.bytes))],
    ['per day', ...policies.map((p) => (p.perDay ? formatBytes(p.perDay.bytes) : '-'))],
    ...LEVELS.map((level) => [level, ...policies.map((p) => formatCount(p.byLevel[level].matched))]),
  ];
  out.push('Side by side (per level: events given that level)');
  out.push('');
  out.push(table(rows, [false, ...policies.map(() => true)]));
  for (const [i, c] of result.comparisons.entries()) {
    out.push('');
    if (writesTheSame(c, policies[0]!, policies[i + 1]!)) {
      out.push(
        `${c.to} logs exactly what ${c.from} logs from this input: the same events, each the same size.`,
      );
      continue;
    }
    out.push(
      `${c.to} drops ${countOf(c.dropped.events, 'event')} (${formatBytes(c.dropped.bytes)}) that ${c.from} writes` +
        (c.dropped.events > 0 ? ', mostly:' : '.'),
    );
    if (c.dropped.events > 0) {
      out.push(
        table(
          [
            ['resource', 'events', 'bytes'],
            ...c.dropped.topResources.map((r) => [
              r.resource || '(none)',
              formatCount(r.events),
              formatBytes(r.bytes),
            ]),
          ],
          [false, true, true],
          '    ',
        ),
      );
      out.push(
        table(
          [
            ['user', 'events', 'bytes'],
            ...c.dropped.topUsers.map((u) => [
              u.user || '(none)',
              formatCount(u.events),
              formatBytes(u.bytes),
            ]),
          ],
          [false, true, true],
          '    ',
        ),
      );
    }
    out.push(
      `${c.to} writes ${countOf(c.added.events, 'event')} (${formatBytes(c.added.bytes)}) that ${c.from} does not, ` +
        `and writes ${countOf(c.smaller.events, 'event')} ${formatBytes(c.smaller.bytes)} smaller in all (bodies or managedFields left out).`,
    );
  }
  return out.join('\n');
}

/** US dollars a day of `bytes` costs at `price` (GB = 10^9 bytes), to the cent. */
export function ingestCost(bytes: number, price: ShipPrice): number {
  return Math.round((bytes / 1e9) * price.usdPerGb * 100) / 100;
}

/** What shipping each policy's log costs a day, and where the price comes from. */
function costBlock(result: SimulationResult, price: ShipPrice): string {
  const rows = [['policy', 'per day', 'ingest cost per day']];
  for (const policy of result.policies) {
    rows.push([
      policy.policy,
      policy.perDay ? formatBytes(policy.perDay.bytes) : '-',
      policy.perDay ? `$${ingestCost(policy.perDay.bytes, price).toFixed(2)}` : '- (no per-day projection)',
    ]);
  }
  return `Shipping at $${price.usdPerGb}/GB (${price.source}), at the rate of the recorded log:\n\n${table(rows, [false, true, true])}`;
}

export function formatSimulation(summary: ReadSummary, result: SimulationResult, price?: ShipPrice): string {
  const blocks = [inputBlock(summary, result)];
  for (const policy of result.policies) blocks.push(policyBlock(policy, result.input));
  if (result.policies.length > 1) blocks.push(comparisonBlock(result));
  if (price) blocks.push(costBlock(result, price));
  if (result.notes.length > 0) blocks.push(result.notes.map((n) => `Note: ${n}`).join('\n'));
  return `${blocks.join('\n\n')}\n`;
}

/** One progress line for stderr on a terminal, rewritten in place. */
export function formatProgress(progress: ReadProgress, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? progress.events / seconds : 0;
  let text = `reading ${formatBytes(progress.bytesRead)}`;
  if (progress.totalBytes !== undefined && progress.totalBytes > 0) {
    const fraction = progress.bytesRead / progress.totalBytes;
    text += ` of ${formatBytes(progress.totalBytes)} (${(100 * fraction).toFixed(0)}%)`;
    if (fraction > 0 && seconds > 0) text += `, ETA ${formatDuration((seconds * (1 - fraction)) / fraction)}`;
  }
  return `${text}, ${formatCount(rate)} events/s`;
}
