/** Scalars and block literals we write must read back as the same value under YAML 1.1 (kops). */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { blockLiteral, scalarText } from '../../../src/spec/text.js';

const readBack = (text: string) => parse(text, { version: '1.1' }).k;

describe('scalarText', () => {
  it.each([
    ['/var/log/kube-apiserver-audit.log', '/var/log/kube-apiserver-audit.log'],
    ['kops-audit-policy', 'kops-audit-policy'],
    ['5s', '5s'],
    ['0400', '"0400"'],
    ['yes', '"yes"'],
    ['On', '"On"'],
    ['null', '"null"'],
    ['1.5', '"1.5"'],
    ['a: b', '"a: b"'],
    ['', '""'],
    // Strings to YAML 1.1, numbers to go-yaml v2, which kops reads with (strconv.ParseInt base 0).
    ['0o17', '"0o17"'],
    ['0X1F', '"0X1F"'],
    ['0B101', '"0B101"'],
  ])('%j is written as %s and reads back the same', (value, text) => {
    expect(scalarText(value)).toBe(text);
    expect(readBack(`k: ${text}\n`)).toBe(value);
  });
  it('writes numbers and booleans plainly', () => {
    expect(scalarText(30)).toBe('30');
    expect(scalarText(true)).toBe('true');
  });
});

describe('blockLiteral', () => {
  it.each([
    ['one trailing newline', 'a: 1\nb: 2\n'],
    ['no trailing newline', 'a: 1\nb: 2'],
    ['several trailing newlines', 'a: 1\n\n\n'],
    ['a first line indented', '  indented: true\nnext: 1\n'],
    ['a leading empty line', '\nx: 1\n'],
    ['inner blank lines and # lines', '# comment\n\nrules:\n  - level: Metadata\n'],
    ['a tab', 'a:\tb\n'],
  ])('%s reads back byte for byte', (_name, content) => {
    const text = `k: ${blockLiteral(content, 2, 0)}`;
    expect(readBack(text)).toBe(content);
  });
  it('uses a plain `|` for the usual case, readable in review', () => {
    expect(blockLiteral('a: 1\n', 6, 4)).toBe('|\n      a: 1\n');
  });
  it('falls back to a quoted string for control characters', () => {
    const content = 'a\r\nb\n';
    expect(readBack(`k: ${blockLiteral(content, 2, 0)}`)).toBe(content);
  });
});
