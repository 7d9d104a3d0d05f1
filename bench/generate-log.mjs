// A seeded synthetic kube-apiserver audit log of realistic shape, recorded at RequestResponse with no
// omitted stages (so that every policy can be simulated from it): kubelets renewing leases and patching
// node status, controllers listing and watching, service accounts reading secrets and config maps,
// load-balancer health checks, a few humans running kubectl (including exec and logs). Field order
// is kube-apiserver's (audit.k8s.io/v1 Event), bodies carry metadata.managedFields as real ones do.
// Used by bench/run.mjs and by the tests (test/unit/logs, test/e2e/simulate).
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

/** mulberry32: small, fast, and the same sequence on every machine (the bench and tests share it). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AUTH = 'system:authenticated';
const NODES = Array.from({ length: 24 }, (_, i) => `ip-172-20-${40 + (i % 7)}-${10 + i * 7}.ec2.internal`);

function serviceAccount(ns, name) {
  return {
    username: `system:serviceaccount:${ns}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, AUTH],
  };
}

const USERS = {
  controllerManager: { username: 'system:kube-controller-manager', groups: [AUTH] },
  scheduler: { username: 'system:kube-scheduler', groups: [AUTH] },
  apiserver: { username: 'system:apiserver', groups: ['system:masters'] },
  anonymous: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
  coredns: serviceAccount('kube-system', 'coredns'),
  kubeProxy: { username: 'system:kube-proxy', groups: [AUTH] },
  awsNode: serviceAccount('kube-system', 'aws-node'),
  autoscaler: serviceAccount('kube-system', 'cluster-autoscaler'),
  kopsController: serviceAccount('kube-system', 'kops-controller'),
  prometheus: serviceAccount('monitoring', 'prometheus'),
  argocd: serviceAccount('argocd', 'argocd-application-controller'),
  alice: { username: 'alice@example.com', groups: ['developers', AUTH] },
  admin: { username: 'kubecfg', groups: ['system:masters', AUTH] },
};

const NAMESPACES = ['default', 'kube-system', 'monitoring', 'argocd', 'payments', 'web'];

function nodeUser(rand) {
  const node = NODES[Math.floor(rand() * NODES.length)];
  return { node, user: { username: `system:node:${node}`, groups: ['system:nodes', AUTH] } };
}

/** A hex id; uuid-shaped when asked. */
function hex(rand, n) {
  let s = '';
  while (s.length < n)
    s += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, n);
}
const uuid = (rand) => {
  const h = hex(rand, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

function managedFields(rand, manager, entries) {
  const out = [];
  for (let i = 0; i < entries; i++) {
    const fields = {};
    const n = 3 + Math.floor(rand() * 12);
    for (let j = 0; j < n; j++) fields[`f:field${j}`] = j % 3 === 0 ? { '.': {}, [`f:sub${j}`]: {} } : {};
    out.push({
      manager: i === 0 ? manager : `${manager}-${i}`,
      operation: i % 2 ? 'Update' : 'Apply',
      apiVersion: 'v1',
      time: '2026-11-02T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': fields },
    });
  }
  return out;
}

function objectMeta(rand, name, namespace, manager) {
  const meta = {
    name,
    uid: uuid(rand),
    resourceVersion: String(100000 + Math.floor(rand() * 900000)),
    creationTimestamp: '2026-10-30T08:12:44Z',
    labels: { app: name.split('-')[0], 'app.kubernetes.io/managed-by': 'Helm' },
  };
  if (namespace) meta.namespace = namespace;
  if (rand() < 0.4)
    meta.annotations = { 'deployment.kubernetes.io/revision': String(1 + Math.floor(rand() * 9)) };
  meta.managedFields = managedFields(rand, manager, 1 + Math.floor(rand() * 3));
  return meta;
}

function podSpec(rand) {
  const containers = [];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    containers.push({
      name: `c${i}`,
      image: `registry.example.com/team/app${i}:v1.${Math.floor(rand() * 40)}.0`,
      args: Array.from({ length: Math.floor(rand() * 6) }, (_, k) => `--flag-${k}=value-${hex(rand, 6)}`),
      env: Array.from({ length: Math.floor(rand() * 8) }, (_, k) => ({
        name: `ENV_${k}`,
        value: hex(rand, 12),
      })),
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
    });
  }
  return { containers, nodeName: NODES[Math.floor(rand() * NODES.length)], serviceAccountName: 'default' };
}

