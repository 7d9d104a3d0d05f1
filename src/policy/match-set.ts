import type { GroupResources, PolicyRule, RequestAttributes } from './types.js';

/**
 * The exact set of requests a rule matches under kube-apiserver's checker (k8s.io/apiserver
 * pkg/audit/policy/checker.go, ruleMatches), as a value that can be compared and intersected. Unlike
 * coverage.ts (lint's sound but incomplete reasoning), every answer here is exact, so `order` can say
 * "this rule is more specific than that one" and write the overlap of two rules as a rule.
 *
 * The request space is the one kube-apiserver produces (endpoints/request/requestinfo.go): one user
 * name, any set of groups, one verb; a resource request has a namespace ("" for cluster-scoped and
 * cluster-wide), an API group (never "*"), a resource and an optional subresource (non-empty path
 * segments: no "/", no "*"), and a name ("" for create and collections); a non-resource request has
 * a path starting with "/". Every other value is free: users, verbs, namespaces, names and groups
 * range over unbounded sets, which is why a selector left out is strictly larger than any list.
 */

/** A finite set of strings, or every string (the selector is left out). */
export type Values = ReadonlySet<string> | 'all';

/** One `resources` pattern, by what it matches of a (resource, subresource) pair. */
export type ResourceForm =
  /** `*`, or an entry without resources: every resource and subresource. */
  | { form: 'all' }
  /** `pods`: the resource itself, without a subresource. */
  | { form: 'resource'; resource: string }
  /** `pods/log`. */
  | { form: 'subresource'; resource: string; subresource: string }
  /** `pods/*`: the resource and each of its subresources (checker.go "resource/*"). */
  | { form: 'resourceAndSubresources'; resource: string }
  /** `*\/scale`: that subresource of any resource (checker.go "*\/subresource"). */
  | { form: 'subresourceOfAny'; subresource: string };

/** One product of a group, a resource form and names: a `resources` entry is a union of these. */
export interface ResourceBox {
  /** `""` core, `*` every group (1.36+). */
  group: string;
  form: ResourceForm;
  names: Values;
}

export interface ResourcePart {
  namespaces: Values;
  /** Never empty: a rule whose patterns can match nothing has no resource part at all. */
  boxes: readonly ResourceBox[];
}

/** nonResourceURLs: exact paths, and prefixes (a spec ending in `*`; `*` alone is the prefix "/"). */
export interface PathPart {
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
}

export interface MatchSet {
  users: Values;
  /**
   * userGroups is any-of: a request matches when one of its groups is in the list. The overlap of
   * two rules needs each list hit, so this is a conjunction of lists; [] is every request.
   */
  groups: ReadonlyArray<ReadonlySet<string>>;
  verbs: Values;
  /** Absent: no resource request matches. */
  resource?: ResourcePart;
  /** Absent: no non-resource request matches. */
  nonResource?: PathPart;
}

export const ALL_BOX: ResourceBox = { group: '*', form: { form: 'all' }, names: 'all' };
const EVERY_RESOURCE: ResourcePart = { namespaces: 'all', boxes: [ALL_BOX] };
const EVERY_PATH: PathPart = { exact: new Set(), prefixes: ['/'] };

const valuesOf = (list: readonly string[] | undefined): Values =>
  list && list.length > 0 ? new Set(list) : 'all';

export function matchSetOf(rule: PolicyRule): MatchSet {
  const users = valuesOf(rule.users);
  const verbs = valuesOf(rule.verbs);
  const groups = rule.userGroups && rule.userGroups.length > 0 ? [new Set(rule.userGroups)] : [];
  const entries = rule.resources ?? [];
  const namespaces = valuesOf(rule.namespaces);
  // checker.go: namespaces or resources make a resource rule (nonResourceURLs are then ignored);
  // else nonResourceURLs make a non-resource rule; else the rule matches both kinds.
  if (namespaces !== 'all' || entries.length > 0) {
    const boxes = entries.length === 0 ? [ALL_BOX] : entries.flatMap(boxesOfEntry);
    return boxes.length === 0
      ? { users, groups, verbs }
      : { users, groups, verbs, resource: { namespaces, boxes } };
  }
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) return { users, groups, verbs, nonResource: pathPartOf(urls) };
  return { users, groups, verbs, resource: EVERY_RESOURCE, nonResource: EVERY_PATH };
}

