/**
 * The one kops version type and parser: what `--kops-version` takes and what `kops version` prints
 * (kops.md §4), compared with semver's precedence. The rules that depend on a version are in
 * compat.ts. Parsing and precedence are the `semver` package's; this module adds only what kops
 * itself writes: a leading `v`, a two-part `1.28`, and the lines of `kops version`.
 */
import compare from 'semver/functions/compare.js';
import parse from 'semver/functions/parse.js';

export interface KopsVersion {
  /** As written or printed, without a leading `v`: `1.28.4`, `1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264`. */
  text: string;
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers, e.g. ['alpha', '2']; empty for a release. */
  prerelease: string[];
  /** Build metadata after `+` (CI builds: `v1.37.0-alpha.1-280-g268927e264`); '' when absent. */
  build: string;
}

/**
 * `1.28`, `1.28.4`, `v1.28.4`, `1.29.0-alpha.2`, `1.29.0-alpha.2+v1.29.0-alpha.1-123-gabc`; undefined
 * when `text` is none of these. A two-part version means its first patch release.
 */
export function parseKopsVersion(text: string): KopsVersion | undefined {
  const trimmed = text.trim().replace(/^v/, '');
  const full = /^\d+\.\d+$/.test(trimmed) ? `${trimmed}.0` : trimmed;
  const parsed = parse(full);
  if (!parsed) return undefined;
  return {
    text: trimmed,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: parsed.prerelease.map(String),
    build: parsed.build.join('.'),
  };
}

/**
 * Every form `kops version` has printed: `Version 1.21.0 (git-v1.21.0)` (up to 1.23),
 * `Client version: 1.26.2 (git-v1.26.2)` (1.24 on), `1.28.4` (`--short`).
 */
const VERSION_LINE = /^(?:Client version: |Version )?(v?\d+\.\d+\.\d+\S*)(?: \(git-[^)]*\))?$/;

/** The version in the output of `kops version`, or undefined when there is none. */
export function parseKopsVersionOutput(output: string): KopsVersion | undefined {
  for (const line of output.split('\n')) {
    const match = VERSION_LINE.exec(line.trim());
    const version = match ? parseKopsVersion(match[1]!) : undefined;
    if (version) return version;
  }
  return undefined;
}

const semverOf = (v: KopsVersion) =>
  `${v.major}.${v.minor}.${v.patch}${v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : ''}`;

/** Semver precedence (a release after its pre-releases); build metadata is ignored. */
export function compareKopsVersions(a: KopsVersion, b: KopsVersion): number {
  return compare(semverOf(a), semverOf(b));
}

/** True when `version` is `bound` or newer, e.g. `isAtLeast(v, '1.26.0-alpha.2')`. */
export function isAtLeast(version: KopsVersion, bound: string): boolean {
  const min = parseKopsVersion(bound);
  if (!min) throw new Error(`not a kops version: ${bound}`);
  return compareKopsVersions(version, min) >= 0;
}

/** `1.28.4`: the release, for messages and for comparing two versions as the same kops. */
export function releaseOf(version: KopsVersion): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}