/** Bodies by resource, with sizes from a few hundred bytes to tens of kilobytes for lists. */
function makeObject(rand, resource, name, namespace, manager) {
  const metadata = objectMeta(rand, name, namespace, manager);
  switch (resource) {
    case 'leases':
      return {
        kind: 'Lease',
        apiVersion: 'coordination.k8s.io/v1',
        metadata,
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: '2026-11-02T10:00:00.000000Z' },
      };
    case 'pods':
      return {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata,
        spec: podSpec(rand),
        status: { phase: 'Running', podIP: `100.96.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}` },
      };
    case 'nodes':
      return {
        kind: 'Node',
        apiVersion: 'v1',
        metadata,
        status: {
          conditions: ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
            type,
            status: type === 'Ready' ? 'True' : 'False',
            lastHeartbeatTime: '2026-11-02T10:00:00Z',
            reason: `Kubelet${type}`,
            message: `kubelet reports ${type}`,
          })),
          images: Array.from({ length: 4 + Math.floor(rand() * 10) }, () => ({
            names: [`registry.example.com/img@sha256:${hex(rand, 64)}`],
            sizeBytes: Math.floor(rand() * 5e8),
          })),
        },
      };
    case 'secrets':
      return { kind: 'Secret', apiVersion: 'v1', metadata, type: 'Opaque', data: { token: hex(rand, 120) } };
    case 'configmaps':
      return {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata,
        data: {
          'config.yaml': `key: ${hex(rand, 40)}\nother: "quoted \\"value\\""\n`.repeat(
            1 + Math.floor(rand() * 6),
          ),
        },
      };
    case 'events':
      return {
        kind: 'Event',
        apiVersion: 'v1',
        metadata,
        involvedObject: { kind: 'Pod', namespace, name },
        reason: 'Pulled',
        message: 'Container image "registry.example.com/app:v1" already present on machine & started',
        type: 'Normal',
      };
    case 'tokenreviews':
    case 'subjectaccessreviews':
      return {
        kind: resource === 'tokenreviews' ? 'TokenReview' : 'SubjectAccessReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: { token: `eyJhbGciOiJSUzI1NiIsImtpZCI6I${hex(rand, 300)}` },
        status: { authenticated: true, user: { username: 'system:serviceaccount:web:api' } },
      };
    default:
      return {
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        metadata,
        spec: { replicas: 1 + Math.floor(rand() * 5), template: { spec: podSpec(rand) } },
        status: { replicas: 3, readyReplicas: 3 },
      };
  }
}

function list(rand, resource, namespace, manager, count) {
  const items = [];
  for (let i = 0; i < count; i++)
    items.push(makeObject(rand, resource, `${resource}-${hex(rand, 5)}`, namespace, manager));
  return {
    kind: 'List',
    apiVersion: 'v1',
    metadata: { resourceVersion: String(100000 + Math.floor(rand() * 900000)) },
    items,
  };
}

const GROUPS = {
  leases: 'coordination.k8s.io',
  deployments: 'apps',
  replicasets: 'apps',
  tokenreviews: 'authentication.k8s.io',
  subjectaccessreviews: 'authorization.k8s.io',
  endpointslices: 'discovery.k8s.io',
};
const VERSIONS = { 'coordination.k8s.io': 'v1', apps: 'v1', 'authentication.k8s.io': 'v1' };

/**
 * Request kinds with weights. Each returns {user, verb, resource, subresource, namespace, name, path,
 * query, request, response, code, longRunning}.
 */
