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
} from 'yaml';
import type { Diagnostic } from '../errors.js';

/**
 * YAML or JSON text → plain values plus the line of every field path, the way kube-apiserver reads a
 * policy file: YAML 1.1 scalars (go-yaml v2 under sigs.k8s.io/yaml: `yes` is a boolean, timestamps
 * stay strings), duplicate keys allowed with the last one winning (after a strict-decoding warning),
 * `<<` merge keys honoured, only the first document read.
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

  const docs = parseAllDocuments(text, {
    version: '1.1',
    uniqueKeys: false,
    lineCounter,
    prettyErrors: true,
  });
  const documents: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const first = documents[0];
  if (!first) return { value: undefined, lines, spans, diagnostics };

  for (const problem of first.errors) {
    diagnostics.push({
      severity: 'error',
      code: 'YAML_SYNTAX',
      message: `not valid YAML or JSON: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      line: problem.linePos?.[0]?.line ?? lineAt(problem.pos[0]),
      fix: 'fix the syntax (kube-apiserver cannot decode the file)',
    });
  }
  if (first.errors.length > 0) return { value: undefined, lines, spans, diagnostics };

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

  const toPlain = (node: unknown, path: string): Plain => {
    const resolved = resolveAlias(node, first);
    if (isRange(resolved)) spans.set(path, [resolved.range[0], resolved.range[1]]);
    if (isMap(resolved)) {
      const out: PlainMap = Object.create(null);
      const seen = new Set<string>();
      const merged: unknown[] = [];
      for (const pair of resolved.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
          // `<<: *anchor` (or a list of anchors): merged keys never override explicit ones.
          const source = resolveAlias(pair.value, first);
          if (isSeq(source)) merged.push(...source.items);
          else merged.push(pair.value);
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
      for (const source of merged) {
        const map = resolveAlias(source, first);
        if (!isMap(map)) continue;
        for (const pair of map.items) {
          if (!isPair(pair)) continue;
          const key = keyText(pair.key);
          if (key in out) continue;
          out[key] = pair.value === null ? null : toPlain(pair.value, childPath(path, key));
        }
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
    if (isScalar(resolved)) return scalarValue(resolved.value, resolved.source);
    return null;
  };

  const contents = first.contents;
  if (contents === null) return { value: undefined, lines, spans, diagnostics };
  return { value: toPlain(contents, ''), lines, spans, diagnostics };
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
    const value = scalarValue(key.value, key.source);
    return value === null ? 'null' : String(value);
  }
  return String(key);
}

/** go-yaml v2 decodes into interface{}: timestamps and binary stay as their source text. */
function scalarValue(value: unknown, source: string | undefined): Plain {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return source ?? String(value);
}
