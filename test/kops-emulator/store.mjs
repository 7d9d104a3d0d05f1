// The emulator's file:// state store (layout of pkg/apis/kops/registry: <state>/<cluster>/config,
// <state>/<cluster>/instancegroup/<ig>) plus a small emulated "cloud" (which generation of the spec
// the cloud resources and each instance group's instances run), so update and rolling-update can tell
// what needs doing. Tests seed and inspect clusters with the helpers at the bottom.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/** Objects print like sigs.k8s.io/yaml: keys sorted (struct → JSON → YAML), sequences not indented. */
export function toKopsYaml(object) {
  return stringify(sortKeys(object), { indentSeq: false, lineWidth: 0 });
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

/** Split a multi-document YAML text into plain objects (null documents dropped). */
export function parseObjects(text) {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
      return doc.toJS();
    })
    .filter((o) => o !== null && o !== undefined);
}

/** `file:///x` or `file://x` → local directory. Other schemes are not emulated. */
export function stateDirOf(stateStore) {
  if (!stateStore.startsWith('file://')) return undefined;
  return stateStore.slice('file://'.length);
}

function writeAtomic(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function clusterFile(stateDir, name) {
  return path.join(stateDir, name, 'config');
}

export function readCluster(stateDir, name) {
  const file = clusterFile(stateDir, name);
  if (!existsSync(file)) return undefined;
  return parseObjects(readFileSync(file, 'utf8'))[0];
}

export function writeCluster(stateDir, cluster) {
  writeAtomic(clusterFile(stateDir, cluster.metadata.name), toKopsYaml(cluster));
}

export function listClusters(stateDir) {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((d) => existsSync(clusterFile(stateDir, d)))
    .sort();
}

export function readInstanceGroups(stateDir, name) {
  const dir = path.join(stateDir, name, 'instancegroup');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.includes('.tmp-'))
    .sort()
    .map((f) => parseObjects(readFileSync(path.join(dir, f), 'utf8'))[0]);
}

export function writeInstanceGroup(stateDir, clusterName, ig) {
  writeAtomic(path.join(stateDir, clusterName, 'instancegroup', ig.metadata.name), toKopsYaml(ig));
}

/** Emulated cloud: {appliedGeneration, instanceGroups: {name: generation running on its instances}}. */
export function readCloud(stateDir, name) {
  const file = path.join(stateDir, name, 'emulator-cloud.json');
  if (!existsSync(file)) return { appliedGeneration: 0, appliedSpec: undefined, instanceGroups: {} };
  return JSON.parse(readFileSync(file, 'utf8'));
}

export function writeCloud(stateDir, name, cloud) {
  writeAtomic(path.join(stateDir, name, 'emulator-cloud.json'), `${JSON.stringify(cloud, null, 2)}\n`);
}

// ---- fixtures for tests ----

/** A cluster as `kops create cluster` stores it (AWS, trimmed), without any audit settings. */
export function minimalCluster(name, stateDir) {
  return {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { creationTimestamp: '2026-01-05T10:00:00Z', name },
    spec: {
      api: { dns: {} },
      authorization: { rbac: {} },
      channel: 'stable',
      cloudProvider: 'aws',
      configBase: `file://${stateDir}/${name}`,
      etcdClusters: [
        { etcdMembers: [{ instanceGroup: 'control-plane-us-east-1a', name: 'a' }], name: 'main' },
        { etcdMembers: [{ instanceGroup: 'control-plane-us-east-1a', name: 'a' }], name: 'events' },
      ],
      kubeAPIServer: {},
      kubelet: { anonymousAuth: false },
      kubernetesApiAccess: ['0.0.0.0/0'],
      kubernetesVersion: '1.28.4',
      networkCIDR: '172.20.0.0/16',
      networking: { cilium: {} },
      nonMasqueradeCIDR: '100.64.0.0/10',
      sshAccess: ['0.0.0.0/0'],
      subnets: [{ cidr: '172.20.32.0/19', name: 'us-east-1a', type: 'Public', zone: 'us-east-1a' }],
      topology: { dns: { type: 'Public' } },
    },
  };
}

export function instanceGroup(clusterName, name, role, size = 1) {
  return {
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'InstanceGroup',
    metadata: {
      creationTimestamp: '2026-01-05T10:00:00Z',
      labels: { 'kops.k8s.io/cluster': clusterName },
      name,
    },
    spec: {
      image: '099720109477/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240111',
      machineType: role === 'Node' ? 't3.medium' : 'm6g.large',
      maxSize: size,
      minSize: size,
      role,
      subnets: ['us-east-1a'],
    },
  };
}

/**
 * Seed a cluster into a state directory as if it had been created and fully rolled out: the cloud
 * runs the current generation everywhere. `apiserver: true` adds a dedicated APIServer group.
 */
export function seedCluster(stateDir, name, options = {}) {
  const cluster = options.cluster ?? minimalCluster(name, stateDir);
  writeCluster(stateDir, cluster);
  const igs = [
    instanceGroup(name, 'control-plane-us-east-1a', 'Master'),
    instanceGroup(name, 'nodes-us-east-1a', 'Node', 2),
  ];
  if (options.apiserver) igs.push(instanceGroup(name, 'apiserver-us-east-1a', 'APIServer', 2));
  for (const ig of igs) writeInstanceGroup(stateDir, name, ig);
  const generation = cluster.metadata.generation ?? 0;
  writeCloud(stateDir, name, {
    appliedGeneration: generation,
    appliedSpec: cluster.spec,
    instanceGroups: Object.fromEntries(
      igs.map((ig) => [ig.metadata.name, { running: generation, target: generation }]),
    ),
  });
  return cluster;
}

/** Write the emulator's own `kops` shim mode bits (git may drop them on checkout). */
export function ensureExecutable(file) {
  chmodSync(file, 0o755);
}
