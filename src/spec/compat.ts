/**
 * Every rule that depends on the kops version, in one table. Facts and their sources are in
 * ../shared/research/kops.md (§2 roles, §3 mounts); the kops commits are named next to each rule.
 */
import path from 'node:path/posix';
import type { InstanceGroupInfo } from './document.js';
import { isAtLeast, type KopsVersion, parseKopsVersion, releaseOf } from './kops-version.js';

/** The release is `major.minor.patch` or newer; pre-releases count as their release here. */
function atLeast(v: KopsVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/**
 * Roles were renamed in commit d39ba74bd7, first in v1.26.0-alpha.2: 1.26.0-alpha.1 still says
 * Master in file assets, and `rolling-update --instance-group-roles` takes `control-plane` from the
 * same release on (its parser maps `master` there too).
 */
function hasControlPlaneRole(v: KopsVersion): boolean {
  return isAtLeast(v, '1.26.0-alpha.2');
}

/**
 * The releases that share a control-plane role name. A file asset kops-audit wrote for one
 * --kops-version names only its family's role, so `status` can check for that family without one.
 */
export interface KopsFamily {
  /** `kops 1.26 and newer`, for messages. */
  label: string;
  /** The first and last release of the family; an absent end is open. */
  min?: KopsVersion;
  max?: KopsVersion;
  /** A release of the family, for `--kops-version` examples. */
  example: string;
}

const known = (text: string) => parseKopsVersion(text)!;
export const ROLE_FAMILIES: Readonly<Record<'Master' | 'ControlPlane', KopsFamily>> = {
  Master: { label: 'kops 1.25 and older', max: known('1.26.0-alpha.1'), example: '1.25.0' },
  ControlPlane: { label: 'kops 1.26 and newer', min: known('1.26.0-alpha.2'), example: '1.28.4' },
};

/** The family whose control-plane role `roles` name, when they name exactly one of the two. */
export function roleFamily(roles: readonly string[]): KopsFamily | undefined {
  const master = roles.includes('Master');
  const controlPlane = roles.includes('ControlPlane');
  if (master === controlPlane) return undefined;
  return master ? ROLE_FAMILIES.Master : ROLE_FAMILIES.ControlPlane;
}

/** `kops get all` prints the Cluster and its InstanceGroups since 1.26.0-alpha.1; before, `kops get`. */
export function hasGetAll(v: KopsVersion): boolean {
  return isAtLeast(v, '1.26.0-alpha.1');
}

/** InstanceGroup roles whose nodes run kube-apiserver (v1alpha2 names; ControlPlane since 1.26). */
export const API_SERVER_GROUP_ROLES: readonly string[] = ['Master', 'ControlPlane', 'APIServer'];

/** The instance groups that run kube-apiserver: the control plane and dedicated APIServer groups. */
export function apiServerGroups<G extends { role: string }>(groups: readonly G[]): G[] {
  return groups.filter((group) => API_SERVER_GROUP_ROLES.includes(group.role));
}

/**
 * The `--instance-group-roles` value of a rolling update that reaches every node running
 * kube-apiserver: `control-plane` (`master` before 1.26.0-alpha.2), plus `apiserver` when the
 * cluster has dedicated APIServer groups (kops 1.21+), which read the policy as well (kops.md §4).
 * Without a version, `master`: kops 1.26 and newer read it as `control-plane`, so it works on all.
 */
export function rollingUpdateRoles(
  v: KopsVersion | undefined,
  groups: readonly { role: string }[],
): string[] {
  const roles = [v !== undefined && hasControlPlaneRole(v) ? 'control-plane' : 'master'];
  if (groups.some((group) => group.role === 'APIServer')) roles.push('apiserver');
  return roles;
}

/** Where kube-apiserver can read an audit policy (and the webhook config beside it). */
export interface MountRule {
  /** Which kops releases (and node images) this describes. */
  versions: string;
  /** True when nodeup can write a policy in directory `dir` and kube-apiserver's pod sees it. */
  mounts(dir: string): boolean;
  /** What to tell a user whose path does not qualify. */
  explain: string;
}

/**
 * How a control-plane node lays out kops' files. nodeup's PathSrvKubernetes is /srv/kubernetes, but
 * /etc/srv/kubernetes on ContainerOS (nodeup/pkg/model/context.go), whose / is read-only; every
 * kube-apiserver mount below is built from it (kube_apiserver.go: pathSrvKAPI).
 */
export type NodeLayout = 'standard' | 'containeros';

export const SRV_KUBERNETES = '/srv/kubernetes';
export const DEFAULT_POLICY_PATH = '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml';
export const DEFAULT_LOG_PATH = '/var/log/kube-apiserver-audit.log';

const srvKubernetesOf = (layout: NodeLayout) =>
  layout === 'containeros' ? `/etc${SRV_KUBERNETES}` : SRV_KUBERNETES;

/** The default policy path for a layout: a sub-directory of <PathSrvKubernetes>/kube-apiserver. */
export const defaultPolicyPathOf = (layout: NodeLayout) =>
  `${srvKubernetesOf(layout)}/kube-apiserver/audit/policy-config.yaml`;

const within = (dir: string, root: string) => dir === root || dir.startsWith(`${root}/`);

/**
 * ContainerOS mounts / read-only; /etc and /tmp (stateless), /var and /home (stateful) and /mnt are
 * writable (cloud.google.com/container-optimized-os/docs/concepts/disks-and-filesystem), so nodeup
 * can write a file asset only there.
 */
const CONTAINEROS_WRITABLE = ['/etc', '/var', '/home', '/tmp', '/mnt'];
const CONTAINEROS_WRITABLE_RULE: MountRule = {
  versions: 'ContainerOS',
  mounts: (dir) => CONTAINEROS_WRITABLE.some((root) => within(dir, root)),
  explain: `ContainerOS mounts / read-only, so nodeup can write files only under ${CONTAINEROS_WRITABLE.join(', ')}`,
};

/** kube-apiserver's host-path mounts by release (nodeup/pkg/model/kube_apiserver.go buildPod). */
function mountsOf(layout: NodeLayout) {
  const srv = srvKubernetesOf(layout);
  const kapi = `${srv}/kube-apiserver`;
  const on = layout === 'containeros' ? ' on ContainerOS' : '';
  return {
    // <= 1.21: the whole /srv/kubernetes is mounted read-only ("srvkube").
    srvKubernetes: {
      versions: `kops 1.21 and older${on}`,
      mounts: (dir) => within(dir, srv),
      explain: `kops 1.21 and older mount only ${srv} into kube-apiserver${on}`,
    },
    // 1.22 - 1.26.5: only /srv/kubernetes/kube-apiserver ("srvkapi", PR #12006). The cherry-pick of
    // the audit-dir mount to 1.25 landed after the last 1.25 tag, so 1.25.x is in this group too.
    srvKubeAPIServer: {
      versions: `kops 1.22 to 1.26.5${on}`,
      mounts: (dir) => within(dir, kapi),
      explain: `kops 1.22 to 1.26.5 mount only ${kapi} into kube-apiserver${on}`,
    },
    // 1.26.6: + the policy's own directory ("auditconfigdir", PR #15940) but without the guard that
    // skips it when it equals /srv/kubernetes/kube-apiserver, which would then be mounted twice.
    policyDirUnguarded: {
      versions: `kops 1.26.6 to 1.26.x${on}`,
      mounts: (dir) => dir !== kapi,
      explain: `kops 1.26.6 mounts the policy directory itself, but a policy directly in ${kapi} makes two volumes with one mount path`,
    },
    // >= 1.27: the policy's directory is mounted (PR #14861), skipped when already mounted (PR #15399).
    policyDir: {
      versions: `kops 1.27 and newer${on}`,
      mounts: () => true,
      explain: 'kops 1.27 and newer mount the directory of auditPolicyFile',
    },
  } satisfies Record<string, MountRule>;
}

/**
 * Which mount rule holds from which release on, oldest first; each holds until the next one's
 * release (pre-releases count as their release).
 */
const MOUNT_ERAS: readonly [
  since: (v: KopsVersion) => boolean,
  (m: ReturnType<typeof mountsOf>) => MountRule,
][] = [
  [() => true, (m) => m.srvKubernetes],
  [(v) => atLeast(v, 1, 22), (m) => m.srvKubeAPIServer],
  [(v) => atLeast(v, 1, 26, 6), (m) => m.policyDirUnguarded],
  [(v) => atLeast(v, 1, 27), (m) => m.policyDir],
];

/**
 * A GCE ContainerOS image: from Google's `cos-cloud` project (`cos-cloud/...`, `projects/cos-cloud/...`
 * or its URL), or named like one (`cos-stable-...`, `cos-117-...`), as a copy in another project is.
 */
export function isContainerOSImage(image: string): boolean {
  const name = image.slice(image.lastIndexOf('/') + 1);
  return /(^|\/)cos-cloud\//.test(image) || /^cos-/.test(name);
}

/**
 * The layouts of the nodes that run kube-apiserver, from the instance groups in the spec, with the
 * names of the groups on each. Without such groups in the file, the standard layout is assumed.
 */
export function apiServerLayouts(groups: readonly InstanceGroupInfo[]): {
  layouts: NodeLayout[];
  containerOS: string[];
  other: string[];
} {
  const apiServers = apiServerGroups(groups);
  const containerOS = apiServers.filter((g) => g.image !== undefined && isContainerOSImage(g.image));
  const other = apiServers.filter((g) => !containerOS.includes(g));
  const layouts: NodeLayout[] = [];
  if (other.length > 0 || containerOS.length === 0) layouts.push('standard');
  if (containerOS.length > 0) layouts.push('containeros');
  return { layouts, containerOS: containerOS.map((g) => g.name), other: other.map((g) => g.name) };
}

/** What enable writes and status checks for one kops version, or for every version when unknown. */
export interface KopsRules {
  /** The version these rules are for; undefined means "must work on every version of `family`". */
  version: KopsVersion | undefined;
  /** The releases these rules are for when there is no version; undefined: every kops version. */
  family: KopsFamily | undefined;
  /** `kops 1.28.4`, `kops 1.26 and newer` or `any kops version`, for messages. */
  label: string;
  /** fileAssets `roles` that reach the control-plane nodes. */
  controlPlaneRoles: string[];
  /** Whether FileAssetSpec has `mode` (added in 1.24, commit 34caed893b). */
  fileAssetMode: boolean;
  /** The mount rules a policy directory must satisfy (all of them). */
  mountRules: MountRule[];
  /** The layouts of the nodes that run kube-apiserver (two when the control plane mixes them). */
  layouts: NodeLayout[];
  /** Where enable puts the policy by default; undefined when no one path suits every layout. */
  defaultPolicyPath: string | undefined;
  /**
   * Whether kops itself rejects a webhook config outside the policy's directory (PR #14861: 1.27,
   * 1.26.6). We always keep them together, because only the policy's directory is mounted.
   */
  validatesWebhookDirectory: boolean;
  /**
   * Whether kops mounts the policy's own directory (auditconfigdir: 1.26.6, 1.27+), beside the log's
   * (auditlogpathdir): one directory for both would be two volumes with one mount path.
   */
  mountsPolicyDir: boolean;
}

/**
 * The rules for one kops version, for a family of them, or (undefined) for every version: each rule
 * must hold on every release in the span, so a span across a change gets both sides of it.
 */
export function kopsRules(
  target: KopsVersion | KopsFamily | undefined,
  layouts: readonly NodeLayout[] = ['standard'],
): KopsRules {
  const family = target !== undefined && 'label' in target ? target : undefined;
  const version = family ? undefined : (target as KopsVersion | undefined);
  const span = version ? { min: version, max: version } : (family ?? {});
  // For a test that holds from some release on: does it hold on every release of the span, on any?
  const onAll = (since: (v: KopsVersion) => boolean) => span.min !== undefined && since(span.min);
  const onSome = (since: (v: KopsVersion) => boolean) => span.max === undefined || since(span.max);
  const mountRules = layouts.flatMap((layout) => {
    const mounts = mountsOf(layout);
    const eras = MOUNT_ERAS.filter(
      ([since], i) => onSome(since) && !(i + 1 < MOUNT_ERAS.length && onAll(MOUNT_ERAS[i + 1]![0])),
    ).map(([, pick]) => pick(mounts));
    return layout === 'containeros' ? [...eras, CONTAINEROS_WRITABLE_RULE] : eras;
  });
  const policyDirMounted = (v: KopsVersion) => atLeast(v, 1, 26, 6);
  return {
    version,
    family,
    label: version ? `kops ${releaseOf(version)}` : (family?.label ?? 'any kops version'),
    // fileAssets roles are matched by exact string equality and never converted between Master
    // and ControlPlane (pkg/apis/nodeup/config.go containsRole; v1alpha2/conversion.go converts
    // only InstanceGroup and hook roles). kops <= 1.25 calls control-plane nodes Master, >= 1.26
    // ControlPlane, and neither validates roles, so a span across both lists both; either one alone
    // silently ships nothing on the other half (kubernetes/kops#15488).
    controlPlaneRoles: [
      ...(onAll(hasControlPlaneRole) ? [] : ['Master']),
      ...(onSome(hasControlPlaneRole) ? ['ControlPlane'] : []),
    ],
    // Older kops rejects the unknown field; on a span that reaches before 1.24 we leave kops' 0440.
    fileAssetMode: onAll((v) => atLeast(v, 1, 24)),
    mountRules,
    layouts: [...layouts],
    defaultPolicyPath: layouts.length === 1 ? defaultPolicyPathOf(layouts[0]!) : undefined,
    validatesWebhookDirectory: onAll(policyDirMounted),
    mountsPolicyDir: onSome(policyDirMounted),
  };
}

/**
 * The roles a file for kube-apiserver must name: the control plane, plus `APIServer` when the spec
 * has dedicated API-server instance groups (they run kube-apiserver too; kops >= 1.21).
 */
export function apiServerRoles(rules: KopsRules, instanceGroupRoles: readonly string[]): string[] {
  const roles = [...rules.controlPlaneRoles];
  if (instanceGroupRoles.includes('APIServer')) roles.push('APIServer');
  return roles;
}

/** Why `policyPath` would not be visible to kube-apiserver, or undefined when it would be. */
export function unmountedReason(rules: KopsRules, policyPath: string, logPath?: string): string | undefined {
  // kops mounts filepath.Dir of the path, which Go cleans first; nodeup writes the path as given.
  const clean = path.normalize(policyPath).replace(/(.)\/$/, '$1');
  if (clean !== policyPath) {
    return policyPath.endsWith('/')
      ? `${policyPath} names a directory, and the policy is a file (e.g. ${clean}/policy-config.yaml)`
      : `${policyPath} is not a clean path: kops reads it as ${clean} (write that)`;
  }
  const dir = path.dirname(policyPath);
  if (rules.mountsPolicyDir && logPath !== undefined && logPath !== '-' && path.dirname(logPath) === dir) {
    return `the audit log ${logPath} is in the same directory, which kops mounts read-write while it mounts the policy's read-only (${rules.version ? rules.label : 'kops 1.26.6 and newer'}): two volumes with one mount path, and kube-apiserver's pod is refused`;
  }
  const failed = rules.mountRules.find((rule) => !rule.mounts(dir));
  if (!failed) return undefined;
  return `${failed.explain} (${assumedVersions(rules)})`;
}

/** What the rules assumed about the kops version, and how to say which one it is. */
function assumedVersions(rules: KopsRules): string {
  if (rules.version) return rules.label;
  if (!rules.family) return 'kops-audit must assume any kops version without --kops-version';
  return `checked for ${rules.label}, the roles kops-audit wrote; add --kops-version with the version the cluster runs, e.g. --kops-version ${rules.family.example}`;
}

/** The webhook kubeconfig lives beside the policy: kube-apiserver sees only that directory. */
export function webhookPathFor(policyPath: string): string {
  return path.join(path.dirname(policyPath), 'webhook-config.yaml');
}

/**
 * Where `enable --ship-to` puts the log shipper (a fluent-bit static pod) on the nodes that run
 * kube-apiserver. Same on every kops version and node image:
 * - The kubelet's static-pod directory is /etc/kubernetes/manifests on every kops version: kops
 *   sets `podManifestPath` to it unconditionally for node and control-plane kubelets
 *   (pkg/model/components/kubelet.go, "Standard options"), and nodeup writes its own static pods
 *   there (nodeup/pkg/model/kube_apiserver.go, manifests.go). nodeup's kubelet builder and its file
 *   assets builder both declare that directory with the same task (type directory, mode 0755) via
 *   EnsureTask, so a file asset there does not clash; nodeup's File task creates or updates one
 *   path and never deletes other files in a directory (upup/pkg/fi/nodeup/nodetasks/file.go).
 * - ContainerOS mounts / read-only but /etc (stateless, rewritten by nodeup at each boot) and /var
 *   (stateful) are writable, so the same paths work there (CONTAINEROS_WRITABLE above).
 */
export const STATIC_POD_DIR = '/etc/kubernetes/manifests';
/** fluent-bit's configuration, parsers and credentials, written by nodeup from file assets. */
export const SHIPPER_CONFIG_DIR = '/etc/kubernetes/kops-audit-shipper';
/** fluent-bit's own state on the node: the tail position database and the filesystem buffer. */
export const SHIPPER_STATE_DIR = '/var/lib/kops-audit-shipper';

/**
 * The `spec.additionalPolicies` key whose statements kops adds to the IAM role of the control-plane
 * nodes. kops reads `additionalPolicies[role.lower]` (pkg/model/iam.go) and validates keys against
 * the lower-cased roles (validation.go validateAdditionalPolicy): `master` up to 1.25; from 1.26 the
 * internal role is ControlPlane (`control-plane`), but v1alpha2 converts the key `master` to
 * `control-plane` on read and back on write (pkg/apis/kops/v1alpha2/conversion.go
 * Convert_v1alpha2_ClusterSpec_To_kops_ClusterSpec). v1alpha3 has no such conversion. So a v1alpha2
 * spec says `master` on every version, a v1alpha3 one `control-plane`; writing both in v1alpha2
 * would make two keys that convert to one.
 */
export function controlPlanePolicyKey(apiVersion: string): string {
  return apiVersion === 'kops.k8s.io/v1alpha3' ? 'control-plane' : 'master';
}

/** Dedicated APIServer instance groups (kops 1.21+) have their own IAM role, key `apiserver`. */
export const API_SERVER_POLICY_KEY = 'apiserver';