function boxesOfEntry(entry: GroupResources): ResourceBox[] {
  const group = entry.group ?? '';
  const patterns = entry.resources ?? [];
  // No resources: every resource and subresource of the group; resourceNames are not looked at.
  if (patterns.length === 0) return [{ group, form: { form: 'all' }, names: 'all' }];
  const names = valuesOf(entry.resourceNames);
  return patterns.flatMap((pattern) => formsOfPattern(pattern).map((form) => ({ group, form, names })));
}

const plainSegment = (s: string) => s !== '' && !s.includes('/') && !s.includes('*');

/**
 * What one pattern matches, following the evaluator (evaluate.ts resourcePatternMatches): `*`; the
 * exact combined "res" or "res/sub"; a pattern starting with `*\/` (leading `*` and `/` stripped) as
 * a subresource of any resource; one ending in `/*` (trailing `*` and `/` stripped) as a resource
 * with or without subresources. Anything else never matches a real request.
 */
export function formsOfPattern(pattern: string): ResourceForm[] {
  if (pattern === '*') return [{ form: 'all' }];
  const forms: ResourceForm[] = [];
  const parts = pattern.split('/');
  if (parts.length === 1 && plainSegment(pattern)) forms.push({ form: 'resource', resource: pattern });
  if (parts.length === 2 && plainSegment(parts[0]!) && plainSegment(parts[1]!)) {
    forms.push({ form: 'subresource', resource: parts[0]!, subresource: parts[1]! });
  }
  if (pattern.startsWith('*/')) {
    const subresource = pattern.replace(/^[*/]+/, '');
    if (plainSegment(subresource)) forms.push({ form: 'subresourceOfAny', subresource });
  }
  if (pattern.endsWith('/*')) {
    const resource = pattern.replace(/[*/]+$/, '');
    if (plainSegment(resource)) forms.push({ form: 'resourceAndSubresources', resource });
  }
  return forms;
}

function pathPartOf(specs: readonly string[]): PathPart {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const spec of specs) {
    // checker.go pathMatches: "*" matches every path; a trailing "*" (all of them stripped) is a
    // plain string prefix; any spec also matches itself exactly. Paths start with "/", so "*" and
    // "/*" are the same set.
    if (spec.endsWith('*')) {
      const prefix = spec.replace(/\*+$/, '');
      prefixes.push(prefix === '' ? '/' : prefix);
    } else exact.add(spec);
  }
  return normalizePaths(exact, prefixes);
}

function normalizePaths(exact: Iterable<string>, prefixes: readonly string[]): PathPart {
  const kept = [...new Set(prefixes)].filter((p) => !prefixes.some((q) => q !== p && p.startsWith(q)));
  const exacts = [...new Set(exact)].filter((e) => !kept.some((p) => e.startsWith(p)));
  return { exact: new Set(exacts), prefixes: kept.sort() };
}

// --- membership -----------------------------------------------------------------------------------

export const valuesHave = (values: Values, value: string) => values === 'all' || values.has(value);

export function groupsHit(groups: MatchSet['groups'], requestGroups: readonly string[]): boolean {
  return groups.every((list) => requestGroups.some((g) => list.has(g)));
}

export function formMatches(form: ResourceForm, resource: string, subresource: string): boolean {
  switch (form.form) {
    case 'all':
      return true;
    case 'resource':
      return subresource === '' && resource === form.resource;
    case 'subresource':
      return resource === form.resource && subresource === form.subresource;
    case 'resourceAndSubresources':
      return resource === form.resource;
    case 'subresourceOfAny':
      return subresource === form.subresource;
  }
}

export interface ResourcePoint {
  group: string;
  resource: string;
  subresource: string;
  name: string;
}

export function boxMatches(box: ResourceBox, point: ResourcePoint): boolean {
  return (
    (box.group === '*' || box.group === point.group) &&
    valuesHave(box.names, point.name) &&
    formMatches(box.form, point.resource, point.subresource)
  );
}

export function pathMatches(part: PathPart, path: string): boolean {
  return part.exact.has(path) || part.prefixes.some((p) => path.startsWith(p));
}

