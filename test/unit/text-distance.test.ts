import { describe, expect, it } from 'vitest';
import { editDistance } from '../../src/text-distance.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['verb', 'verbs', 1],
    ['auditlogmaxbackup', 'auditlogmaxbackups', 1],
    ['omitstags', 'omitstages', 1],
    ['kitten', 'sitting', 3],
    ['usergroups', 'userGroups', 1],
    ['flaw', 'lawn', 2],
  ])('%j to %j is %i, and the same backwards', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});
