/**
 * Text-to-text edits of the Cluster document: set, insert and remove keys and list items at the
 * places the YAML parser reports (node ranges), in the file's own indentation, so that every other
 * byte stays as it was and a pure addition is a run of added lines. Each edit re-parses the text.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { SpecError } from '../errors.js';
import { jsonSpecError, looksLikeJson, type ParsedSpec, parseSpec } from './document.js';
import {
  blockLiteral,
  columnOf,
  commentBlockStart,
  lineNumberOf,
  lineStart,
  lineStartAfter,
  scalarText,
  splice,
} from './text.js';

/** A value to write: scalars, lists of scalars, block literals, nested maps (key order kept). */
export type YamlValue = string | number | boolean | Literal | string[] | YamlEntries;
export type YamlEntries = ReadonlyArray<readonly [string, YamlValue]>;

/** Multi-line text written as a block literal (`content: |`), readable in review. */
export class Literal {
  constructor(readonly text: string) {}
}

/** How the file indents: we write new lines the same way. */
export interface IndentStyle {
  /** Spaces per nesting level of mappings. */
  step: number;
  /** Column of `-` relative to the key that holds the list: 0 (`key:\n- a`, kops' style) or `step`. */
  seqOffset: number;
}

type Range = [number, number, number];
const rangeOf = (node: unknown): Range | undefined =>
  (node as { range?: Range | null } | null)?.range ?? undefined;

/** The file's indentation, from the Cluster document (defaults: 2 spaces, lists not indented). */
export function detectIndentStyle(parsed: ParsedSpec): IndentStyle {
  const { text, cluster } = parsed;
  const first = cluster.spec.items[0];
  const keyRange = first ? rangeOf(first.key) : undefined;
  const step = keyRange && cluster.spec.flow !== true ? columnOf(text, keyRange[0]) || 2 : 2;
  const offsets = new Map<number, number>();
  const visit = (node: unknown) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const value = pair.value;
        const kr = rangeOf(pair.key);
        if (isSeq(value) && value.flow !== true && kr && value.items.length > 0) {
          const dash = dashOffset(text, value.items[0]);
          if (dash !== undefined) {
            const offset = columnOf(text, dash) - columnOf(text, kr[0]);
            offsets.set(offset, (offsets.get(offset) ?? 0) + 1);
          }
        }
        visit(value);
      }
    } else if (isSeq(node)) for (const item of node.items) visit(item);
  };
  visit(cluster.spec);
  let seqOffset = 0;
  let best = 0;
  for (const [offset, count] of offsets) {
    if (count > best || (count === best && offset < seqOffset)) {
      seqOffset = offset;
      best = count;
    }
  }
  return { step, seqOffset: Math.max(seqOffset, 0) };
}

/** Offset of the `-` that introduces a block-sequence item. */
function dashOffset(text: string, item: unknown): number | undefined {
  const range = rangeOf(item);
  if (!range) return undefined;
  const from = lineStart(text, range[0]);
  const dash = text.lastIndexOf('-', range[0]);
  return dash >= from ? dash : undefined;
}

/** Render `entries` as block-mapping lines starting at column `col`. */
export function renderEntries(entries: YamlEntries, col: number, style: IndentStyle): string {
  const pad = ' '.repeat(col);
  let out = '';
  for (const [key, value] of entries) {
    if (value instanceof Literal) out += `${pad}${key}: ${blockLiteral(value.text, col + style.step, col)}`;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      out += `${pad}${key}:\n`;
      for (const item of value as string[])
        out += `${' '.repeat(col + style.seqOffset)}- ${scalarText(item)}\n`;
    } else if (Array.isArray(value))
      out += `${pad}${key}:\n${renderEntries(value as unknown as YamlEntries, col + style.step, style)}`;
    else out += `${pad}${key}: ${scalarText(value as string | number | boolean)}\n`;
  }
  return out;
}

/** Render one block-sequence item (a mapping) with its `-` at `dashCol` and keys at `keyCol`. */
export function renderItem(
  entries: YamlEntries,
  dashCol: number,
  keyCol: number,
  style: IndentStyle,
): string {
  const body = renderEntries(entries, keyCol, style);
  return `${' '.repeat(dashCol)}-${' '.repeat(keyCol - dashCol - 1)}${body.slice(keyCol)}`;
}