/** Whether the set holds the request (the same answer as checker.go for real requests). */
export function matchSetHas(set: MatchSet, request: RequestAttributes): boolean {
  // A request with no user (one that failed authentication) matches only rules without users or
  // userGroups (checker.go ruleMatches: user == nil); it has no groups either.
  const userIn = set.users === 'all' || (request.user !== null && set.users.has(request.user));
  if (!userIn || !valuesHave(set.verbs, request.verb)) return false;
  if (!groupsHit(set.groups, request.groups)) return false;
  if (!request.resourceRequest)
    return set.nonResource ? pathMatches(set.nonResource, request.path ?? '') : false;
  const part = set.resource;
  if (!part || !valuesHave(part.namespaces, request.namespace ?? '')) return false;
  const point = {
    group: request.apiGroup ?? '',
    resource: request.resource ?? '',
    subresource: request.subresource ?? '',
    name: request.name ?? '',
  };
  return part.boxes.some((box) => boxMatches(box, point));
}

export function isEmptySet(set: MatchSet): boolean {
  if (!set.resource && !set.nonResource) return true;
  if (set.users !== 'all' && set.users.size === 0) return true;
  if (set.verbs !== 'all' && set.verbs.size === 0) return true;
  return set.groups.some((list) => list.size === 0);
}

// --- subset ---------------------------------------------------------------------------------------

function valuesSubset(a: Values, b: Values): boolean {
  if (b === 'all') return true;
  if (a === 'all') return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}

/**
 * Every group set that hits each of a's lists hits each of b's: for each list M of b, one of a's
 * lists lies inside M (otherwise a set taking from each of a's lists a group outside M escapes).
 */
function groupsSubset(a: MatchSet['groups'], b: MatchSet['groups']): boolean {
  return b.every((m) => a.some((list) => valuesSubset(list, m)));
}

function pathsSubset(a: PathPart, b: PathPart): boolean {
  for (const e of a.exact) if (!pathMatches(b, e)) return false;
  // A prefix is an infinite set; finitely many exact paths and longer prefixes cannot cover it.
  return a.prefixes.every((p) => b.prefixes.some((q) => p.startsWith(q)));
}

function resourcesSubset(a: ResourcePart, b: ResourcePart): boolean {
  return valuesSubset(a.namespaces, b.namespaces) && resourcePointOutside(a.boxes, b.boxes) === undefined;
}

/** M(a) ⊆ M(b), exactly. */
export function isSubset(a: MatchSet, b: MatchSet): boolean {
  if (isEmptySet(a)) return true;
  if (!valuesSubset(a.users, b.users) || !valuesSubset(a.verbs, b.verbs)) return false;
  if (!groupsSubset(a.groups, b.groups)) return false;
  if (a.resource && !(b.resource && resourcesSubset(a.resource, b.resource))) return false;
  if (a.nonResource && !(b.nonResource && pathsSubset(a.nonResource, b.nonResource))) return false;
  return true;
}

/**
 * A value equal to none of `taken`, shaped like `base` (for example requests that read well). Values
 * outside every list a rule names are all alike to the checker, so any fresh one stands for all.
 */
export function freshValue(base: string, taken: { has(value: string): boolean }): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/**
 * Points standing for every class of (group, resource, subresource, name) that the boxes tell
 * apart: each value a box names, plus one fresh value per dimension (and "" for "no subresource").
 * Two points of a class are matched by the same boxes, so checking these points decides any
 * question about unions of the boxes exactly.
 */
export function resourcePoints(boxes: readonly ResourceBox[]): ResourcePoint[] {
  const namedGroups = new Set(boxes.map((b) => b.group).filter((g) => g !== '*'));
  const groups = [...namedGroups, freshValue('example.com', namedGroups)];
  const points: ResourcePoint[] = [];
  for (const group of groups) {
    const relevant = boxes.filter((b) => b.group === '*' || b.group === group);
    if (relevant.length === 0) continue;
    const resources = new Set<string>();
    const subresources = new Set<string>();
    const names = new Set<string>();
    for (const { form, names: boxNames } of relevant) {
      if ('resource' in form) resources.add(form.resource);
      if ('subresource' in form) subresources.add(form.subresource);
      if (boxNames !== 'all') for (const n of boxNames) names.add(n);
    }
    const resourceValues = [...resources, freshValue('widgets', resources)];
    const subresourceValues = ['', ...subresources, freshValue('status', new Set([...subresources, '']))];
    const nameValues = [...names, freshValue('', names)];
    for (const resource of resourceValues)
      for (const subresource of subresourceValues)
        for (const name of nameValues) points.push({ group, resource, subresource, name });
  }
  return points;
}

