/**
 * Kubernetes versions where kube-apiserver's reading of a policy changed. Everything version-dependent
 * asks here, so the rule and the version that introduced it sit in one place.
 */

/** The newest kube-apiserver whose audit behaviour we know (research/audit.md); the default. */
export const NEWEST_KUBERNETES_VERSION = '1.36';

export interface KubernetesVersion {
  major: number;
  minor: number;
}

/** `1.28`, `v1.28`, `1.28.3`, `v1.29.0-alpha.1` → {major: 1, minor: 28}; anything else → undefined. */
export function parseKubernetesVersion(text: string): KubernetesVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

function atLeast(version: KubernetesVersion, minor: number): boolean {
  return version.major > 1 || (version.major === 1 && version.minor >= minor);
}

/** What a given kube-apiserver version accepts, derived once from its version. */
export interface VersionRules {
  version: string;
  /** `group: "*"` in a rule's resources matches every API group (1.36+); before, validation refuses it. */
  groupWildcard: boolean;
  /** audit.k8s.io/v1alpha1 and v1beta1 policies were removed in 1.24 (deprecated in 1.21). */
  betaPolicyVersions: boolean;
  /** `omitManagedFields` (policy and rule) exists from 1.23; before, it is an unknown field. */
  omitManagedFields: boolean;
  /** audit.k8s.io/v1 exists from 1.12 (kubernetes#65891); before, only v1alpha1 and v1beta1. */
  v1Policy: boolean;
}

export function versionRules(text: string = NEWEST_KUBERNETES_VERSION): VersionRules {
  const version = parseKubernetesVersion(text) ?? parseKubernetesVersion(NEWEST_KUBERNETES_VERSION)!;
  return {
    version: `${version.major}.${version.minor}`,
    groupWildcard: atLeast(version, 36),
    betaPolicyVersions: !atLeast(version, 24),
    omitManagedFields: atLeast(version, 23),
    v1Policy: atLeast(version, 12),
  };
}