/**
 * Edits one spec, re-parsing after each change so that every edit sees the current text. Only the
 * Cluster document is re-parsed (the text around it is kept aside, untouched), which keeps a
 * dozen edits on a long multi-document file fast.
 */
export class SpecEditor {
  /** The text being edited: the whole file until the first edit, then only the Cluster document. */
  private editText: string;
  /** Its parse, made when first needed after an edit (the last edit is often never re-read). */
  private parsedCache: ParsedSpec | undefined;
  private prefix = '';
  private suffix = '';
  private sliced = false;
  private readonly docStart: number;
  private readonly docEnd: number;
  private readonly source: string;
  private readonly json: boolean;
  /** Lines before the Cluster document, to report line numbers of the whole file. */
  private linesBefore: number;
  readonly style: IndentStyle;

  constructor(parsed: ParsedSpec) {
    this.docStart = parsed.cluster.doc.range[0];
    this.docEnd = parsed.cluster.end;
    this.editText = parsed.text;
    this.parsedCache = parsed;
    this.source = parsed.source;
    this.json = looksLikeJson(parsed.text);
    this.linesBefore = 0;
    this.style = detectIndentStyle(parsed);
  }

  /** The whole spec text as it is now. */
  get text(): string {
    return this.prefix + this.editText + this.suffix;
  }

  /** The spec as it is now: the whole file before any edit, then the Cluster document alone. */
  get parsed(): ParsedSpec {
    this.parsedCache ??= parseSpec(this.editText, this.source);
    return this.parsedCache;
  }

  private get current(): ParsedSpec {
    return this.parsed;
  }

  private get clusterText(): string {
    return this.editText;
  }

  /** Take the edited text; on the first edit, set the text around the Cluster document aside. */
  private commit(text: string): void {
    if (!this.sliced) {
      const end = this.docEnd + text.length - this.editText.length;
      this.prefix = text.slice(0, this.docStart);
      this.suffix = text.slice(end);
      this.linesBefore = lineNumberOf(text, this.docStart) - 1;
      text = text.slice(this.docStart, end);
      this.sliced = true;
    }
    this.editText = text;
    this.parsedCache = undefined;
  }

  private replace(start: number, end: number, insert: string): void {
    if (start === end && insert === '') return;
    if (this.pending) this.pending.push([start, end, insert]);
    else this.commit(splice(this.editText, start, end, insert));
  }

  /** The edits batch() is collecting, all against the text as it was when it began. */
  private pending: [number, number, string][] | undefined;

  /**
   * Make the edits of `edit` against the text as it is now and apply them together at the end: one
   * parse for all of them instead of one after each (a parse of a Cluster costs milliseconds on
   * cold code). The edits must touch disjoint parts of the spec, e.g. kubeAPIServer and fileAssets;
   * insertions at one place keep the order in which they were made.
   */
  batch(edit: () => void): void {
    if (this.pending) {
      edit();
      return;
    }
    this.pending = [];
    let edits: [number, number, string][];
    try {
      edit();
    } finally {
      edits = this.pending;
      this.pending = undefined;
    }
    this.applyEdits(edits);
  }

  private refuseFlow(node: YAMLMap | YAMLSeq, field: string): void {
    if (node.flow === true && node.items.length > 0) {
      // A JSON file is flow style throughout: rewriting one field would not help.
      if (this.json) throw jsonSpecError(this.source);
      const range = rangeOf(node);
      const line = range ? `:${this.linesBefore + lineNumberOf(this.clusterText, range[0])}` : '';
      throw new SpecError(
        `${this.source}${line}: ${field} is written in flow style ({...} or [...]); kops-audit edits only block style, to keep your formatting.`,
        {
          hint: `Rewrite ${field} as indented lines (one \`key: value\` or \`- item\` per line) and run the command again.`,
        },
      );
    }
  }

  /** The block map at `path` under spec, or undefined when absent or empty (`{}`, `~`, nothing). */
  private mapAt(path: readonly string[]): YAMLMap | undefined {
    const node = path.length === 0 ? this.current.cluster.spec : this.current.cluster.spec.getIn(path, true);
    if (isMap(node)) {
      this.refuseFlow(node, ['spec', ...path].join('.'));
      return node.items.length > 0 ? node : undefined;
    }
    return undefined;
  }

  private parentPair(path: readonly string[]): Pair | undefined {
    const parent =
      path.length === 1
        ? this.current.cluster.spec
        : this.current.cluster.spec.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    return parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  }

