/**
 * Every rule that depends on the kops version, in one table. Facts and their sources are in
 * ../shared/research/kops.md (§2 roles, §3 mounts); the kops commits are named next to each rule.
 */
import path from 'node:path/posix';

export interface KopsVersion {
  major: number;
  minor: number;
  patch: number;
  /** As the user wrote it, e.g. `1.28.4` or `v1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264`. */
  text: string;
}

/** `1.28`, `1.28.4`, `v1.28.4`, `1.37.0-alpha.2+build`: the kops release; undefined if not a version. */
export function parseKopsVersion(text: string): KopsVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    text: text.trim(),
  };
}

function atLeast(v: KopsVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** Where kube-apiserver can read an audit policy (and the webhook config beside it). */
export interface MountRule {
  /** Which kops releases this describes. */
  versions: string;
  /** True when a policy in directory `dir` is visible inside the kube-apiserver pod. */
  mounts(dir: string): boolean;
  /** What to tell a user whose path is not mounted. */
  explain: string;
}

export const SRV_KUBERNETES = '/srv/kubernetes';
export const SRV_KUBE_APISERVER = '/srv/kubernetes/kube-apiserver';
export const DEFAULT_POLICY_PATH = '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml';
export const DEFAULT_LOG_PATH = '/var/log/kube-apiserver-audit.log';

const within = (dir: string, root: string) => dir === root || dir.startsWith(`${root}/`);

/** kube-apiserver's host-path mounts by release (nodeup/pkg/model/kube_apiserver.go buildPod). */
const MOUNTS = {
  // <= 1.21: the whole /srv/kubernetes is mounted read-only ("srvkube").
  srvKubernetes: {
    versions: 'kops 1.21 and older',
    mounts: (dir) => within(dir, SRV_KUBERNETES),
    explain: 'kops 1.21 and older mount only /srv/kubernetes into kube-apiserver',
  },
  // 1.22 - 1.26.5: only /srv/kubernetes/kube-apiserver ("srvkapi", PR #12006). The cherry-pick of the
  // audit-dir mount to 1.25 landed after the last 1.25 tag, so 1.25.x is in this group too.
  srvKubeAPIServer: {
    versions: 'kops 1.22 to 1.26.5',
    mounts: (dir) => within(dir, SRV_KUBE_APISERVER),
    explain: 'kops 1.22 to 1.26.5 mount only /srv/kubernetes/kube-apiserver into kube-apiserver',
  },
  // 1.26.6: + the policy's own directory ("auditconfigdir", PR #15940) but without the guard that
  // skips it when it equals /srv/kubernetes/kube-apiserver, which would then be mounted twice.
  policyDirUnguarded: {
    versions: 'kops 1.26.6 to 1.26.x',
    mounts: (dir) => dir !== SRV_KUBE_APISERVER,
    explain:
      'kops 1.26.6 mounts the policy directory itself, but a policy directly in /srv/kubernetes/kube-apiserver makes two volumes with one mount path',
  },
  // >= 1.27: the policy's directory is mounted (PR #14861), skipped when already mounted (PR #15399).
  policyDir: {
    versions: 'kops 1.27 and newer',
    mounts: () => true,
    explain: 'kops 1.27 and newer mount the directory of auditPolicyFile',
  },
} satisfies Record<string, MountRule>;

/** What enable writes and status checks for one kops version, or for every version when unknown. */
export interface KopsRules {
  /** The version these rules are for; undefined means "must work on every kops version". */
  version: KopsVersion | undefined;
  /** `kops 1.28.4` or `any kops version`, for messages. */
  label: string;
  /** fileAssets `roles` that reach the control-plane nodes. */
  controlPlaneRoles: string[];
  /** Whether FileAssetSpec has `mode` (added in 1.24, commit 34caed893b). */
  fileAssetMode: boolean;
  /** The mount rules a policy directory must satisfy (all of them). */
  mountRules: MountRule[];
  /**
   * Whether kops itself rejects a webhook config outside the policy's directory (PR #14861: 1.27,
   * 1.26.6). We always keep them together, because only the policy's directory is mounted.
   */
  validatesWebhookDirectory: boolean;
}

export function kopsRules(version: KopsVersion | undefined): KopsRules {
  if (version === undefined) {
    return {
      version,
      label: 'any kops version',
      // fileAssets roles are matched by exact string equality and never converted between Master
      // and ControlPlane (pkg/apis/nodeup/config.go containsRole; v1alpha2/conversion.go converts
      // only InstanceGroup and hook roles). kops <= 1.25 calls control-plane nodes Master, >= 1.26
      // ControlPlane, and neither validates roles, so listing both ships the file on every version;
      // either one alone silently ships nothing on the other half (kubernetes/kops#15488).
      controlPlaneRoles: ['Master', 'ControlPlane'],
      // Older kops rejects the unknown field; without a version we leave kops' default 0440.
      fileAssetMode: false,
      // The one place every release mounts is a sub-directory of /srv/kubernetes/kube-apiserver.
      mountRules: [
        MOUNTS.srvKubernetes,
        MOUNTS.srvKubeAPIServer,
        MOUNTS.policyDirUnguarded,
        MOUNTS.policyDir,
      ],
      validatesWebhookDirectory: false,
    };
  }
  const v = version;
  let mount: MountRule;
  if (!atLeast(v, 1, 22)) mount = MOUNTS.srvKubernetes;
  else if (!atLeast(v, 1, 26, 6)) mount = MOUNTS.srvKubeAPIServer;
  else if (!atLeast(v, 1, 27)) mount = MOUNTS.policyDirUnguarded;
  else mount = MOUNTS.policyDir;
  return {
    version,
    label: `kops ${v.major}.${v.minor}.${v.patch}`,
    // Roles renamed in 1.26 (commit d39ba74bd7, v1.26.0-alpha.2).
    controlPlaneRoles: atLeast(v, 1, 26) ? ['ControlPlane'] : ['Master'],
    fileAssetMode: atLeast(v, 1, 24),
    mountRules: [mount],
    validatesWebhookDirectory: atLeast(v, 1, 26, 6),
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
export function unmountedReason(rules: KopsRules, policyPath: string): string | undefined {
  const dir = path.dirname(policyPath);
  const failed = rules.mountRules.find((rule) => !rule.mounts(dir));
  if (!failed) return undefined;
  return `${failed.explain} (${rules.label === 'any kops version' ? 'kops-audit must assume any kops version without --kops-version' : rules.label})`;
}

/** The webhook kubeconfig lives beside the policy: kube-apiserver sees only that directory. */
export function webhookPathFor(policyPath: string): string {
  return path.join(path.dirname(policyPath), 'webhook-config.yaml');
}
