/**
 * unifiedDiff prints `diff -u`'s format (headers only, 3 lines of context), and the patches of enable
 * and disable apply and only add (or only remove) lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { describe, expect, it } from 'vitest';
import { planEnable } from '../../../src/plan/plan.js';
import { unifiedDiff } from '../../../src/plan/unified-diff.js';
import { CONFORMANCE_DIR, conformanceMissing } from '../../helpers/paths.js';
import { basicPolicy, exampleSpec } from '../spec/fixtures.js';

const reference = (a: string, b: string) =>
  createTwoFilesPatch('a/x', 'b/x', a, b, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });

describe('unifiedDiff', () => {
  const cases: [string, string, string][] = [
    ['insert in the middle', 'a\nb\nc\nd\ne\nf\ng\nh\n', 'a\nb\nc\nd\nX\nY\ne\nf\ng\nh\n'],
    [
      'two insertions far apart',
      'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n',
      'a\nX\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nY\nl\n',
    ],
    ['two insertions close together', 'a\nb\nc\nd\ne\n', 'a\nX\nb\nc\nY\nd\ne\n'],
    ['insert at the start and the end', 'a\nb\n', 'X\na\nb\nY\n'],
    ['remove lines', 'a\nb\nc\nd\ne\nf\n', 'a\nb\ne\nf\n'],
    ['no newline at the end, change far from it', 'a\nb\nc\nd\ne\nf\ng\nh', 'a\nX\nb\nc\nd\ne\nf\ng\nh'],
    ['no newline at the end, change at it', 'a\nb', 'a\nb\nc'],
    ['an update (general diff)', 'a\nb\nc\n', 'a\nB\nc\n'],
  ];
  it.each(cases)('%s: same text as the diff package', (_name, a, b) => {
    expect(unifiedDiff('a/x', 'b/x', a, b)).toBe(reference(a, b));
  });

  it('the example spec: only + lines, and the patch applies', () => {
    const after = planEnable(exampleSpec, { source: 'x', policy: basicPolicy, backend: 'log' }).after;
    const patch = unifiedDiff('a/x', 'b/x', exampleSpec, after);
    expect(applyPatch(exampleSpec, patch)).toBe(after);
    expect(patch).toBe(reference(exampleSpec, after));
  });
});

const skip = conformanceMissing('kops/specs');
describe.skipIf(skip)('unifiedDiff on every conformance spec', () => {
  const dir = path.join(CONFORMANCE_DIR, 'kops/specs');
  const files = skip
    ? []
    : readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'nodeup-golden-audit.yaml');
  it.each(files)('%s: enable and disable patches apply and add (remove) lines only', (file) => {
    const before = readFileSync(path.join(dir, file), 'utf8');
    const after = planEnable(before, { source: file, policy: basicPolicy, backend: 'log' }).after;
    const forward = unifiedDiff('a/x', 'b/x', before, after);
    expect(applyPatch(before, forward)).toBe(after);
    const backward = unifiedDiff('a/x', 'b/x', after, before);
    expect(applyPatch(after, backward)).toBe(before);
    const body = (patch: string) => patch.split('\n').slice(2);
    expect(body(forward).filter((l) => l.startsWith('-'))).toEqual([]);
    expect(body(backward).filter((l) => l.startsWith('+'))).toEqual([]);
  });
});
