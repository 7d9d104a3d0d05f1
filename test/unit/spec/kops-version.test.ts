// Every `kops version` output form (kops.md §4 "kops version").
import { describe, expect, it } from 'vitest';
import {
  compareKopsVersions,
  isAtLeast,
  parseKopsVersion,
  parseKopsVersionOutput,
} from '../../../src/spec/kops-version.js';

describe('parseKopsVersionOutput', () => {
  it.each([
    ['Version 1.21.0 (git-v1.21.0)\n', '1.21.0', [1, 21, 0], [], ''],
    ['Version 1.10.0\n', '1.10.0', [1, 10, 0], [], ''],
    ['Client version: 1.26.2 (git-v1.26.2)\n', '1.26.2', [1, 26, 2], [], ''],
    ['1.28.4\n', '1.28.4', [1, 28, 4], [], ''],
    [
      'Client version: 1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264 (git-v1.37.0-alpha.1-280-g268927e264)\n',
      '1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264',
      [1, 37, 0],
      ['alpha', '2'],
      'v1.37.0-alpha.1-280-g268927e264',
    ],
    [
      'Client version: 1.29.0-alpha.2+v1.29.0-alpha.1-123-gabc (git-v1.29.0-alpha.1-123-gabc)\n',
      '1.29.0-alpha.2+v1.29.0-alpha.1-123-gabc',
      [1, 29, 0],
      ['alpha', '2'],
      'v1.29.0-alpha.1-123-gabc',
    ],
    [
      'W1125 10:00:00.000000   1 x.go:1] some warning\nClient version: 1.34.1 (git-v1.34.1)\nLast applied server version: 1.34.0\n',
      '1.34.1',
      [1, 34, 1],
      [],
      '',
    ],
  ])('%j', (output, text, [major, minor, patch], prerelease, build) => {
    expect(parseKopsVersionOutput(output)).toEqual({ text, major, minor, patch, prerelease, build });
  });

  it('refuses output that is not a kops version', () => {
    expect(parseKopsVersionOutput('kubectl: command not found\n')).toBeUndefined();
    expect(parseKopsVersionOutput('Version one\n')).toBeUndefined();
  });
});

describe('version order (semver precedence, used for the 1.26 role and flag rules)', () => {
  const v = (t: string) => parseKopsVersion(t)!;
  it('a pre-release sorts before its release, numerically by identifier', () => {
    expect(compareKopsVersions(v('1.26.0-alpha.2'), v('1.26.0'))).toBeLessThan(0);
    expect(compareKopsVersions(v('1.26.0-alpha.10'), v('1.26.0-alpha.2'))).toBeGreaterThan(0);
    expect(compareKopsVersions(v('1.26.0-beta.1'), v('1.26.0-alpha.9'))).toBeGreaterThan(0);
    expect(compareKopsVersions(v('1.37.0-alpha.2+build'), v('1.37.0-alpha.2'))).toBe(0);
  });
  it('isAtLeast with pre-release bounds', () => {
    expect(isAtLeast(v('1.26.0-alpha.2'), '1.26.0-alpha.2')).toBe(true);
    expect(isAtLeast(v('1.25.4'), '1.26.0-alpha.2')).toBe(false);
    expect(isAtLeast(v('1.26.2'), '1.26.0-alpha.2')).toBe(true);
  });
});

describe('parseKopsVersion (--kops-version)', () => {
  it.each([
    ['1.28.4', '1.28.4', [1, 28, 4]],
    ['v1.26.6', '1.26.6', [1, 26, 6]],
    ['1.30', '1.30', [1, 30, 0]],
    ['1.29.0-alpha.2+v1.29.0-alpha.1-123-gabc', '1.29.0-alpha.2+v1.29.0-alpha.1-123-gabc', [1, 29, 0]],
  ])('reads %s', (given, text, [major, minor, patch]) => {
    expect(parseKopsVersion(given)).toMatchObject({ text, major, minor, patch });
  });
  it.each(['latest', '1', 'one.two', '', '1.28.4.1', '1.28.4-'])('refuses %j', (given) => {
    expect(parseKopsVersion(given)).toBeUndefined();
  });
});
