import { describe, expect, it } from 'vitest';
import { colorDiff } from '../../../src/cli/views/diff.js';

const diff = '--- a/c.yaml\n+++ b/c.yaml\n@@ -1,2 +1,3 @@\n a\n+b\n-c\n';

describe('colorDiff', () => {
  it('leaves the diff plain without colour (pipes, NO_COLOR)', () => {
    expect(colorDiff(diff, false)).toBe(diff);
  });
  it('colours headers, hunks, additions and removals by prefix', () => {
    const lines = colorDiff(diff, true).split('\n');
    expect(lines[0]).toBe('\u001b[1m--- a/c.yaml\u001b[22m');
    expect(lines[2]).toBe('\u001b[36m@@ -1,2 +1,3 @@\u001b[39m');
    expect(lines[3]).toBe(' a');
    expect(lines[4]).toBe('\u001b[32m+b\u001b[39m');
    expect(lines[5]).toBe('\u001b[31m-c\u001b[39m');
  });
});