/** A point the boxes of `a` match and those of `b` do not, or undefined when a ⊆ b. */
function resourcePointOutside(
  a: readonly ResourceBox[],
  b: readonly ResourceBox[],
): ResourcePoint | undefined {
  // Most pairs are settled box by box without building points.
  if (a.every((box) => b.some((other) => boxWithin(box, other)))) return undefined;
  for (const point of resourcePoints([...a, ...b])) {
    if (a.some((box) => boxMatches(box, point)) && !b.some((box) => boxMatches(box, point))) return point;
  }
  return undefined;
}

/** A sufficient test that one box lies inside another (used to skip work, never to decide "no"). */
function boxWithin(a: ResourceBox, b: ResourceBox): boolean {
  if (b.group !== '*' && b.group !== a.group) return false;
  if (!valuesSubset(a.names, b.names)) return false;
  return formWithin(a.form, b.form);
}

function formWithin(a: ResourceForm, b: ResourceForm): boolean {
  if (b.form === 'all') return true;
  if (a.form === 'all') return false;
  if (sameForm(a, b)) return true;
  if (b.form === 'resourceAndSubresources')
    return (a.form === 'resource' || a.form === 'subresource') && a.resource === b.resource;
  if (b.form === 'subresourceOfAny') return a.form === 'subresource' && a.subresource === b.subresource;
  return false;
}

function sameForm(a: ResourceForm, b: ResourceForm): boolean {
  return (
    a.form === b.form &&
    (a as { resource?: string }).resource === (b as { resource?: string }).resource &&
    (a as { subresource?: string }).subresource === (b as { subresource?: string }).subresource
  );
}

// --- intersection ---------------------------------------------------------------------------------

function valuesIntersect(a: Values, b: Values): Values {
  if (a === 'all') return b;
  if (b === 'all') return a;
  return new Set([...a].filter((v) => b.has(v)));
}

/** Both lists must be hit; a list inside another makes the larger one redundant. */
function groupsIntersect(a: MatchSet['groups'], b: MatchSet['groups']): MatchSet['groups'] {
  const lists = [...a, ...b];
  return lists.filter(
    (list, i) =>
      !lists.some(
        (other, j) => j !== i && valuesSubset(other, list) && (!valuesSubset(list, other) || j < i),
      ),
  );
}

function formIntersect(a: ResourceForm, b: ResourceForm): ResourceForm | undefined {
  if (formWithin(a, b)) return a;
  if (formWithin(b, a)) return b;
  // The one pair whose overlap is neither of them: "pods/*" and "*/log" overlap in "pods/log".
  if (a.form === 'resourceAndSubresources' && b.form === 'subresourceOfAny')
    return { form: 'subresource', resource: a.resource, subresource: b.subresource };
  if (b.form === 'resourceAndSubresources' && a.form === 'subresourceOfAny')
    return { form: 'subresource', resource: b.resource, subresource: a.subresource };
  return undefined;
}

function boxIntersect(a: ResourceBox, b: ResourceBox): ResourceBox | undefined {
  const group = a.group === '*' ? b.group : b.group === '*' || b.group === a.group ? a.group : undefined;
  if (group === undefined) return undefined;
  const names = valuesIntersect(a.names, b.names);
  if (names !== 'all' && names.size === 0) return undefined;
  const form = formIntersect(a.form, b.form);
  return form ? { group, form, names } : undefined;
}

