// A seeded large audit policy of realistic shape, for `kops-audit order` (issue 12's 300 rules): a
// multi-team platform where each team has its namespace, its CI service account, developer and admin
// groups, and rules for its secrets, deployments, exec and deletions, below kube-up's system rules and
// above a catch-all, written in a shuffled order (order is what `order` is for).
// Used by bench/run.mjs and by test/unit/policy/order.test.ts.
import { prng } from './generate-log.mjs';

const RR = ['RequestReceived'];
const KNOWN = [
  '',
  'apps',
  'batch',
  'autoscaling',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
];

const SYSTEM = [
  {
    level: 'None',
    users: ['system:kube-proxy'],
    verbs: ['watch'],
    resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }],
  },
  {
    level: 'None',
    userGroups: ['system:nodes'],
    verbs: ['get'],
    resources: [{ group: '', resources: ['nodes', 'nodes/status'] }],
  },
  {
    level: 'None',
    users: ['system:kube-controller-manager', 'system:kube-scheduler'],
    verbs: ['get', 'update'],
    namespaces: ['kube-system'],
    resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }],
  },
  {
    level: 'None',
    users: ['system:apiserver'],
    verbs: ['get'],
    resources: [{ group: '', resources: ['namespaces', 'namespaces/status', 'namespaces/finalize'] }],
  },
  { level: 'None', nonResourceURLs: ['/healthz*', '/version', '/readyz', '/livez'] },
  { level: 'None', resources: [{ group: '', resources: ['events'] }] },
  {
    level: 'Request',
    userGroups: ['system:nodes'],
    verbs: ['update', 'patch'],
    resources: [{ group: '', resources: ['nodes/status', 'pods/status'] }],
    omitStages: RR,
  },
  {
    level: 'Request',
    users: ['system:serviceaccount:kube-system:namespace-controller'],
    verbs: ['deletecollection'],
    omitStages: RR,
  },
  {
    level: 'Metadata',
    resources: [
      { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
      { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
    ],
    omitStages: RR,
  },
  {
    level: 'Request',
    verbs: ['get', 'list', 'watch'],
    resources: KNOWN.map((group) => ({ group })),
    omitStages: RR,
  },
  { level: 'RequestResponse', resources: KNOWN.map((group) => ({ group })), omitStages: RR },
];

function teamRules(team) {
  const ns = `team-${team}`;
  return [
    {
      level: 'None',
      users: [`system:serviceaccount:${ns}:ci`],
      verbs: ['get', 'list', 'watch'],
      namespaces: [ns],
      resources: [{ group: '', resources: ['configmaps'] }],
    },
    {
      level: 'Metadata',
      namespaces: [ns],
      resources: [{ group: '', resources: ['secrets'] }],
      omitStages: RR,
    },
    {
      level: 'Request',
      userGroups: [`${ns}-devs`],
      verbs: ['create', 'update', 'patch', 'delete'],
      namespaces: [ns],
      resources: [{ group: 'apps', resources: ['deployments', 'deployments/scale', 'statefulsets'] }],
      omitStages: RR,
    },
    {
      level: 'RequestResponse',
      userGroups: [`${ns}-admins`],
      namespaces: [ns],
      resources: [{ group: '', resources: ['pods/exec', 'pods/attach', 'pods/portforward'] }],
      omitStages: RR,
    },
    {
      level: 'None',
      users: [`system:serviceaccount:${ns}:metrics`],
      verbs: ['get'],
      namespaces: [ns],
      resources: [{ group: '', resources: ['pods', 'nodes'] }, { group: 'metrics.k8s.io' }],
    },
    { level: 'Request', namespaces: [ns], verbs: ['delete', 'deletecollection'], omitStages: RR },
    {
      level: 'Metadata',
      namespaces: [ns],
      resources: [{ group: 'batch', resources: ['jobs', 'cronjobs'], resourceNames: [`${ns}-nightly`] }],
      omitStages: RR,
    },
  ];
}

/** The Policy object: `rules` rules (default 300), shuffled with `seed`. */
export function largePolicy({ rules: count = 300, seed = 1 } = {}) {
  const rng = prng(seed);
  const rules = [...SYSTEM];
  for (let team = 0; rules.length < count - 1; team++) rules.push(...teamRules(team));
  rules.length = count - 1;
  for (let i = rules.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [rules[i], rules[j]] = [rules[j], rules[i]];
  }
  rules.push({ level: 'Metadata', omitStages: RR });
  return { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules };
}

/** The same policy as a file's text: JSON, which kube-apiserver (and kops-audit) read as YAML. */
export function largePolicyText(options) {
  return `${JSON.stringify(largePolicy(options), null, 2)}\n`;
}