  /**
   * Set `key` in the map at `path` (created, with its parents, when absent). An existing value is
   * replaced in place (its line keeps its comment); a new key goes before the first key that sorts
   * after it, so sorted maps stay sorted, or at the end.
   */
  setValue(path: readonly string[], key: string, value: YamlValue): void {
    const map = this.mapAt(path);
    if (!map) {
      if (path.length === 0) throw new SpecError(`${this.source}: the Cluster's spec is empty.`);
      this.setValue(path.slice(0, -1), path[path.length - 1]!, [[key, value]]);
      return;
    }
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair) {
      this.replacePairValue(pair, map, value);
      return;
    }
    this.insertPair(map, key, value);
  }

  /**
   * Set several scalar keys of the map at `path` with one re-parse: existing values are replaced in
   * place, missing keys inserted as setValue would (keys sharing an insertion point keep the order
   * given). Anything else (a key whose value is a block) falls back to setValue.
   */
  setValues(
    path: readonly string[],
    entries: ReadonlyArray<readonly [string, string | number | boolean]>,
  ): void {
    if (entries.length === 0) return;
    const map = this.mapAt(path);
    if (!map) {
      if (path.length === 0) throw new SpecError(`${this.source}: the Cluster's spec is empty.`);
      this.setValue(path.slice(0, -1), path[path.length - 1]!, entries);
      return;
    }
    const col = this.keyColumn(map);
    const edits: [number, number, string][] = [];
    const later: (readonly [string, string | number | boolean])[] = [];
    for (const [key, value] of entries) {
      const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
      const range = pair ? rangeOf(pair.value) : undefined;
      if (pair && isScalar(pair.value) && pair.value.value !== null && range) {
        edits.push([range[0], range[1], scalarText(value)]);
      } else if (pair) {
        later.push([key, value]);
      } else {
        const at = this.insertionPoint(map, key);
        // Only the first insertion at the end of a text without a final newline adds one.
        const newline = edits.some((e) => e[0] === at && e[1] === at) ? '' : this.newlineBefore(at);
        edits.push([at, at, newline + renderEntries([[key, value]], col, this.style)]);
      }
    }
    this.applyEdits(edits);
    for (const [key, value] of later) this.setValue(path, key, value);
  }

  /**
   * Remove several keys of the map at `path` with one re-parse. An emptied map loses its key too,
   * unless comment lines of its own would be left (`kubeAPIServer:` then `# TODO`): the key stays,
   * empty, with them.
   */
  removeKeys(path: readonly string[], keys: readonly string[]): void {
    if (keys.length === 0) return;
    const map = this.mapAt(path);
    if (!map) return;
    const pairs = map.items.filter((p) => isScalar(p.key) && keys.includes(String(p.key.value)));
    if (pairs.length === 0) return;
    const spans = pairs.map((pair) => this.pairSpan(pair));
    if (pairs.length === map.items.length && this.mayRemoveEmptied(path, spans)) {
      this.removeKeys(path.slice(0, -1), [path[path.length - 1]!]);
      return;
    }
    this.applyEdits(spans.map(([start, end]) => [start, end, '']));
  }

  /**
   * Whether the key of the map or list at `path`, emptied by removing `spans`, goes too: not when
   * comment lines of its own would be left, and not when it is the last key of spec (a spec with no
   * keys is no Cluster; the key stays, empty).
   */
  private mayRemoveEmptied(path: readonly string[], spans: readonly [number, number][]): boolean {
    if (path.length === 0) return false;
    if (path.length === 1 && this.current.cluster.spec.items.length === 1) return false;
    return !this.leavesComments(path, spans);
  }

  /** The lines of a pair: from its key's line to the end of its value (not comments after it). */
  private pairSpan(pair: Pair): [number, number] {
    return [
      lineStart(this.clusterText, rangeOf(pair.key)![0]),
      lineStartAfter(this.clusterText, pairEnd(pair)),
    ];
  }

  /**
   * Whether removing `spans` from the map or list at `path` (all its entries) would leave comment
   * lines of that map or list behind, which would then belong to whatever precedes them.
   */
  private leavesComments(path: readonly string[], spans: readonly [number, number][]): boolean {
    const pair = this.parentPair(path);
    const body = rangeOf(pair?.value);
    if (!pair || !body) return false;
    const text = this.clusterText;
    let rest = '';
    let at = lineStartAfter(text, rangeOf(pair.key)![1]);
    for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
      rest += text.slice(at, Math.max(at, start));
      at = Math.max(at, end);
    }
    rest += text.slice(at, Math.max(at, lineStartAfter(text, body[2])));
    return /^[ \t]*#/m.test(rest);
  }

  /**
   * Apply non-overlapping edits of the current text at once, from the end backwards so that each
   * edit's offsets still hold. Insertions at one place keep their order and go before a replacement
   * that starts there.
   */
  private applyEdits(edits: [number, number, string][]): void {
    if (edits.length === 0) return;
    if (this.pending) {
      this.pending.push(...edits);
      return;
    }
    const ordered = edits
      .map((edit, i) => ({ edit, i }))
      .sort(
        (a, b) =>
          b.edit[0] - a.edit[0] || Number(b.edit[1] > b.edit[0]) - Number(a.edit[1] > a.edit[0]) || b.i - a.i,
      );
    let text = this.clusterText;
    let limit = text.length;
    for (const { edit } of ordered) {
      // An edit reaching into one applied before it would splice shifted text: a bug, caught here
      // rather than by the final check of the result.
      if (edit[1] > limit) throw new Error(`overlapping spec edits at offset ${edit[0]}`);
      text = splice(text, edit[0], edit[1], edit[2]);
      limit = edit[0];
    }
    this.commit(text);
  }

  /**
   * Where a new `key` goes in `map`: before the first key that sorts after it (above that key's
   * comment lines), so sorted maps stay sorted; otherwise after the last entry.
   */
  private insertionPoint(map: YAMLMap, key: string): number {
    const after = map.items.find((p) => isScalar(p.key) && String(p.key.value) > key);
    if (after) return commentBlockStart(this.clusterText, rangeOf(after.key)![0]);
    return lineStartAfter(this.clusterText, pairEnd(map.items[map.items.length - 1]!));
  }

  /** A newline first when inserting after a last line that has none (once, if batch() inserts twice). */
  private newlineBefore(at: number): string {
    if (this.pending?.some(([start, end]) => start === at && end === at)) return '';
    return at > 0 && at === this.clusterText.length && !this.clusterText.endsWith('\n') ? '\n' : '';
  }

  private keyColumn(map: YAMLMap): number {
    return columnOf(this.clusterText, rangeOf(map.items[0]!.key)![0]);
  }

  private insertPair(map: YAMLMap, key: string, value: YamlValue): void {
    const at = this.insertionPoint(map, key);
    this.replace(
      at,
      at,
      this.newlineBefore(at) + renderEntries([[key, value]], this.keyColumn(map), this.style),
    );
  }

  private replacePairValue(pair: Pair, map: YAMLMap, value: YamlValue): void {
    const current = pair.value as Node | null;
    const valueRange = rangeOf(current);
    const col = this.keyColumn(map);
    const keyRange = rangeOf(pair.key)!;
    const empty =
      !valueRange ||
      (isScalar(current) && current.value === null) ||
      ((isMap(current) || isSeq(current)) && current.items.length === 0);
    if (isScalar(current) && current.value !== null && !(value instanceof Literal) && !Array.isArray(value)) {
      this.replace(valueRange![0], valueRange![1], scalarText(value as string | number | boolean));
      return;
    }
    if (empty || !(isMap(current) || isSeq(current))) {
      // Replace the key's lines with the new rendering (empty containers, scalars becoming blocks).
      const start = lineStart(this.clusterText, keyRange[0]);
      const end = lineStartAfter(this.clusterText, pairEnd(pair));
      this.replace(start, end, renderEntries([[String((pair.key as Scalar).value), value]], col, this.style));
      return;
    }
    throw new SpecError(`${this.source}: cannot replace the value of ${String((pair.key as Scalar).value)}.`);
  }

  /** Remove `key` from the map at `path`; a map left empty is removed as removeKeys says. */
  removeKey(path: readonly string[], key: string): void {
    this.removeKeys(path, [key]);
  }

  /** The block list at `path`, or undefined when absent or empty. */
  private seqAt(path: readonly string[]): YAMLSeq | undefined {
    const node = this.current.cluster.spec.getIn(path, true);
    if (isSeq(node)) {
      this.refuseFlow(node, ['spec', ...path].join('.'));
      return node.items.length > 0 ? node : undefined;
    }
    return undefined;
  }

  /**
   * Put a mapping item into the list at `path`: replace the item `match` finds, or append one (the
   * list is created when absent).
   */
  upsertItem(path: readonly string[], match: (item: unknown) => boolean, entries: YamlEntries): void {
    const seq = this.seqAt(path);
    if (!seq) {
      const pair = this.parentPair(path);
      const keyCol = pair ? columnOf(this.clusterText, rangeOf(pair.key)![0]) : undefined;
      const dashCol = (keyCol ?? 0) + this.style.seqOffset;
      const item = renderItem(entries, dashCol, dashCol + 2, this.style);
      if (pair) {
        const start = lineStart(this.clusterText, rangeOf(pair.key)![0]);
        const end = lineStartAfter(this.clusterText, pairEnd(pair));
        this.replace(start, end, `${' '.repeat(keyCol!)}${path[path.length - 1]}:\n${item}`);
        return;
      }
      const parentMap = this.mapAt(path.slice(0, -1));
      if (!parentMap) throw new SpecError(`${this.source}: spec.${path.slice(0, -1).join('.')} is missing.`);
      const col = this.keyColumn(parentMap);
      const listItem = renderItem(
        entries,
        col + this.style.seqOffset,
        col + this.style.seqOffset + 2,
        this.style,
      );
      this.insertRendered(
        parentMap,
        path[path.length - 1]!,
        `${' '.repeat(col)}${path[path.length - 1]}:\n${listItem}`,
      );
      return;
    }
    const first = seq.items[0]!;
    const dash = dashOffset(this.clusterText, first);
    const dashCol = dash === undefined ? 0 : columnOf(this.clusterText, dash);
    const keyCol = columnOf(this.clusterText, rangeOf(first)![0]);
    const index = seq.items.findIndex(match);
    const item = renderItem(entries, dashCol, Math.max(keyCol, dashCol + 2), this.style);
    if (index >= 0) {
      const [start, end] = this.itemSpan(seq, index);
      this.replace(start, end, item);
    } else {
      const at = lineStartAfter(this.clusterText, rangeOf(seq.items[seq.items.length - 1])![1]);
      this.replace(at, at, this.newlineBefore(at) + item);
    }
  }

  private insertRendered(map: YAMLMap, key: string, rendered: string): void {
    const at = this.insertionPoint(map, key);
    this.replace(at, at, this.newlineBefore(at) + rendered);
  }

  private itemSpan(seq: YAMLSeq, index: number): [number, number] {
    const item = seq.items[index];
    const range = rangeOf(item)!;
    const dash = dashOffset(this.clusterText, item) ?? range[0];
    return [
      lineStart(this.clusterText, dash),
      lineStartAfter(this.clusterText, contentEnd(item) ?? range[1]),
    ];
  }

  /**
   * Remove every item `match` finds from the list at `path`; an emptied list loses its key too,
   * unless comment lines of its own would be left (as removeKeys).
   */
  removeItems(path: readonly string[], match: (item: unknown) => boolean): void {
    for (;;) {
      const seq = this.seqAt(path);
      if (!seq) return;
      const index = seq.items.findIndex(match);
      if (index < 0) return;
      const span = this.itemSpan(seq, index);
      if (seq.items.length === 1 && this.mayRemoveEmptied(path, [span])) {
        this.removeKey(path.slice(0, -1), path[path.length - 1]!);
        return;
      }
      this.replace(span[0], span[1], '');
    }
  }
}

/** End offset of a pair: its value's content end, or its key's when the value is empty. */
function pairEnd(pair: Pair): number {
  const value = contentEnd(pair.value);
  const key = rangeOf(pair.key)!;
  return value !== undefined && value > key[1] ? value : key[1];
}

/**
 * Where a node's content ends: its last scalar's end. A map's or list's own range also takes in
 * the comment lines after its last entry, which are not the entry's.
 */
function contentEnd(node: unknown): number | undefined {
  if ((isMap(node) || isSeq(node)) && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    if (isPair(last)) {
      const key = rangeOf(last.key)?.[1];
      const value = contentEnd(last.value);
      return value !== undefined && (key === undefined || value > key) ? value : key;
    }
    return contentEnd(last) ?? rangeOf(node)?.[1];
  }
  return rangeOf(node)?.[1];
}