function resourcesIntersect(a: ResourcePart, b: ResourcePart): ResourcePart | undefined {
  const namespaces = valuesIntersect(a.namespaces, b.namespaces);
  if (namespaces !== 'all' && namespaces.size === 0) return undefined;
  const boxes: ResourceBox[] = [];
  for (const x of a.boxes)
    for (const y of b.boxes) {
      const box = boxIntersect(x, y);
      if (box) boxes.push(box);
    }
  // Boxes inside others add nothing (the first of two equal boxes stays).
  const kept = boxes.filter(
    (box, i) =>
      !boxes.some((other, j) => j !== i && boxWithin(box, other) && (!boxWithin(other, box) || j < i)),
  );
  return kept.length === 0 ? undefined : { namespaces, boxes: kept };
}

function pathsIntersect(a: PathPart, b: PathPart): PathPart | undefined {
  const exact = [
    ...[...a.exact].filter((e) => pathMatches(b, e)),
    ...[...b.exact].filter((e) => pathMatches(a, e)),
  ];
  const prefixes: string[] = [];
  for (const p of a.prefixes)
    for (const q of b.prefixes) {
      if (p.startsWith(q)) prefixes.push(p);
      else if (q.startsWith(p)) prefixes.push(q);
    }
  if (exact.length === 0 && prefixes.length === 0) return undefined;
  return normalizePaths(exact, prefixes);
}

/** M(a) ∩ M(b), exactly (its groups may need more than one list: see isExpressible). */
export function intersectSets(a: MatchSet, b: MatchSet): MatchSet {
  const out: MatchSet = {
    users: valuesIntersect(a.users, b.users),
    groups: groupsIntersect(a.groups, b.groups),
    verbs: valuesIntersect(a.verbs, b.verbs),
  };
  const resource = a.resource && b.resource ? resourcesIntersect(a.resource, b.resource) : undefined;
  const nonResource =
    a.nonResource && b.nonResource ? pathsIntersect(a.nonResource, b.nonResource) : undefined;
  if (resource) out.resource = resource;
  if (nonResource) out.nonResource = nonResource;
  return out;
}

/**
 * Whether one audit rule matches exactly this set. The only obstacle is userGroups: a request
 * carrying a group of each of two lists that are not nested is in both rules, and no single any-of
 * list selects exactly those requests.
 */
export function isExpressible(set: MatchSet): boolean {
  if (set.groups.length > 1) return false;
  // A rule that matches both kinds of request has no resource or path selectors at all.
  if (set.resource && set.nonResource) {
    return (
      set.resource.namespaces === 'all' &&
      set.resource.boxes.some((b) => b.group === '*' && b.form.form === 'all' && b.names === 'all') &&
      set.nonResource.prefixes.includes('/')
    );
  }
  return true;
}

// --- as a rule ------------------------------------------------------------------------------------

function patternOf(form: ResourceForm): string {
  switch (form.form) {
    case 'all':
      return '*';
    case 'resource':
      return form.resource;
    case 'subresource':
      return `${form.resource}/${form.subresource}`;
    case 'resourceAndSubresources':
      return `${form.resource}/*`;
    case 'subresourceOfAny':
      return `*/${form.subresource}`;
  }
}

const sorted = (values: ReadonlySet<string>) => [...values].sort();

/** The selectors of a rule matching exactly `set` (isExpressible must hold), level and stages aside. */
export function selectorsOf(set: MatchSet): Omit<PolicyRule, 'level'> {
  const rule: Omit<PolicyRule, 'level'> = {};
  if (set.users !== 'all') rule.users = sorted(set.users);
  if (set.groups.length === 1) rule.userGroups = sorted(set.groups[0]!);
  if (set.verbs !== 'all') rule.verbs = sorted(set.verbs);
  if (set.resource && set.nonResource) return rule;
  if (set.resource) {
    const { namespaces, boxes } = set.resource;
    const everything = boxes.some((b) => b.group === '*' && b.form.form === 'all' && b.names === 'all');
    if (!everything || namespaces === 'all') rule.resources = entriesOf(boxes);
    if (namespaces !== 'all') rule.namespaces = sorted(namespaces);
  } else if (set.nonResource) {
    rule.nonResourceURLs = [
      ...sorted(set.nonResource.exact),
      ...set.nonResource.prefixes.map((p) => `${p}*`),
    ];
  }
  return rule;
}

