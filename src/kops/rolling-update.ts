import type { InstanceGroupInfo } from './client.js';
import { isAtLeast, type KopsVersion } from './version.js';

/**
 * The `--instance-group-roles` value that selects the nodes running kube-apiserver, per kops version
 * (kops.md §4): `control-plane` since 1.26 (its parser maps `master` there too), `master` before; plus
 * `apiserver` when the cluster has dedicated APIServer groups (1.21+), which read the policy as well.
 */
export function apiserverRoles(version: KopsVersion, instanceGroups: readonly InstanceGroupInfo[]): string[] {
  const roles = [isAtLeast(version, '1.26.0-alpha.2') ? 'control-plane' : 'master'];
  if (instanceGroups.some((ig) => ig.role === 'APIServer')) roles.push('apiserver');
  return roles;
}

/** Instance groups the control-plane rolling update will touch (for the plan shown to the user). */
export function apiserverGroups(instanceGroups: readonly InstanceGroupInfo[]): InstanceGroupInfo[] {
  return instanceGroups.filter(
    (ig) => ig.role === 'Master' || ig.role === 'ControlPlane' || ig.role === 'APIServer',
  );
}
