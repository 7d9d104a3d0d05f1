// Version rules of the emulated kops, one place. Facts: ../shared/research/kops.md §2 and §4.

/** Parse `1.28.4`, `v1.26.2`, `1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264`. */
export function parseVersion(text) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.+-]+))?$/.exec(text.trim());
  if (!m)
    throw new Error(`kops emulator: KOPS_EMULATOR_VERSION ${JSON.stringify(text)} is not a semantic version`);
  return {
    text: text.trim().replace(/^v/, ''),
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    pre: m[4] ? m[4].split('.') : [],
    build: m[5] ?? '',
  };
}

function comparePre(a, b) {
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === undefined) return -1;
    if (b[i] === undefined) return 1;
    const na = /^\d+$/.test(a[i]);
    const nb = /^\d+$/.test(b[i]);
    if (na && nb && Number(a[i]) !== Number(b[i])) return Number(a[i]) - Number(b[i]);
    if (na !== nb) return na ? -1 : 1;
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** Semver precedence (build metadata ignored). */
export function compareVersions(a, b) {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePre(a.pre, b.pre);
}

export function atLeast(v, text) {
  return compareVersions(v, parseVersion(text)) >= 0;
}

/** The emulated kops, from KOPS_EMULATOR_VERSION (default 1.28.4) and KOPS_EMULATOR_GIT_VERSION. */
export function emulatedVersion(env) {
  const v = parseVersion(env.KOPS_EMULATOR_VERSION || '1.28.4');
  if (!atLeast(v, '1.21.0-alpha.0')) {
    throw new Error(`kops emulator: kops ${v.text} is older than the oldest emulated version (1.21)`);
  }
  // CI builds carry `git describe` as build metadata (tools/get_version.sh); releases `v<version>`.
  const git = env.KOPS_EMULATOR_GIT_VERSION ?? (v.build !== '' ? v.build : `v${v.text}`);
  return { ...v, git };
}

/** `kops version` output forms (pkg/commands/version.go, cmd/kops/version.go). */
export function versionText(v, short) {
  if (short) return `${v.text}\n`;
  const git = v.git === '' ? '' : ` (git-${v.git})`;
  return atLeast(v, '1.24.0-alpha.0') ? `Client version: ${v.text}${git}\n` : `Version ${v.text}${git}\n`;
}

/** Internal control-plane role: `Master` until 1.26, `ControlPlane` since (commit d39ba74bd7). */
export function controlPlaneRole(v) {
  return atLeast(v, '1.26.0-alpha.2') ? 'ControlPlane' : 'Master';
}

/** Roles kops knows (AllInstanceGroupRoles), as lower-case strings `--instance-group-roles` compares with. */
function allRoles(v) {
  return atLeast(v, '1.26.0-alpha.2')
    ? [
        ['ControlPlane', 'control-plane'],
        ['APIServer', 'apiserver'],
        ['Node', 'node'],
        ['Bastion', 'bastion'],
      ]
    : [
        ['Master', 'master'],
        ['APIServer', 'apiserver'],
        ['Node', 'node'],
        ['Bastion', 'bastion'],
      ];
}

/**
 * kops.ParseInstanceGroupRole(input, lenient=true) (pkg/apis/kops/parse.go): case-insensitive, one
 * trailing `s` dropped; since 1.26 `controlplane` means `control-plane` and `master` is an alias.
 * Returns the internal role or undefined ("invalid instance group role").
 */
export function parseRole(v, input) {
  let find = input.toLowerCase().replace(/s$/, '');
  const modern = atLeast(v, '1.26.0-alpha.2');
  if (modern) find = find.replace('controlplane', 'control-plane');
  for (const [role, lower] of allRoles(v)) {
    if (lower.replace(/s$/, '') === find) return role;
  }
  if (modern && find === 'master') return 'ControlPlane';
  return undefined;
}

/** An InstanceGroup's role as stored (v1alpha2 prints `Master`) → the internal role of this version. */
export function internalRole(v, storedRole) {
  if (storedRole === 'Master' || storedRole === 'ControlPlane') return controlPlaneRole(v);
  return storedRole;
}

/** Audit webhook placement rules: PR #14861, first in v1.27.0-alpha.1, cherry-picked to v1.26.6. */
export function validatesAuditWebhook(v) {
  if (atLeast(v, '1.27.0-alpha.1')) return true;
  return v.major === 1 && v.minor === 26 && v.patch >= 6;
}

/** `kops get all` exists since 1.26; before, `kops get [CLUSTER]` printed the same. */
export function hasGetAll(v) {
  return atLeast(v, '1.26.0-alpha.1');
}

/** ≤1.21 main.go exitWithError printed errors again as `\nerror: ...` after cobra's `Error: ...`. */
export function printsErrorTwice(v) {
  return !atLeast(v, '1.22.0-alpha.1');
}

/**
 * The keys kops accepts in spec.additionalPolicies: the lower-cased roles of AllInstanceGroupRoles
 * (pkg/apis/kops/validation/validation.go validateAdditionalPolicy; `control-plane` is the
 * ControlPlane role's ToLowerString). Validation runs on the internal object, after v1alpha2's
 * conversion of `master` to `control-plane` (policyKeyFromV1alpha2).
 */
export function additionalPolicyRoles(v) {
  return atLeast(v, '1.26.0-alpha.2')
    ? ['apiserver', 'bastion', 'control-plane', 'node']
    : ['apiserver', 'bastion', 'master', 'node'];
}

/**
 * pkg/apis/kops/v1alpha2/conversion.go Convert_v1alpha2_ClusterSpec_To_kops_ClusterSpec maps the
 * key `master` to `control-plane` (and back when the object is written out as v1alpha2), from the
 * release that renamed the role (commit d39ba74bd7).
 */
export function policyKeyFromV1alpha2(v, key) {
  return atLeast(v, '1.26.0-alpha.2') && key === 'master' ? 'control-plane' : key;
}