/** One entry per group and resourceNames, holding the patterns of the boxes that share them. */
function entriesOf(boxes: readonly ResourceBox[]): GroupResources[] {
  const entries = new Map<string, { group: string; names?: string[]; patterns: string[]; whole: boolean }>();
  for (const box of boxes) {
    const names = box.names === 'all' ? undefined : sorted(box.names);
    const key = JSON.stringify([box.group, names ?? null]);
    let entry = entries.get(key);
    if (!entry) {
      entry = { group: box.group, patterns: [], whole: false, ...(names ? { names } : {}) };
      entries.set(key, entry);
    }
    // An entry without resources is the whole group (and ignores resourceNames).
    if (box.form.form === 'all' && !names) entry.whole = true;
    else entry.patterns.push(patternOf(box.form));
  }
  return [...entries.values()].map((entry) => {
    if (entry.whole) return { group: entry.group };
    const out: GroupResources = { group: entry.group, resources: entry.patterns };
    if (entry.names) out.resourceNames = entry.names;
    return out;
  });
}

// --- example requests -----------------------------------------------------------------------------

const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

const firstOf = (values: Values, fallback: string) =>
  values === 'all' ? fallback : (sorted(values)[0] ?? fallback);

/** A verb outside `taken`, a real one when there is one left. */
export function freshVerb(taken: { has(value: string): boolean }): string {
  return STANDARD_VERBS.find((v) => !taken.has(v)) ?? freshValue('other-verb', taken);
}

/** One group from each list, sharing groups between lists where it can. */
function groupsHitting(lists: MatchSet['groups'], avoid?: ReadonlySet<string>): string[] | undefined {
  const chosen: string[] = [];
  for (const list of lists) {
    if (chosen.some((g) => list.has(g))) continue;
    const pick = sorted(list).find((g) => !avoid?.has(g));
    if (pick === undefined) return undefined;
    chosen.push(pick);
  }
  return chosen;
}

function resourceRequestAt(
  base: RequestAttributes,
  namespace: string,
  point: ResourcePoint,
): RequestAttributes {
  return {
    user: base.user,
    groups: base.groups,
    verb: base.verb,
    resourceRequest: true,
    namespace,
    apiGroup: point.group,
    resource: point.resource,
    subresource: point.subresource,
    name: point.name,
  };
}

function nonResourceRequestAt(base: RequestAttributes, path: string): RequestAttributes {
  return { user: base.user, groups: base.groups, verb: base.verb, resourceRequest: false, path };
}

function pointOfBox(box: ResourceBox): ResourcePoint {
  const group = box.group === '*' ? '' : box.group;
  const name = box.names === 'all' ? '' : sorted(box.names)[0]!;
  const { form } = box;
  switch (form.form) {
    case 'all':
      return { group, resource: 'widgets', subresource: '', name };
    case 'resource':
    case 'resourceAndSubresources':
      return { group, resource: form.resource, subresource: '', name };
    case 'subresource':
      return { group, resource: form.resource, subresource: form.subresource, name };
    case 'subresourceOfAny':
      return { group, resource: 'widgets', subresource: form.subresource, name };
  }
}

function pathIn(part: PathPart): string {
  const exact = sorted(part.exact)[0];
  if (exact !== undefined) return exact;
  const prefix = part.prefixes[0]!;
  return prefix === '/' ? '/example' : prefix;
}

/** A path under `prefix` that `avoid` does not match (avoid has no prefix of `prefix`). */
function pathUnder(prefix: string, avoid: PathPart): string {
  for (const suffix of ['example', 'x', 'z', 'q', '0', '~', '_']) {
    if (!pathMatches(avoid, prefix + suffix)) return prefix + suffix;
  }
  // Only prefixes one character longer can catch prefix + c; there are finitely many of them.
  for (let code = 0x4e00; ; code++) {
    const path = prefix + String.fromCharCode(code);
    if (!pathMatches(avoid, path)) return path;
  }
}

/** A request in the set (which must not be empty), resource requests first. */
export function exampleIn(set: MatchSet, preferNonResource = false): RequestAttributes {
  const base: RequestAttributes = {
    user: firstOf(set.users, 'someone'),
    groups: groupsHitting(set.groups) ?? [],
    verb: firstOf(set.verbs, 'get'),
    resourceRequest: false,
  };
  if (set.resource && !(preferNonResource && set.nonResource)) {
    const namespace = firstOf(set.resource.namespaces, 'default');
    return resourceRequestAt(base, namespace, pointOfBox(set.resource.boxes[0]!));
  }
  return nonResourceRequestAt(base, pathIn(set.nonResource!));
}

