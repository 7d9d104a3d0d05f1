import { resourcePatternMatches } from './evaluate.js';
import type { PolicyRule } from './types.js';

/**
 * Sound reasoning about which requests a rule can match, for lint. A Region is the set of requests a
 * rule matches under checker.go's semantics, kept as a product of per-selector lists. `coverage`
 * answers "does every request in this region match one of these earlier rules?" by splitting the
 * region into cells (one user × one group × one verb × ... × one resource pattern) and finding, for
 * each cell, one earlier rule whose every selector contains it. A selector left open ("any") can only
 * be contained by another open selector, since the set of users, verbs, namespaces... is unbounded.
 * "Covered" is therefore never claimed wrongly; rare unions it cannot see are simply not reported.
 */

export interface ResourceAtom {
  /** `""` core, `*` every group (1.36+). */
  group: string;
  /** A `resources` entry pattern (`pods`, `pods/log`, `*`, `*\/scale`, `pods/*`), or null: every resource. */
  pattern: string | null;
  /** resourceNames; undefined: any name. Ignored when pattern is null (checker.go). */
  names?: readonly string[] | undefined;
}

export interface Region {
  /** `any`: a rule without resources, namespaces or nonResourceURLs matches both kinds of request. */
  kind: 'any' | 'resource' | 'nonResource';
  /** undefined: any value. */
  users?: readonly string[] | undefined;
  /** Any-of the request's groups; undefined: any request, even one without groups. */
  groups?: readonly string[] | undefined;
  verbs?: readonly string[] | undefined;
  namespaces?: readonly string[] | undefined;
  resources?: readonly ResourceAtom[] | undefined;
  /** nonResourceURLs specs. */
  paths?: readonly string[] | undefined;
}

const nonEmpty = (values: readonly string[] | undefined) =>
  values && values.length > 0 ? values : undefined;

export function regionOfRule(rule: PolicyRule): Region {
  const common = {
    users: nonEmpty(rule.users),
    groups: nonEmpty(rule.userGroups),
    verbs: nonEmpty(rule.verbs),
  };
  const resources = rule.resources ?? [];
  if ((rule.namespaces ?? []).length > 0 || resources.length > 0) {
    const atoms: ResourceAtom[] = [];
    for (const entry of resources) {
      const group = entry.group ?? '';
      const patterns = entry.resources ?? [];
      if (patterns.length === 0) atoms.push({ group, pattern: null });
      else
        for (const pattern of patterns) atoms.push({ group, pattern, names: nonEmpty(entry.resourceNames) });
    }
    return {
      kind: 'resource',
      ...common,
      namespaces: nonEmpty(rule.namespaces),
      resources: atoms.length > 0 ? atoms : undefined,
    };
  }
  if ((rule.nonResourceURLs ?? []).length > 0)
    return { kind: 'nonResource', ...common, paths: rule.nonResourceURLs };
  return { kind: 'any', ...common };
}

/** A rule that matches every request. */
export function isUniversal(region: Region): boolean {
  return region.kind === 'any' && !region.users && !region.groups && !region.verbs;
}

export interface Coverage {
  covered: boolean;
  /** When covered: the earlier regions (indexes) that take the region's requests, ascending. */
  by: number[];
}

const ANY = Symbol('any');
type Atom<T> = T | typeof ANY;

interface Dimension {
  atoms: unknown[];
  covers(earlier: Region, atom: unknown): boolean;
}

/** Give up (answer "not covered", which is always safe) beyond this many cells. */
const CELL_LIMIT = 200_000;

export function coverage(target: Region, earlier: readonly Region[]): Coverage {
  const by = new Set<number>();
  const pieces: Region[] =
    target.kind === 'any'
      ? [
          { ...target, kind: 'resource' },
          { ...target, kind: 'nonResource' },
        ]
      : [target];
  const budget = { cells: 0 };
  for (const piece of pieces) {
    const candidates = earlier
      .map((region, index) => ({ region, index }))
      .filter(({ region }) => region.kind === 'any' || region.kind === piece.kind);
    if (!coverCells(dimensionsOf(piece), 0, candidates, by, budget)) return { covered: false, by: [] };
  }
  return { covered: true, by: [...by].sort((a, b) => a - b) };
}

function coverCells(
  dimensions: Dimension[],
  depth: number,
  candidates: Array<{ region: Region; index: number }>,
  by: Set<number>,
  budget: { cells: number },
): boolean {
  if (candidates.length === 0) return false;
  if (depth === dimensions.length) {
    if (++budget.cells > CELL_LIMIT) return false;
    by.add(candidates[0]!.index);
    return true;
  }
  const dimension = dimensions[depth]!;
  for (const atom of dimension.atoms) {
    const remaining = candidates.filter(({ region }) => dimension.covers(region, atom));
    if (!coverCells(dimensions, depth + 1, remaining, by, budget)) return false;
  }
  return true;
}

