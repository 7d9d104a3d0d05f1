/**
 * Small helpers for editing YAML as text: offsets, lines and columns, and the few scalar forms we
 * write. Every edit in spec/ goes through these so that unrelated bytes are never touched.
 */
import { parse } from 'yaml';
import { goYamlPlain } from '../go-yaml.js';

/** Offset of the first character of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Offset just after the line that `end` finishes. A node's range end is either right after its
 * trailing newline (block values) or in the middle of its last line (plain scalars, flow nodes).
 */
export function lineStartAfter(text: string, end: number): number {
  if (end > 0 && text[end - 1] === '\n') return end;
  // A list's range can end in the indentation of the key after it (`- a\n  # c\n  next:`): that
  // line is not the list's, and taking it along would delete `next`.
  const start = lineStart(text, end);
  if (start < end && /^[ \t]*$/.test(text.slice(start, end))) return start;
  const newline = text.indexOf('\n', end);
  return newline === -1 ? text.length : newline + 1;
}

/** 0-based column of `offset` in its line. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** 1-based line number of `offset`. */
export function lineNumberOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The start of the comment lines directly above the line at `start` (no blank line between), so
 * that an insertion before a key does not separate that key from its comment.
 */
export function commentBlockStart(text: string, start: number): number {
  let at = lineStart(text, start);
  while (at > 0) {
    const previous = lineStart(text, at - 1);
    if (!/^[ \t]*#/.test(text.slice(previous, at))) break;
    at = previous;
  }
  return at;
}

/** Text with `[start, end)` replaced. */
export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/**
 * A scalar as it should appear after `key: `. Plain when YAML 1.1 (what kops reads) gives back the
 * same value, double-quoted otherwise: `0400` must stay the string "0400", not octal 256, and
 * `yes` must not become true.
 */
/** Words YAML 1.1 reads as booleans or null (go-yaml v2 resolve.go), in any of their spellings. */
const YAML11_WORDS = /^(y|yes|n|no|true|false|on|off|null)$/i;

export function scalarText(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  // Fast path for names and paths (no parse needed): letters, digits, / . _ -, not a YAML 1.1 word.
  if (/^[A-Za-z_/][\w./-]*$/.test(value) && !YAML11_WORDS.test(value)) return value;
  // kops reads with go-yaml v2, whose numbers are not quite YAML 1.1's (0o17 is one): both must agree.
  if (value !== '' && !/[\n\r\t]/.test(value) && value.trim() === value && goYamlPlain(value) === value) {
    try {
      if (parse(`k: ${value}\n`, { version: '1.1' })?.k === value) return value;
    } catch {
      // not plain-safe: quote it
    }
  }
  return JSON.stringify(value);
}

/**
 * `content` as a YAML block literal whose lines sit at `indent` spaces (the key holding it is at
 * `keyIndent`), starting with the header (`|`, `|-`, `|+`, with an indentation indicator when the
 * first line starts with a space or is empty), or a double-quoted string when the text has characters
 * a block scalar cannot hold.
 */
export function blockLiteral(content: string, indent: number, keyIndent: number): string {
  // Block scalars cannot carry carriage returns or other control characters except tab.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what we look for
  if (content === '' || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(content)) return JSON.stringify(content);
  const body = content.replace(/\n+$/, '');
  const trailing = content.length - body.length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const indicator = /^[ \n]/.test(content) ? String(indent - keyIndent) : '';
  const pad = ' '.repeat(indent);
  const lines = content.slice(0, trailing > 1 ? content.length - 1 : body.length).split('\n');
  return `|${indicator}${chomp}\n${lines.map((line) => (line === '' ? '' : pad + line)).join('\n')}\n`;
}
