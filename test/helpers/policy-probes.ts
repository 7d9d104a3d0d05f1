import { prng } from '../../bench/generate-log.mjs';
import type { Policy, PolicyRule, RequestAttributes } from '../../src/policy/types.js';

/**
 * Probe requests for a policy, built from the values its rules name plus values they do not, and a
 * fuzzer of small policies over a small vocabulary (so that their rules overlap often). Used to check
 * exact reasoning about match sets against the evaluator (checker.go semantics).
 */

/** A small seeded generator (the bench's mulberry32), so failures repeat. */
export const seeded: (seed: number) => () => number = prng;

export const pick = <T>(rng: () => number, items: readonly T[]): T =>
  items[Math.floor(rng() * items.length)]!;

export function shuffled<T>(rng: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// --- probes ---------------------------------------------------------------------------------------

const OTHER = {
  user: 'other-user',
  group: 'other-group',
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'other-verb'],
  namespace: 'other-ns',
  apiGroup: 'other.example.com',
  resource: 'others',
  subresource: 'othersub',
  name: 'other-name',
  path: '/other',
};

interface Pools {
  users: string[];
  groups: string[];
  verbs: string[];
  namespaces: string[];
  apiGroups: string[];
  resources: string[];
  subresources: string[];
  names: string[];
  paths: string[];
}

const plain = (s: string) => s !== '' && !s.includes('*') && !s.includes('/');

function poolsOf(rules: readonly PolicyRule[]): Pools {
  const set = () => new Set<string>();
  const p = {
    users: set(),
    groups: set(),
    verbs: set(),
    namespaces: set(),
    apiGroups: set(),
    resources: set(),
    subresources: set(),
    names: set(),
    paths: set(),
  };
  for (const r of rules) {
    for (const u of r.users ?? []) p.users.add(u);
    for (const g of r.userGroups ?? []) p.groups.add(g);
    for (const v of r.verbs ?? []) p.verbs.add(v);
    for (const n of r.namespaces ?? []) p.namespaces.add(n);
    for (const e of r.resources ?? []) {
      if (e.group !== '*') p.apiGroups.add(e.group ?? '');
      for (const pattern of e.resources ?? []) {
        for (const part of pattern
          .replace(/^[*/]+/, '')
          .replace(/[*/]+$/, '')
          .split('/'))
          if (plain(part)) p.resources.add(part);
        const [res, sub] = pattern.split('/');
        if (res && plain(res)) p.resources.add(res);
        if (sub && plain(sub)) p.subresources.add(sub);
        const star = pattern.replace(/^[*/]+/, '');
        if (pattern.startsWith('*/') && plain(star)) p.subresources.add(star);
      }
      for (const n of e.resourceNames ?? []) p.names.add(n);
    }
    for (const url of r.nonResourceURLs ?? []) {
      const prefix = url.replace(/\*+$/, '');
      p.paths.add(url.endsWith('*') ? (prefix === '' ? '/' : prefix) : url);
      if (url.endsWith('*'))
        for (const tail of ['x', '/etcd', 'z/y']) p.paths.add(`${prefix === '' ? '/' : prefix}${tail}`);
    }
  }
  return {
    users: [...p.users, OTHER.user],
    groups: [...p.groups, OTHER.group],
    verbs: [...new Set([...p.verbs, ...OTHER.verbs])],
    namespaces: [...new Set([...p.namespaces, '', OTHER.namespace])],
    apiGroups: [...new Set([...p.apiGroups, '', OTHER.apiGroup])],
    resources: [...p.resources, OTHER.resource],
    subresources: [...p.subresources, OTHER.subresource],
    names: [...new Set([...p.names, '', OTHER.name])],
    paths: [...p.paths, OTHER.path, '/'],
  };
}

/** A request the rule matches (when it can match any), other selectors from `bias` or the pools. */
function requestInside(
  rng: () => number,
  pools: Pools,
  rule: PolicyRule,
  bias?: PolicyRule,
): RequestAttributes {
  const from = (own: string[] | undefined, biased: string[] | undefined, pool: string[]) =>
    own && own.length > 0
      ? pick(rng, own)
      : biased && biased.length > 0 && rng() < 0.7
        ? pick(rng, biased)
        : pick(rng, pool);
  const user = from(rule.users, bias?.users, pools.users);
  const groups: string[] = [];
  if (rule.userGroups?.length) groups.push(pick(rng, rule.userGroups));
  if (bias?.userGroups?.length && rng() < 0.8) groups.push(pick(rng, bias.userGroups));
  if (rng() < 0.3) groups.push(pick(rng, pools.groups));
  const verb = from(rule.verbs, bias?.verbs, pools.verbs);
  const base = { user, groups: [...new Set(groups)], verb };
  const resourceRule = (rule.namespaces?.length ?? 0) > 0 || (rule.resources?.length ?? 0) > 0;
  const urls = rule.nonResourceURLs ?? [];
  const nonResource =
    !resourceRule &&
    (urls.length > 0 || ((bias?.nonResourceURLs?.length ?? 0) > 0 && rng() < 0.5) || rng() < 0.2);
  if (nonResource) {
    const specs = urls.length > 0 ? urls : (bias?.nonResourceURLs ?? []);
    let path = pick(rng, pools.paths);
    if (specs.length > 0 && rng() < 0.8) {
      const spec = pick(rng, specs);
      const prefix = spec.replace(/\*+$/, '') || '/';
      path = spec.endsWith('*') ? prefix + pick(rng, ['', 'x', '/etcd', 'z', 'ealthz']) : spec;
    }
    return { ...base, resourceRequest: false, path };
  }
  const namespace = from(rule.namespaces, bias?.namespaces, pools.namespaces);
  const entries = rule.resources?.length
    ? rule.resources
    : bias?.resources?.length && rng() < 0.7
      ? bias.resources
      : undefined;
  let apiGroup = pick(rng, pools.apiGroups);
  let resource = pick(rng, pools.resources);
  let subresource = rng() < 0.5 ? '' : pick(rng, pools.subresources);
  let name = pick(rng, pools.names);
  if (entries) {
    const entry = pick(rng, entries);
    if (entry.group !== '*') apiGroup = entry.group ?? '';
    const patterns = entry.resources ?? [];
    if (patterns.length > 0) {
      const pattern = pick(rng, patterns);
      const [res, sub] = pattern.split('/');
      if (pattern === '*') {
        // any resource
      } else if (pattern.startsWith('*/')) subresource = pattern.replace(/^[*/]+/, '');
      else if (pattern.endsWith('/*')) {
        resource = pattern.replace(/[*/]+$/, '');
        subresource = rng() < 0.4 ? '' : subresource;
      } else {
        resource = res!;
        subresource = sub ?? '';
      }
      if (entry.resourceNames?.length) name = pick(rng, entry.resourceNames);
    }
  }
  if (!plain(resource)) resource = OTHER.resource;
  if (subresource !== '' && !plain(subresource)) subresource = OTHER.subresource;
  return { ...base, resourceRequest: true, namespace, apiGroup, resource, subresource, name };
}