function listDimension(
  values: readonly string[] | undefined,
  pick: (r: Region) => readonly string[] | undefined,
) {
  return {
    atoms: values ? [...values] : [ANY],
    covers: (earlier: Region, atom: unknown) => {
      const list = pick(earlier);
      return list === undefined || (atom !== ANY && list.includes(atom as string));
    },
  };
}

interface ResourceCell {
  group: string;
  pattern: string | null;
  name: Atom<string>;
}

function dimensionsOf(piece: Region): Dimension[] {
  const dimensions: Dimension[] = [
    listDimension(piece.users, (r) => r.users),
    listDimension(piece.groups, (r) => r.groups),
    listDimension(piece.verbs, (r) => r.verbs),
  ];
  if (piece.kind === 'resource') {
    dimensions.push(listDimension(piece.namespaces, (r) => r.namespaces));
    const cells: Array<ResourceCell | typeof ANY> = [];
    if (!piece.resources) cells.push(ANY);
    else {
      for (const atom of piece.resources) {
        if (atom.pattern === null || !atom.names)
          cells.push({ group: atom.group, pattern: atom.pattern, name: ANY });
        else for (const name of atom.names) cells.push({ group: atom.group, pattern: atom.pattern, name });
      }
    }
    dimensions.push({
      atoms: cells,
      covers: (earlier, cell) => {
        if (!earlier.resources) return true;
        return earlier.resources.some((e) => resourceAtomCovers(e, cell as ResourceCell | typeof ANY));
      },
    });
  } else {
    dimensions.push({
      atoms: piece.paths ? [...piece.paths] : [ANY],
      covers: (earlier, spec) => {
        if (!earlier.paths) return true;
        return earlier.paths.some((e) => pathSpecCovers(e, spec as Atom<string>));
      },
    });
  }
  return dimensions;
}

function resourceAtomCovers(e: ResourceAtom, cell: ResourceCell | typeof ANY): boolean {
  if (cell === ANY) {
    // Every request of every group: only group "*" with every resource and any name.
    return e.group === '*' && (e.pattern === null || (e.pattern === '*' && !e.names));
  }
  if (e.group !== '*' && e.group !== cell.group) return false;
  if (e.pattern === null) return true;
  if (e.names && (cell.name === ANY || !e.names.includes(cell.name))) return false;
  return patternCovers(e.pattern, cell.pattern);
}

/** Whether every (resource, subresource) matched by `inner` is matched by `outer` (checker.go forms). */
export function patternCovers(outer: string, inner: string | null): boolean {
  if (outer === '*') return true;
  if (inner === null) return false;
  if (outer === inner) return true;
  const parts = inner.split('/');
  if (parts.length === 1) return inner !== '*' && outer === `${inner}/*`;
  if (parts.length === 2) {
    const [resource, subresource] = parts as [string, string];
    if (resource === '*' || subresource === '*') return false;
    return outer === `*/${subresource}` || outer === `${resource}/*`;
  }
  return false;
}

/** Whether every path matched by nonResourceURLs spec `inner` is matched by `outer` (pathMatches). */
export function pathSpecCovers(outer: string, inner: Atom<string>): boolean {
  if (outer === '*') return true;
  if (inner === ANY || inner === '*') return false;
  if (outer === inner) return true;
  if (!outer.endsWith('*')) return false;
  const prefix = outer.replace(/\*+$/, '');
  const innerPrefix = inner.endsWith('*') ? inner.replace(/\*+$/, '') : inner;
  return innerPrefix.startsWith(prefix);
}

/** Does a resource-entry atom match the concrete (group, resource, subresource)? checker.go semantics. */
export function atomMatchesResource(
  atom: ResourceAtom,
  group: string,
  resource: string,
  subresource: string,
): boolean {
  if (atom.group !== '*' && atom.group !== group) return false;
  return atom.pattern === null || resourcePatternMatches(atom.pattern, resource, subresource);
}

/**
 * The part of a region that concerns the given concrete resources (and verbs, when given): what a
 * rule would do to, say, secrets. undefined when the rule cannot match any of them.
 */
export function restrictRegion(
  region: Region,
  targets: ReadonlyArray<{ group: string; resource: string; subresource?: string }>,
  verbs?: readonly string[],
): Region | undefined {
  if (region.kind === 'nonResource') return undefined;
  let restrictedVerbs = region.verbs;
  if (verbs) {
    restrictedVerbs = region.verbs ? region.verbs.filter((v) => verbs.includes(v)) : [...verbs];
    if (restrictedVerbs.length === 0) return undefined;
  }
  const atoms: ResourceAtom[] = [];
  for (const target of targets) {
    const subresource = target.subresource ?? '';
    const pattern = subresource === '' ? target.resource : `${target.resource}/${subresource}`;
    if (!region.resources) {
      atoms.push({ group: target.group, pattern });
      continue;
    }
    for (const atom of region.resources) {
      if (!atomMatchesResource(atom, target.group, target.resource, subresource)) continue;
      atoms.push({ group: target.group, pattern, names: atom.pattern === null ? undefined : atom.names });
    }
  }
  if (atoms.length === 0) return undefined;
  return { ...region, kind: 'resource', verbs: restrictedVerbs, resources: atoms };
}