/** A request that `a` matches and `b` does not, or undefined when M(a) ⊆ M(b). */
export function exampleOutside(a: MatchSet, b: MatchSet): RequestAttributes | undefined {
  if (isSubset(a, b)) return undefined;
  const base = exampleIn(a);
  if (!valuesSubset(a.users, b.users)) {
    const taken = b.users as ReadonlySet<string>;
    const user =
      a.users === 'all' ? freshValue('someone', taken) : sorted(a.users).find((u) => !taken.has(u))!;
    return { ...base, user };
  }
  if (!valuesSubset(a.verbs, b.verbs)) {
    const taken = b.verbs as ReadonlySet<string>;
    const verb = a.verbs === 'all' ? freshVerb(taken) : sorted(a.verbs).find((v) => !taken.has(v))!;
    return { ...base, verb };
  }
  const escaping = b.groups.find((m) => !a.groups.some((list) => valuesSubset(list, m)));
  if (escaping) return { ...base, groups: groupsHitting(a.groups, escaping) ?? [] };
  if (a.resource) {
    const part = a.resource;
    const request = exampleIn({ ...a, nonResource: undefined } as MatchSet);
    if (!b.resource) return request;
    if (!valuesSubset(part.namespaces, b.resource.namespaces)) {
      const taken = b.resource.namespaces as ReadonlySet<string>;
      const namespace =
        part.namespaces === 'all'
          ? freshValue('default', taken)
          : sorted(part.namespaces).find((n) => !taken.has(n))!;
      return { ...request, namespace };
    }
    const point = resourcePointOutside(part.boxes, b.resource.boxes);
    if (point) return resourceRequestAt(base, request.namespace ?? '', point);
  }
  if (a.nonResource) {
    const part = a.nonResource;
    if (!b.nonResource) return nonResourceRequestAt(base, pathIn(part));
    const exact = sorted(part.exact).find((e) => !pathMatches(b.nonResource!, e));
    if (exact !== undefined) return nonResourceRequestAt(base, exact);
    const prefix = part.prefixes.find((p) => !b.nonResource!.prefixes.some((q) => p.startsWith(q)));
    if (prefix !== undefined) return nonResourceRequestAt(base, pathUnder(prefix, b.nonResource));
  }
  return undefined;
}

// --- two rules ------------------------------------------------------------------------------------

export interface RuleRelation {
  /** equal, a ⊊ b (subset), a ⊋ b (superset), no request in both (disjoint), or neither (overlap). */
  relation: 'equal' | 'subset' | 'superset' | 'disjoint' | 'overlap';
  /** The requests both match, as a rule's selectors, when one rule can select exactly those. */
  intersection?: Omit<PolicyRule, 'level'>;
  /** Both match requests, but no single rule selects exactly them (different userGroups). */
  inexpressible?: boolean;
  /** A request of each part that is not empty. */
  examples: { both?: RequestAttributes; onlyA?: RequestAttributes; onlyB?: RequestAttributes };
}

/** How the match sets of two rules relate under checker.go, exactly. */
export function relateRules(a: PolicyRule, b: PolicyRule): RuleRelation {
  const setA = matchSetOf(a);
  const setB = matchSetOf(b);
  const both = intersectSets(setA, setB);
  const examples: RuleRelation['examples'] = {};
  const onlyA = isEmptySet(setA) ? undefined : exampleOutside(setA, setB);
  const onlyB = isEmptySet(setB) ? undefined : exampleOutside(setB, setA);
  if (onlyA) examples.onlyA = onlyA;
  if (onlyB) examples.onlyB = onlyB;
  if (isEmptySet(both)) return { relation: 'disjoint', examples };
  examples.both = exampleIn(both);
  const relation = !onlyA && !onlyB ? 'equal' : !onlyA ? 'subset' : !onlyB ? 'superset' : 'overlap';
  if (!isExpressible(both)) return { relation, inexpressible: true, examples };
  return { relation, intersection: selectorsOf(both), examples };
}
