import { Document, isMap, isSeq } from 'yaml';
import { loadPolicy } from './load.js';
import type { OrderedRule, OrderResult, Outcome, Prefer } from './order.js';
import type { LoadedPolicy, Policy } from './types.js';

/**
 * The text of an ordered policy: each rule's own lines (its comments above it come along), moved
 * rules marked with where they were written, added overlap rules marked with the rules they settle.
 * The result is read back and compared with the ordered Policy; a file this cannot splice (flow
 * style, JSON, anchors shared between rules) is written out from the Policy instead, with the same
 * marks and without the file's other comments.
 */

export interface OrderTextOptions {
  prefer: Prefer;
}

/** Written indexes of the rules that moved: those outside a longest run kept in written order. */
export function movedRules(rules: readonly OrderedRule[]): Set<number> {
  const written = rules.flatMap((entry) => ('written' in entry ? [entry.written] : []));
  // Longest increasing subsequence; among the longest, the one keeping the lowest written indexes,
  // so that a narrow rule lifted above a broad one is the one marked, not the broad one.
  const n = written.length;
  const longestFrom = new Array<number>(n).fill(1);
  for (let i = n - 1; i >= 0; i--)
    for (let j = i + 1; j < n; j++)
      if (written[j]! > written[i]! && longestFrom[j]! + 1 > longestFrom[i]!)
        longestFrom[i] = longestFrom[j]! + 1;
  const kept = new Set<number>();
  let need = Math.max(0, ...longestFrom);
  let last = -1;
  let from = 0;
  while (need > 0) {
    let pick = -1;
    for (let i = from; i < n; i++) {
      if (longestFrom[i] === need && written[i]! > last && (pick < 0 || written[i]! < written[pick]!))
        pick = i;
    }
    kept.add(written[pick]!);
    last = written[pick]!;
    from = pick + 1;
    need--;
  }
  return new Set(written.filter((w) => !kept.has(w)));
}

/** What an outcome records, in words: `Request (omitting RequestReceived)`. */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.level === 'None') return 'None (not logged)';
  const parts: string[] = [];
  if (outcome.omitStages.length > 0) parts.push(`omitting ${outcome.omitStages.join(', ')}`);
  if (outcome.omitManagedFields && outcome.level !== 'Metadata') parts.push('without managedFields');
  return parts.length === 0 ? outcome.level : `${outcome.level} (${parts.join('; ')})`;
}

function overlapNote(entry: Extract<OrderedRule, { overlapOf: unknown }>, prefer: Prefer): string {
  const [a, b] = entry.overlapOf;
  return `kops-audit order: added, the overlap of rules[${a}] and rules[${b}] as written, at the level the most specific rules give it (--prefer ${prefer})`;
}

const movedNote = (written: number) => `kops-audit order: rules[${written}] as written`;

export function orderedPolicyText(
  loaded: LoadedPolicy,
  result: OrderResult,
  options: OrderTextOptions,
): string {
  if (result.unchanged || !result.policy) return loaded.text;
  const spliced = splicedText(loaded, result, options);
  if (spliced !== undefined && readsAs(spliced, result.policy)) return spliced;
  return rewrittenText(result, options);
}