function scenarios(rand) {
  const ns = () => NAMESPACES[Math.floor(rand() * NAMESPACES.length)];
  const sa = [
    USERS.coredns,
    USERS.awsNode,
    USERS.autoscaler,
    USERS.kopsController,
    USERS.prometheus,
    USERS.argocd,
  ];
  const anySa = () => sa[Math.floor(rand() * sa.length)];
  return [
    [
      18,
      () => {
        const { node, user } = nodeUser(rand);
        const verb = rand() < 0.5 ? 'get' : 'update';
        const obj = makeObject(rand, 'leases', node, 'kube-node-lease', 'kubelet');
        return {
          user,
          verb,
          resource: 'leases',
          namespace: 'kube-node-lease',
          name: node,
          request: verb === 'update' ? obj : undefined,
          response: obj,
        };
      },
    ],
    [
      8,
      () => {
        const user = rand() < 0.5 ? USERS.controllerManager : USERS.scheduler;
        const name = user === USERS.scheduler ? 'kube-scheduler' : 'kube-controller-manager';
        const obj = makeObject(rand, 'leases', name, 'kube-system', name);
        return {
          user,
          verb: 'update',
          resource: 'leases',
          namespace: 'kube-system',
          name,
          request: obj,
          response: obj,
        };
      },
    ],
    [
      9,
      () => {
        const { node, user } = nodeUser(rand);
        const obj = makeObject(rand, 'nodes', node, undefined, 'kubelet');
        const patch = {
          status: { conditions: [{ type: 'Ready', lastHeartbeatTime: '2026-11-02T10:00:00Z' }] },
        };
        return {
          user,
          verb: 'patch',
          resource: 'nodes',
          subresource: 'status',
          name: node,
          request: patch,
          response: obj,
        };
      },
    ],
    [
      6,
      () => {
        const { user } = nodeUser(rand);
        const namespace = ns();
        const name = `app-${hex(rand, 5)}`;
        const obj = makeObject(rand, 'pods', name, namespace, 'kubelet');
        return {
          user,
          verb: 'patch',
          resource: 'pods',
          subresource: 'status',
          namespace,
          name,
          request: { status: obj.status },
          response: obj,
        };
      },
    ],
    [
      7,
      () => {
        const user = rand() < 0.6 ? USERS.controllerManager : anySa();
        const resource = ['pods', 'configmaps', 'deployments', 'secrets'][Math.floor(rand() * 4)];
        const namespace = rand() < 0.3 ? undefined : ns();
        return {
          user,
          verb: 'list',
          resource,
          namespace,
          query: 'limit=500&resourceVersion=0',
          response: list(
            rand,
            resource,
            namespace ?? 'default',
            'kube-controller-manager',
            Math.floor(rand() * 30),
          ),
        };
      },
    ],
    [
      5,
      () => {
        const user = [USERS.controllerManager, USERS.scheduler, USERS.kubeProxy, anySa()][
          Math.floor(rand() * 4)
        ];
        const resource = ['pods', 'nodes', 'endpointslices', 'configmaps', 'services'][
          Math.floor(rand() * 5)
        ];
        return {
          user,
          verb: 'watch',
          resource,
          query: `allowWatchBookmarks=true&resourceVersion=${Math.floor(rand() * 1e6)}&timeoutSeconds=${300 + Math.floor(rand() * 300)}&watch=true`,
          longRunning: true,
        };
      },
    ],
    [
      6,
      () => {
        const { user } = nodeUser(rand);
        const namespace = ns();
        const resource = rand() < 0.5 ? 'secrets' : 'configmaps';
        const name = `${resource === 'secrets' ? 'db-credentials' : 'app-config'}-${hex(rand, 3)}`;
        return {
          user,
          verb: 'get',
          resource,
          namespace,
          name,
          response: makeObject(rand, resource, name, namespace, 'helm'),
        };
      },
    ],
    [
      5,
      () => {
        const namespace = ns();
        const name = `app-${hex(rand, 5)}.${hex(rand, 16)}`;
        const obj = makeObject(rand, 'events', name, namespace, 'kubelet');
        return {
          user: nodeUser(rand).user,
          verb: 'create',
          resource: 'events',
          namespace,
          name,
          request: obj,
          response: obj,
          code: 201,
        };
      },
    ],
    [
      5,
      () => {
        const user = rand() < 0.5 ? USERS.controllerManager : USERS.argocd;
        const namespace = ns();
        const resource = rand() < 0.5 ? 'deployments' : 'replicasets';
        const name = `web-${hex(rand, 4)}`;
        const obj = makeObject(rand, resource, name, namespace, 'kube-controller-manager');
        return { user, verb: 'update', resource, namespace, name, request: obj, response: obj };
      },
    ],
    [
      10,
      () => {
        const user = rand() < 0.7 ? USERS.anonymous : USERS.prometheus;
        const path = [
          '/healthz',
          '/readyz',
          '/livez',
          '/metrics',
          '/version',
          '/api',
          '/apis',
          '/openapi/v2',
        ][Math.floor(rand() * 8)];
        return { user, verb: 'get', path };
      },
    ],
    [
      4,
      () => {
        const resource = rand() < 0.5 ? 'tokenreviews' : 'subjectaccessreviews';
        const obj = makeObject(rand, resource, '', undefined, '');
        return { user: USERS.apiserver, verb: 'create', resource, request: obj, response: obj, code: 201 };
      },
    ],
    [
      3,
      () => {
        const { user } = nodeUser(rand);
        const namespace = ns();
        const name = ['default', 'api', 'worker'][Math.floor(rand() * 3)];
        return {
          user,
          verb: 'create',
          resource: 'serviceaccounts',
          subresource: 'token',
          namespace,
          name,
          request: {
            kind: 'TokenRequest',
            spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3607 },
          },
          response: { kind: 'TokenRequest', status: { token: `eyJ${hex(rand, 600)}` } },
          code: 201,
        };
      },
    ],
    [
      2,
      () => {
        const user = rand() < 0.5 ? USERS.alice : USERS.admin;
        const namespace = ns();
        const name = `app-${hex(rand, 5)}`;
        const r = rand();
        if (r < 0.3)
          return {
            user,
            verb: 'create',
            resource: 'pods',
            subresource: 'exec',
            namespace,
            name,
            query:
              'command=sh&command=-c&command=cat+%2Fetc%2Fconfig&container=app&stdin=true&stdout=true&tty=true',
            code: 101,
            longRunning: true,
          };
        if (r < 0.6)
          return {
            user,
            verb: 'get',
            resource: 'pods',
            subresource: 'log',
            namespace,
            name,
            query: 'container=app&tailLines=100',
          };
        if (r < 0.8) {
          const obj = makeObject(
            rand,
            'deployments',
            `web-${hex(rand, 4)}`,
            namespace,
            'kubectl-client-side-apply',
          );
          return {
            user,
            verb: 'patch',
            resource: 'deployments',
            namespace,
            name: obj.metadata.name,
            request: { spec: { replicas: 3 } },
            response: obj,
          };
        }
        return {
          user,
          verb: 'delete',
          resource: 'pods',
          namespace,
          name,
          request: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
          response: { kind: 'Status', apiVersion: 'v1', status: 'Success' },
        };
      },
    ],
  ];
}

