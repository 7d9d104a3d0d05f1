/**
 * `kops version` in every form kops has printed (kops.md §4): `Version 1.21.0 (git-v1.21.0)` (≤1.23),
 * `Version 1.10.0`, `Client version: 1.26.2 (git-v1.26.2)` (≥1.24), `--short` `1.28.4`, and CI builds
 * with pre-release and build metadata, `1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264`.
 */
export interface KopsVersion {
  /** The version as kops printed it, without a leading `v`. */
  text: string;
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers, e.g. ['alpha', '2']; empty for a release. */
  prerelease: string[];
  /** Build metadata after `+`, e.g. `v1.37.0-alpha.1-280-g268927e264`; '' when absent. */
  build: string;
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.+-]+))?$/;
const LINE = /^(?:Client version: |Version )?(v?\d+\.\d+\.\d+\S*)(?: \(git-[^)]*\))?$/;

/** Parse one semantic version; undefined when `text` is not one. */
export function parseSemver(text: string): KopsVersion | undefined {
  const m = SEMVER.exec(text.trim());
  if (!m) return undefined;
  return {
    text: text.trim().replace(/^v/, ''),
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ?? '',
  };
}

/** The version in the output of `kops version` (any form), or undefined when there is none. */
export function parseKopsVersionOutput(output: string): KopsVersion | undefined {
  for (const line of output.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m) {
      const version = parseSemver(m[1]!);
      if (version) return version;
    }
  }
  return undefined;
}

function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  // A release sorts after its pre-releases (semver §11).
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Semver precedence; build metadata is ignored. */
export function compareVersions(a: KopsVersion, b: KopsVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

/** True when `version` is `min` or newer; `1.26.0-alpha.1` style bounds include pre-releases. */
export function isAtLeast(version: KopsVersion, min: string): boolean {
  const bound = parseSemver(min);
  if (!bound) throw new Error(`not a version: ${min}`);
  return compareVersions(version, bound) >= 0;
}
