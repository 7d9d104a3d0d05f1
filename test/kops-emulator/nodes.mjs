// What happens on a rolled control-plane or APIServer node: does kube-apiserver come up with the
// audit settings of the spec? Facts: ../shared/research/kops.md §2 (fileAsset roles are matched by
// exact string, no conversion), §3 (which host paths the apiserver pod mounts, per version), §7.
import { parse } from 'yaml';
import { atLeast } from './versions.mjs';

function assetPath(asset) {
  return asset.path || `/srv/kubernetes/assets/${asset.name}`;
}

/** Files nodeup writes on a node of `role`: fileAssets with no roles, or naming the role exactly. */
function deliveredFiles(cluster, role) {
  const files = new Map();
  for (const asset of cluster.spec.fileAssets ?? []) {
    if (!asset?.name || !asset.content) continue;
    if (asset.roles && asset.roles.length > 0 && !asset.roles.includes(role)) continue;
    if (!files.has(assetPath(asset))) files.set(assetPath(asset), asset);
  }
  return files;
}

/** Whether a host file is visible inside the kube-apiserver static pod of this kops version. */
function visibleInPod(v, file, policyFile) {
  if (!atLeast(v, '1.22.0-alpha.1')) return file.startsWith('/srv/kubernetes/');
  if (file.startsWith('/srv/kubernetes/kube-apiserver/')) return true;
  const mountsPolicyDir = atLeast(v, '1.27.0-alpha.1') || (v.major === 1 && v.minor === 26 && v.patch >= 6);
  return mountsPolicyDir && policyFile !== undefined && dirOf(file) === dirOf(policyFile);
}

function dirOf(p) {
  return p.slice(0, Math.max(p.lastIndexOf('/'), 1));
}

function policyProblem(asset) {
  if (asset.isBase64) return undefined;
  let doc;
  try {
    doc = parse(asset.content);
  } catch (e) {
    return `loading audit policy file: ${e.message.split('\n')[0]}`;
  }
  if (doc?.kind !== 'Policy' || doc?.apiVersion !== 'audit.k8s.io/v1') {
    return `loading audit policy file: no kind "${doc?.kind}" is registered for version "${doc?.apiVersion}"`;
  }
  return undefined;
}

/**
 * Why kube-apiserver would not start on a node of internal `role` with this spec, or undefined when it
 * would. The message names the kube-apiserver error a user sees in the pod log.
 */
export function podProblem(v, cluster, role) {
  const api = cluster.spec.kubeAPIServer ?? {};
  if (api.auditDynamicConfiguration !== undefined) {
    return 'kube-apiserver: Error: unknown flag: --audit-dynamic-configuration';
  }
  const files = deliveredFiles(cluster, role);
  const policy = api.auditPolicyFile || undefined;
  for (const [field, file] of [
    ['audit policy', policy],
    ['audit webhook config', api.auditWebhookConfigFile || undefined],
  ]) {
    if (!file) continue;
    const what = `loading ${field} file: failed to read file path ${JSON.stringify(file)}: open ${file}: no such file or directory`;
    if (!files.has(file) || !visibleInPod(v, file, policy)) return `kube-apiserver exited: ${what}`;
  }
  if (policy) {
    const problem = policyProblem(files.get(policy));
    if (problem) return `kube-apiserver exited: ${problem}`;
  }
  return undefined;
}