function pick(rand, table, total) {
  let r = rand() * total;
  for (const [weight, make] of table) {
    r -= weight;
    if (r < 0) return make;
  }
  return table[table.length - 1][1];
}

function micro(ms, extra) {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(extra).padStart(3, '0')}Z`;
}

function requestURI(r) {
  if (r.path) return r.path;
  const group = GROUPS[r.resource];
  const prefix = group ? `/apis/${group}/${VERSIONS[group] ?? 'v1'}` : '/api/v1';
  let uri = prefix;
  if (r.namespace) uri += `/namespaces/${r.namespace}`;
  uri += `/${r.resource}`;
  if (r.name && r.verb !== 'create') uri += `/${r.name}`;
  else if (r.name && r.subresource) uri += `/${r.name}`;
  if (r.subresource) uri += `/${r.subresource}`;
  if (r.query) uri += `?${r.query}`;
  return uri;
}

/** Go's encoding/json escapes <, > and & in strings; keep the log byte-shaped like kube-apiserver's. */
function goJson(value) {
  return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/**
 * Yield the lines of a synthetic audit log, oldest first, until about `bytes` bytes are produced.
 * `start` is the first request's time (ms since the epoch); requests arrive about `ratePerSecond`.
 */
export function* auditLogLines({
  seed = 1,
  bytes = 1e6,
  start = Date.UTC(2026, 10, 2, 10),
  ratePerSecond = 150,
} = {}) {
  const rand = prng(seed);
  const table = scenarios(rand);
  const total = table.reduce((sum, [w]) => sum + w, 0);
  let produced = 0;
  let now = start;
  const userAgents = [
    'kubelet/v1.31.4 (linux/amd64) kubernetes/a78aa47',
    'kube-controller-manager/v1.31.4 (linux/amd64) kubernetes/a78aa47/leader-election',
    'kubectl/v1.31.0 (darwin/arm64) kubernetes/9edcffc',
    'Go-http-client/1.1',
    'argocd-application-controller/v2.13.1',
  ];
  while (produced < bytes) {
    now += -Math.log(1 - rand()) * (1000 / ratePerSecond);
    const r = pick(rand, table, total)();
    const auditID = uuid(rand);
    const received = micro(now, Math.floor(rand() * 1000));
    const group = r.resource ? GROUPS[r.resource] : undefined;
    const head = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      auditID,
      stage: 'RequestReceived',
      requestURI: requestURI(r),
      verb: r.verb,
      user: {
        ...r.user,
        ...(rand() < 0.3
          ? { extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${uuid(rand)}`] } }
          : {}),
      },
      sourceIPs: [`172.20.${Math.floor(rand() * 64)}.${Math.floor(rand() * 255)}`],
      userAgent: userAgents[Math.floor(rand() * userAgents.length)],
    };
    if (r.resource) {
      head.objectRef = { resource: r.resource };
      if (r.namespace) head.objectRef.namespace = r.namespace;
      if (r.name) head.objectRef.name = r.name;
      if (group) head.objectRef.apiGroup = group;
      head.objectRef.apiVersion = group ? (VERSIONS[group] ?? 'v1') : 'v1';
      if (r.subresource) head.objectRef.subresource = r.subresource;
    }
    const stages = r.longRunning
      ? ['RequestReceived', 'ResponseStarted', 'ResponseComplete']
      : ['RequestReceived', 'ResponseComplete'];
    let stageTime = now;
    for (const stage of stages) {
      const event = { ...head, stage };
      if (stage !== 'RequestReceived') {
        event.responseStatus = { metadata: {}, code: r.code ?? 200 };
        if (r.request !== undefined) event.requestObject = r.request;
        if (stage === 'ResponseComplete' && r.response !== undefined) event.responseObject = r.response;
      }
      stageTime += stage === 'ResponseComplete' && r.longRunning ? 300000 * rand() : 2 + rand() * 20;
      event.requestReceivedTimestamp = received;
      event.stageTimestamp = micro(stageTime, Math.floor(rand() * 1000));
      if (stage !== 'RequestReceived') {
        event.annotations = {
          'authorization.k8s.io/decision': 'allow',
          'authorization.k8s.io/reason': `RBAC: allowed by ClusterRoleBinding "system:${r.verb}" of ClusterRole "system:${r.resource ?? 'discovery'}" to User "${r.user.username}"`,
        };
      }
      const line = goJson(event);
      produced += line.length + 1;
      yield line;
    }
  }
}

/** Write a synthetic log of about `bytes` bytes to `file` (directories created). */
export async function writeAuditLog(file, options) {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let batch = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const ok = out.write(`${batch.join('\n')}\n`);
    batch = [];
    batchBytes = 0;
    if (!ok) await new Promise((resolve) => out.once('drain', resolve));
  };
  for (const line of auditLogLines(options)) {
    batch.push(line);
    batchBytes += line.length;
    if (batchBytes > 1 << 20) await flush();
  }
  await flush();
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

// `node bench/generate-log.mjs FILE [BYTES] [SEED]`
if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, bytes = '1e8', seed = '1'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/generate-log.mjs FILE [BYTES] [SEED]');
    process.exitCode = 1;
  } else {
    await writeAuditLog(file, { bytes: Number(bytes), seed: Number(seed) });
  }
}