/** Whether kube-apiserver would read `text` as exactly `policy`. */
function readsAs(text: string, policy: Policy): boolean {
  const loaded = loadPolicy(text, 'ordered').loaded;
  return loaded !== undefined && canonical(loaded.policy) === canonical(policy);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

const DASH_ONLY = /^\s*-\s*(#.*)?$/;
const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

function splicedText(
  loaded: LoadedPolicy,
  result: OrderResult,
  options: OrderTextOptions,
): string | undefined {
  const { text, map } = loaded;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const lineStarts: number[] = [];
  let offset = 0;
  for (const line of text.split(/(?<=\n)/)) {
    lineStarts.push(offset);
    offset += line.length;
  }
  const lineAt = (at: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const rulesLine = map.lineOf('rules');
  const count = loaded.policy.rules.length;
  if (rulesLine === undefined || !map.spanOf) return undefined;

  // Each rule: the lines from just after the previous one (or after `rules:`) to its last line.
  const blocks: Array<{ start: number; dash: number; end: number }> = [];
  let next = rulesLine; // 0-based index of the line after `rules:`
  for (let i = 0; i < count; i++) {
    const span = map.spanOf(`rules[${i}]`);
    if (!span) return undefined;
    const first = lineAt(span[0]);
    const before = text.slice(lineStarts[first]!, span[0]);
    let dash: number;
    if (/^\s*-\s+$/.test(before) || /^\s*-$/.test(before)) dash = first;
    else if (/^\s*$/.test(before) && first > 0 && DASH_ONLY.test(lines[first - 1]!)) dash = first - 1;
    else return undefined;
    const end = lineAt(Math.max(span[0], span[1] - 1));
    if (dash < next) return undefined;
    for (let l = next; l < dash; l++) if (!BLANK_OR_COMMENT.test(lines[l]!)) return undefined;
    blocks.push({ start: next, dash, end });
    next = end + 1;
  }
  const indent = /^\s*/.exec(lines[blocks[0]!.dash]!)![0];
  const moved = movedRules(result.rules);
  const out: string[] = lines.slice(0, blocks[0]!.start);
  for (const entry of result.rules) {
    if ('written' in entry) {
      const block = blocks[entry.written]!;
      const own = lines.slice(block.start, block.end + 1);
      if (moved.has(entry.written)) {
        const at = block.dash - block.start;
        const dashIndent = /^\s*/.exec(lines[block.dash]!)![0];
        own.splice(at, 0, `${dashIndent}# ${movedNote(entry.written)}`);
      }
      out.push(...own);
    } else {
      out.push(`${indent}# ${overlapNote(entry, options.prefer)}`);
      out.push(...ruleLines(entry.rule as unknown as Record<string, unknown>, indent));
    }
  }
  out.push(...lines.slice(next));
  return out.join(eol);
}

/** A rule as block YAML at the sequence's indentation, lists of strings in flow style. */
function ruleLines(rule: Record<string, unknown>, indent: string): string[] {
  const out: string[] = [];
  const scalar = (value: unknown) => JSON.stringify(value);
  const flow = (values: unknown[]) => `[${values.map(scalar).join(', ')}]`;
  let first = true;
  for (const [key, value] of Object.entries(rule)) {
    if (value === undefined) continue;
    const lead = first ? `${indent}- ` : `${indent}  `;
    first = false;
    if (key === 'resources' && Array.isArray(value)) {
      out.push(`${lead}resources:`);
      for (const entry of value as Array<Record<string, unknown>>) {
        let entryFirst = true;
        for (const [k, v] of Object.entries(entry)) {
          if (v === undefined) continue;
          out.push(`${indent}    ${entryFirst ? '- ' : '  '}${k}: ${Array.isArray(v) ? flow(v) : scalar(v)}`);
          entryFirst = false;
        }
      }
    } else if (key === 'level') out.push(`${lead}level: ${String(value)}`);
    else out.push(`${lead}${key}: ${Array.isArray(value) ? flow(value) : scalar(value)}`);
  }
  return out;
}

/** The ordered Policy written out afresh, with the same marks as comments. */
function rewrittenText(result: OrderResult, options: OrderTextOptions): string {
  const doc = new Document(result.policy);
  const moved = movedRules(result.rules);
  const rules = isMap(doc.contents) ? doc.contents.get('rules') : undefined;
  if (isSeq(rules)) {
    result.rules.forEach((entry, i) => {
      const node = rules.items[i] as { commentBefore?: string | null } | undefined;
      if (!node) return;
      if ('overlapOf' in entry) node.commentBefore = ` ${overlapNote(entry, options.prefer)}`;
      else if (moved.has(entry.written)) node.commentBefore = ` ${movedNote(entry.written)}`;
    });
  }
  return doc.toString({ lineWidth: 0 });
}