/**
 * Probe requests for a policy: requests inside each rule, inside each rule leaning towards each other
 * rule (to land in their overlaps), and random ones from the named values plus others.
 */
export function probeRequests(
  policy: Policy,
  seed: number,
  options: { perRule?: number; perPair?: number; random?: number } = {},
): RequestAttributes[] {
  const rng = seeded(seed);
  const rules = policy.rules;
  const pools = poolsOf(rules);
  const out: RequestAttributes[] = [];
  const perRule = options.perRule ?? 12;
  const perPair = options.perPair ?? (rules.length > 60 ? 1 : 3);
  for (const rule of rules) for (let k = 0; k < perRule; k++) out.push(requestInside(rng, pools, rule));
  for (const a of rules)
    for (const b of rules) {
      if (a === b) continue;
      for (let k = 0; k < perPair; k++) out.push(requestInside(rng, pools, a, b));
    }
  const empty: PolicyRule = { level: 'None' };
  for (let k = 0; k < (options.random ?? 300); k++) out.push(requestInside(rng, pools, empty));
  return out;
}

// --- a fuzzer -------------------------------------------------------------------------------------

const FUZZ = {
  users: ['alice', 'bob', 'system:node:a'],
  groups: ['g1', 'g2', 'g3'],
  verbs: ['get', 'list', 'delete', 'create'],
  namespaces: ['', 'ns1', 'ns2'],
  apiGroups: ['', 'apps', '*'],
  patterns: [
    'pods',
    'pods/log',
    'pods/*',
    '*/log',
    '*',
    'secrets',
    'deployments',
    'deployments/scale',
    '*/scale',
  ],
  names: ['n1', 'n2'],
  urls: ['/healthz', '/healthz*', '/api*', '/metrics', '*', '/version', '/livez'],
  levels: ['None', 'Metadata', 'Request', 'RequestResponse'] as const,
  stages: ['RequestReceived', 'ResponseStarted'] as const,
};

function someOf<T>(rng: () => number, items: readonly T[], max = items.length): T[] {
  const count = 1 + Math.floor(rng() * Math.min(max, items.length));
  return shuffled(rng, items).slice(0, count);
}

/** A small random valid policy over a small vocabulary, so that rules overlap often. */
export function randomPolicy(rng: () => number, ruleCount = 2 + Math.floor(rng() * 6)): Policy {
  const rules: PolicyRule[] = [];
  for (let i = 0; i < ruleCount; i++) {
    const rule: PolicyRule = { level: pick(rng, FUZZ.levels) };
    if (rng() < 0.35) rule.users = someOf(rng, FUZZ.users, 2);
    if (rng() < 0.3) rule.userGroups = someOf(rng, FUZZ.groups, 2);
    if (rng() < 0.45) rule.verbs = someOf(rng, FUZZ.verbs, 3);
    const kind = rng();
    if (kind < 0.55) {
      if (rng() < 0.8) {
        rule.resources = someOf(rng, FUZZ.apiGroups, 2).map((group) => {
          const entry: PolicyRule['resources'] extends (infer E)[] | undefined ? E : never = { group };
          if (rng() < 0.75) entry.resources = someOf(rng, FUZZ.patterns, 3);
          if (entry.resources && rng() < 0.25) entry.resourceNames = someOf(rng, FUZZ.names, 2);
          return entry;
        });
      }
      if (!rule.resources || rng() < 0.35) rule.namespaces = someOf(rng, FUZZ.namespaces, 2);
    } else if (kind < 0.8) rule.nonResourceURLs = someOf(rng, FUZZ.urls, 2);
    if (rng() < 0.3) rule.omitStages = someOf(rng, FUZZ.stages, 2);
    if (rng() < 0.2) rule.omitManagedFields = rng() < 0.5;
    rules.push(rule);
  }
  const policy: Policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules };
  if (rng() < 0.3) policy.omitStages = ['RequestReceived'];
  if (rng() < 0.2) policy.omitManagedFields = true;
  return policy;
}
