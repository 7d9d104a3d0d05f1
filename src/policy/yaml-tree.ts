import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type ParsedNode,
  parseAllDocuments,
  type Scalar,
} from 'yaml';
import type { Diagnostic } from '../errors.js';
import { goYamlPlain } from '../go-yaml.js';

/**
 * YAML or JSON text → plain values plus the line of every field path, the way kube-apiserver reads a
 * policy file: YAML 1.1 scalars (go-yaml v2 under sigs.k8s.io/yaml: `yes` is a boolean, timestamps
 * stay strings), duplicate keys allowed with the last one winning (after a strict-decoding warning),
 * `<<` merge keys honoured where they stand, only the first document read.
 */

export type Plain = string | number | boolean | null | Plain[] | PlainMap;
export interface PlainMap {
  [key: string]: Plain;
}

export interface PlainTree {
  /** undefined when the text has no document at all. */
  value: Plain | undefined;
  /** 1-based line of each field path (`rules[3].verbs[0]`). */
  lines: Map<string, number>;
  /** [start, end) character offsets of each field path's value, for collections and scalars. */
  spans: Map<string, [number, number]>;
  diagnostics: Diagnostic[];
}

export function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

export function readPlainTree(text: string): PlainTree {
  const lineCounter = new LineCounter();
  const lines = new Map<string, number>();
  const spans = new Map<string, [number, number]>();
  const diagnostics: Diagnostic[] = [];
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;

  const unreadable = readerError(text);
  if (unreadable) return { value: undefined, lines, spans, diagnostics: [unreadable] };

  const docs = parseAllDocuments(text, {
    version: '1.1',
    uniqueKeys: false,
    lineCounter,
    prettyErrors: true,
  });
  const documents: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const first = documents[0];
  if (!first) return { value: undefined, lines, spans, diagnostics };

  if (first.errors.length > 0) {
    // go-yaml stops at the first problem, and kube-apiserver reports that one. The yaml library goes
    // on and reports more, many of them echoes of the first, not in line order: keep the earliest,
    // at the line of the text it concerns (the library can point at blank or comment lines before it).
    const problem = [...first.errors].sort((a, b) => a.pos[0] - b.pos[0])[0]!;
    diagnostics.push({
      severity: 'error',
      code: 'YAML_SYNTAX',
      message: `not valid YAML or JSON: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      line: lineAt(contentAt(text, problem.pos[0])),
      fix: 'fix the syntax (kube-apiserver cannot decode the file)',
    });
    return { value: undefined, lines, spans, diagnostics };
  }

  const extra = documents.slice(1).find((doc) => doc.contents !== null);
  if (extra) {
    diagnostics.push({
      severity: 'warning',
      code: 'MULTIPLE_DOCUMENTS',
      message: 'the file holds more than one YAML document; kube-apiserver reads only the first',
      line: lineAt(extra.range[0]),
      fix: 'keep one Policy per file',
    });
  }

  // go-yaml refuses a document that aliases its way to far more nodes than it holds (a "billion
  // laughs" file). Counted as it counts (decode.go unmarshal): every node decoded, and those decoded
  // inside an alias's expansion (an alias is itself one node, its target another).
  let decoded = 0;
  let expanded = 0;
  let insideAlias = 0;
  const count = () => {
    decoded++;
    if (insideAlias > 0) expanded++;
    if (expanded > MAX_EXPANDED || excessiveAliasing(decoded, expanded)) throw new ExcessiveAliasing();
  };
  const expanding = <T>(alias: boolean, read: () => T): T => {
    if (!alias) return read();
    insideAlias++;
    try {
      count();
      return read();
    } finally {
      insideAlias--;
    }
  };
  const toPlain = (node: unknown, path: string): Plain => {
    count();
    return expanding(isAlias(node), () => toPlainNode(node, path));
  };
  const toPlainNode = (node: unknown, path: string): Plain => {
    const resolved = resolveAlias(node, first);
    if (isRange(resolved)) spans.set(path, [resolved.range[0], resolved.range[1]]);
    if (isMap(resolved)) {
      const out: PlainMap = Object.create(null);
      const seen = new Set<string>();
      for (const pair of resolved.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
          // `<<: *anchor` (or a list of them), merged where it stands, as go-yaml v2 does
          // (decode.go mapping and merge): its keys override the ones before it, keys after it
          // override its keys, and in a list the first map wins.
          const source = resolveAlias(pair.value, first);
          const maps = isSeq(source) ? [...source.items].reverse() : [pair.value];
          for (const item of maps) {
            const map = resolveAlias(item, first);
            if (!isMap(map)) continue;
            expanding(isAlias(item), () => {
              for (const merged of map.items) {
                if (!isPair(merged)) continue;
                const key = keyText(merged.key);
                out[key] = merged.value === null ? null : toPlain(merged.value, childPath(path, key));
              }
            });
          }
          continue;
        }
        const key = keyText(keyNode);
        const fieldPath = childPath(path, key);
        if (seen.has(key)) {
          diagnostics.push({
            severity: 'warning',
            code: 'DUPLICATE_KEY',
            field: fieldPath,
            message: `"${key}" is given twice${path ? ` in ${path}` : ''}; kube-apiserver keeps only the last one (after a strict-decoding warning in its log)`,
            line: isRange(keyNode) ? lineAt(keyNode.range[0]) : undefined,
            fix: `merge the two "${key}" entries into one`,
          });
        }
        seen.add(key);
        if (isRange(keyNode)) lines.set(fieldPath, lineAt(keyNode.range[0]));
        out[key] = pair.value === null ? null : toPlain(pair.value, fieldPath);
      }
      return out;
    }
    if (isSeq(resolved)) {
      return resolved.items.map((item, i) => {
        const itemPath = `${path}[${i}]`;
        const itemNode = resolveAlias(item, first);
        if (isRange(item)) lines.set(itemPath, lineAt(item.range[0]));
        else if (isRange(itemNode)) lines.set(itemPath, lineAt(itemNode.range[0]));
        return toPlain(item, itemPath);
      });
    }
    if (isScalar(resolved)) return scalarOf(resolved);
    return null;
  };

  const contents = first.contents;
  if (contents === null) return { value: undefined, lines, spans, diagnostics };
  try {
    return { value: toPlain(contents, ''), lines, spans, diagnostics };
  } catch (error) {
    if (!(error instanceof ExcessiveAliasing)) throw error;
    diagnostics.push({
      severity: 'error',
      code: 'YAML_SYNTAX',
      message:
        'not valid YAML: the document contains excessive aliasing (anchors expanding to far more than the file holds)',
      line: 1,
      fix: 'write the values out instead of repeating them through & anchors and * aliases',
    });
    return { value: undefined, lines, spans, diagnostics };
  }
}

/**
 * `offset`, or when it lies on a line that holds only blanks or a comment, the start of the next line
 * with something else on it (the offset itself when there is none).
 */
function contentAt(text: string, offset: number): number {
  let start = text.lastIndexOf('\n', offset - 1) + 1;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    if (!/^\s*(#[^\n]*)?$/.test(line)) return Math.max(start, offset);
    if (end === -1) break;
    start = end + 1;
  }
  return offset;
}

class ExcessiveAliasing extends Error {}

/** Far more than any policy repeats through aliases: a file past it is an alias bomb. */
const MAX_EXPANDED = 200_000;

/** go-yaml v2.4's limit (decode.go allowedAliasRatio). */
function excessiveAliasing(decoded: number, aliased: number): boolean {
  if (aliased <= 100 || decoded <= 1000) return false;
  const low = 400_000;
  const high = 4_000_000;
  const ratio =
    decoded <= low ? 0.99 : decoded >= high ? 0.1 : 0.99 - (0.89 * (decoded - low)) / (high - low);
  return aliased / decoded > ratio;
}

/**
 * Characters outside go-yaml's printable set (readerc.go, is_printable): C0 and C1 controls but tab,
 * line breaks and NEL, DEL, U+FFFE/U+FFFF, and a byte order mark anywhere but at the start.
 */
const GO_YAML_REFUSES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what it looks for
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]|(?!^)\ufeff/;

/**
 * What kube-apiserver's readers refuse before any YAML rule applies. A file whose first non-blank
 * character is `{` goes to its JSON decoder, which has no YAML fallback (apimachinery
 * util/yaml IsJSONBuffer): trailing commas, comments and single quotes fail there. Everything else
 * goes to go-yaml, which refuses control characters anywhere, comments included (readerc.go:
 * "control characters are not allowed").
 */
function readerError(text: string): Diagnostic | undefined {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (/^\s*\{/.test(text)) {
    try {
      JSON.parse(text);
      return undefined;
    } catch (error) {
      // V8 says where as "at position N", or by quoting the text around it.
      const message = (error as Error).message;
      const position = /at position (\d+)/.exec(message);
      const quoted = /^(.*?), (?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(message);
      const near = quoted ? text.indexOf(quoted[2]!) : -1;
      const offset = position ? Number(position[1]) : Math.max(near, 0);
      const what = (quoted ? quoted[1]! : message).replace(/ in JSON at position \d+.*$/s, '');
      return {
        severity: 'error',
        code: 'YAML_SYNTAX',
        message: `not valid JSON: ${what} (a file that starts with { is read as JSON only)`,
        line: lineOf(offset),
        fix: 'fix the JSON (no trailing commas, comments or single quotes), or write the policy as YAML',
      };
    }
  }
  const control = GO_YAML_REFUSES.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return {
      severity: 'error',
      code: 'YAML_SYNTAX',
      message: `not valid YAML: control character U+${code}, which kube-apiserver's YAML reader refuses anywhere in the file, comments included`,
      line: lineOf(control.index),
      fix: 'remove that character (an editor that shows invisible characters finds it)',
    };
  }
  return undefined;
}

function resolveAlias(node: unknown, doc: Document.Parsed): unknown {
  let current = node;
  for (let depth = 0; depth < 16 && isAlias(current); depth++) current = current.resolve(doc);
  return current;
}

function isRange(node: unknown): node is ParsedNode & { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as Node).range);
}

function keyText(key: unknown): string {
  if (isScalar(key)) {
    const value = scalarOf(key);
    return value === null ? 'null' : String(value);
  }
  return String(key);
}

/**
 * A scalar's value as go-yaml v2 gives it. Plain scalars (unquoted, untagged, on one line) are
 * resolved by its rules, which are not YAML 1.1's to the letter: `0o17` and `0X1F` are numbers,
 * `1:20` (base 60) and `.` are strings.
 */
function scalarOf(node: Scalar): Plain {
  const source = node.source;
  if (
    node.type === 'PLAIN' &&
    node.tag === undefined &&
    typeof source === 'string' &&
    !source.includes('\n')
  ) {
    return goYamlPlain(source);
  }
  return scalarValue(node.value, source);
}

/** go-yaml v2 decodes into interface{}: timestamps and binary stay as their source text. */
function scalarValue(value: unknown, source: string | undefined): Plain {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return source ?? String(value);
}
