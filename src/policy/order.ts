import { unionStages } from './evaluate.js';
import {
  boxMatches,
  freshValue,
  freshVerb,
  intersectSets,
  isEmptySet,
  isExpressible,
  isSubset,
  type MatchSet,
  matchSetOf,
  pathMatches,
  resourcePoints,
  selectorsOf,
  valuesHave,
} from './match-set.js';
import {
  LEVELS,
  type Level,
  type Policy,
  type PolicyRule,
  type RequestAttributes,
  STAGES,
  type Stage,
} from './types.js';

/**
 * Order-independent policies (issue 12): the rules that decide a request are the most specific of
 * those that match it (no other matching rule's match set is a strict subset of theirs); when they
 * disagree, `prefer` picks the outcome that records least (quiet), most (verbose), or refuses (none).
 * `orderPolicy` compiles that meaning into a first-match policy kube-apiserver runs unchanged.
 *
 * How: the request space is cut into cells, the classes of requests matched by the same rules
 * (each selector has finitely many classes: each value a rule names, and one value standing for all
 * the values no rule tells apart, so the cells are exact). Each cell's outcome follows from the meaning. A first-match order
 * is right when every cell's first rule has the cell's outcome; rules are placed one by one, each
 * only once every cell it would take first wants its outcome. Placing such a rule never blocks
 * another, so this finds an order whenever one exists. When none does (specificity and `prefer` pull
 * in a circle), the overlap of two rules is added as a rule of its own, placed where it decides.
 */

export type Prefer = 'quiet' | 'verbose' | 'none';
export const PREFERENCES: readonly Prefer[] = ['quiet', 'verbose', 'none'];

/** What kube-apiserver does with a request a rule decides. */
export interface Outcome {
  level: Level;
  /** The rule's omitStages with the policy's, sorted. */
  omitStages: readonly Stage[];
  /** The rule's value when set, else the policy's. */
  omitManagedFields: boolean;
}

export function outcomeOf(policy: Policy, rule: PolicyRule | undefined): Outcome {
  const inherited = policy.omitManagedFields === true;
  return {
    level: rule?.level ?? 'None',
    omitStages: unionStages(policy.omitStages ?? [], rule?.omitStages ?? []),
    omitManagedFields:
      rule?.omitManagedFields === undefined || rule.omitManagedFields === null
        ? inherited
        : rule.omitManagedFields,
  };
}

/** Equal keys, equal outcomes: at level None nothing is written, so all of them are one. */
export function outcomeKey(outcome: Outcome): string {
  if (outcome.level === 'None') return 'None';
  return `${outcome.level} omitStages=[${outcome.omitStages.join(',')}] omitManagedFields=${outcome.omitManagedFields}`;
}

const levelRank = (level: Level) => LEVELS.indexOf(level);

/**
 * Which of two different outcomes records less: 'a', 'b', or undefined when they cannot be ranked
 * (same level, stage sets not nested). Lower level first; at equal level the one whose omitted
 * stages include the other's; then the one that omits managedFields.
 */
export function quieterOf(a: Outcome, b: Outcome): 'a' | 'b' | undefined {
  if (outcomeKey(a) === outcomeKey(b)) return undefined;
  if (a.level !== b.level) return levelRank(a.level) < levelRank(b.level) ? 'a' : 'b';
  const aOmitsB = b.omitStages.every((s) => a.omitStages.includes(s));
  const bOmitsA = a.omitStages.every((s) => b.omitStages.includes(s));
  if (aOmitsB && !bOmitsA) return 'a';
  if (bOmitsA && !aOmitsB) return 'b';
  if (!aOmitsB && !bOmitsA) return undefined;
  return a.omitManagedFields ? 'a' : 'b';
}

/** The outcome `prefer` ranks above every other, or the two it cannot choose between. */
export function preferredOutcome(
  outcomes: readonly Outcome[],
  prefer: Prefer,
): { outcome: Outcome } | { tie: [Outcome, Outcome] } {
  const distinct = [...new Map(outcomes.map((o) => [outcomeKey(o), o])).values()];
  if (distinct.length === 1) return { outcome: distinct[0]! };
  if (prefer === 'none') return { tie: [distinct[0]!, distinct[1]!] };
  const wins = (a: Outcome, b: Outcome) => quieterOf(a, b) === (prefer === 'quiet' ? 'a' : 'b');
  const winner = distinct.find((w) => distinct.every((o) => o === w || wins(w, o)));
  if (winner) return { outcome: winner };
  // Two outcomes nothing beats, and neither beats the other.
  const unbeaten = distinct.filter((o) => !distinct.some((w) => w !== o && wins(w, o)));
  return { tie: [unbeaten[0]!, unbeaten[1] ?? distinct.find((o) => o !== unbeaten[0])!] };
}

// --- options and results --------------------------------------------------------------------------

export interface OrderOptions {
  prefer?: Prefer;
  /** Give up (a conflict, never a guess) past this many cell combinations. */
  cellBudget?: number;
}

export type OrderedRule =
  | { rule: PolicyRule; written: number }
  /** An added rule: the overlap of rules `of` (as written), at the outcome the meaning gives it. */
  | { rule: PolicyRule; overlapOf: [number, number] };

export interface OrderConflict {
  /**
   * tie: the most specific rules disagree and `prefer` cannot choose (none, or stage sets not nested);
   * inexpressible: the order needs the two rules' overlap as a rule and no rule can select it;
   * circle: no order and no overlap rule of two rules gives every request its outcome;
   * too-complex: the policy has more combinations than the exact check examines.
   */
  kind: 'tie' | 'inexpressible' | 'circle' | 'too-complex';
  /**
   * Indexes as written. For a circle or an inexpressible overlap, the first is the rule whose outcome
   * `request` should get and the second the rule it must come before.
   */
  rules: [number, number] | [];
  /** A request that shows the conflict. */
  request?: RequestAttributes;
  /** The outcomes of rules[0] and rules[1]. */
  outcomes?: [Outcome, Outcome];
  /** For a circle or an inexpressible overlap: the outcome the meaning gives `request`. */
  wanted?: Outcome;
}

export interface OrderResult {
  /** The rules in the order kube-apiserver should read them (empty when there are conflicts). */
  rules: OrderedRule[];
  /** The compiled Policy (same header as the input), when there are no conflicts. */
  policy?: Policy;
  /** Nothing moved and nothing was added. */
  unchanged: boolean;
  conflicts: OrderConflict[];
}

// --- the meaning, cell by cell ---------------------------------------------------------------------

interface Cell {
  /** Bit i: rule i matches the cell's requests. */
  rules: bigint;
  request: RequestAttributes;
  members: number[];
  /** Outcome key the meaning gives the cell, or undefined for a tie. */
  key?: string;
}

/** 1n << i, made once: BigInt arithmetic allocates, and this runs for every rule of every class. */
const BITS: bigint[] = [];
const bitOf = (i: number) => {
  for (let k = BITS.length; k <= i; k++) BITS.push(1n << BigInt(k));
  return BITS[i]!;
};

function indexesOf(bits: bigint): number[] {
  const out: number[] = [];
  for (let offset = 0; bits !== 0n; offset += 32, bits >>= 32n) {
    let word = Number(bits & 0xffffffffn);
    while (word !== 0) {
      const low = word & -word;
      out.push(offset + 31 - Math.clz32(low));
      word ^= low;
    }
  }
  return out;
}

class TooComplex extends Error {}

/**
 * Every combination of rules some request matches, each with one such request: first the classes of
 * what is asked for (namespace and resource, or path), then within each the users, verbs and groups
 * that tell its rules apart, keeping one representative per distinct set of rules at each step.
 * `budget` bounds the work; past it the answer would take too long, and TooComplex says so.
 */
function cellsOf(
  sets: readonly MatchSet[],
  budget: number,
): Array<{ rules: bigint; request: RequestAttributes }> {
  let work = 0;
  const spend = (n: number) => {
    work += n;
    if (work > budget) throw new TooComplex();
  };
  const live = sets.map((set) => !isEmptySet(set));

  const named = (pick: (set: MatchSet) => MatchSet['users']) => {
    const values = new Set<string>();
    for (const set of sets) {
      const v = pick(set);
      if (v !== 'all') for (const x of v) values.add(x);
    }
    return values;
  };
  // One value no rule names stands for every such value.
  const freshUser = freshValue(
    'someone',
    named((s) => s.users),
  );
  const freshVerbName = freshVerb(named((s) => s.verbs));

  // What is asked for: a namespace and a resource, or a path.
  const kinds = new Map<bigint, Omit<RequestAttributes, 'user' | 'groups' | 'verb'>>();
  const resourceSets = sets.map((set, i) => (live[i] ? set.resource : undefined));
  if (resourceSets.some(Boolean)) {
    const nsNames = new Set<string>();
    for (const part of resourceSets)
      if (part && part.namespaces !== 'all') for (const n of part.namespaces) nsNames.add(n);
    const namespaces = new Map<bigint, string>();
    for (const ns of [freshValue('default', nsNames), ...nsNames]) {
      spend(sets.length);
      let bits = 0n;
      resourceSets.forEach((part, i) => {
        if (part && valuesHave(part.namespaces, ns)) bits |= bitOf(i);
      });
      if (bits !== 0n && !namespaces.has(bits)) namespaces.set(bits, ns);
    }
    const points = new Map<bigint, ReturnType<typeof resourcePoints>[number]>();
    for (const point of resourcePoints(resourceSets.flatMap((part) => part?.boxes ?? []))) {
      spend(sets.length);
      let bits = 0n;
      resourceSets.forEach((part, i) => {
        if (part?.boxes.some((box) => boxMatches(box, point))) bits |= bitOf(i);
      });
      if (bits !== 0n && !points.has(bits)) points.set(bits, point);
    }
    for (const [nsBits, namespace] of namespaces) {
      for (const [pointBits, point] of points) {
        spend(1);
        const bits = nsBits & pointBits;
        if (bits !== 0n && !kinds.has(bits)) {
          kinds.set(bits, {
            resourceRequest: true,
            namespace,
            apiGroup: point.group,
            resource: point.resource,
            subresource: point.subresource,
            name: point.name,
          });
        }
      }
    }
  }
  const pathSets = sets.map((set, i) => (live[i] ? set.nonResource : undefined));
  if (pathSets.some(Boolean)) {
    for (const path of pathPoints(pathSets)) {
      spend(sets.length);
      let bits = 0n;
      pathSets.forEach((part, i) => {
        if (part && pathMatches(part, path)) bits |= bitOf(i);
      });
      if (bits !== 0n && !kinds.has(bits)) kinds.set(bits, { resourceRequest: false, path });
    }
  }

  // Then, for each class of what is asked for, the users, verbs and groups that tell its rules
  // apart: only the values those rules name (and one they do not) can.
  const byValue = (
    among: readonly number[],
    pick: (set: MatchSet) => MatchSet['users'],
    fresh: string,
  ): Array<[string, number[]]> => {
    const names = new Set<string>();
    for (const i of among) {
      const values = pick(sets[i]!);
      if (values !== 'all') for (const v of values) names.add(v);
    }
    const out = new Map<bigint, [string, number[]]>();
    // Lower-case values first, so that an example request reads as a real one ("list", not "LIST").
    const ordered = [...names].sort((a, b) => Number(a !== a.toLowerCase()) - Number(b !== b.toLowerCase()));
    for (const value of [fresh, ...ordered]) {
      spend(among.length);
      const kept = among.filter((i) => valuesHave(pick(sets[i]!), value));
      const bits = kept.reduce((acc, i) => acc | bitOf(i), 0n);
      if (bits !== 0n && !out.has(bits)) out.set(bits, [value, kept]);
    }
    return [...out.values()];
  };
  const cells = new Map<bigint, RequestAttributes>();
  for (const [kindBits, kind] of kinds) {
    for (const [user, byUser] of byValue(indexesOf(kindBits), (s) => s.users, freshUser)) {
      for (const [verb, byVerb] of byValue(byUser, (s) => s.verbs, freshVerbName)) {
        // A request's groups select the rules without userGroups and each rule whose list they hit
        // (input rules have at most one list): the classes are the unions of what each group selects.
        let base = 0n;
        const perGroup = new Map<string, bigint>();
        for (const i of byVerb) {
          const lists = sets[i]!.groups;
          if (lists.length === 0) base |= bitOf(i);
          for (const list of lists) for (const g of list) perGroup.set(g, (perGroup.get(g) ?? 0n) | bitOf(i));
        }
        const unions = new Map<bigint, string[]>([[base, []]]);
        const seen = new Set<bigint>();
        for (const [group, selected] of [...perGroup].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
          if (seen.has(selected)) continue;
          seen.add(selected);
          for (const [bits, list] of [...unions]) {
            spend(1);
            const union = bits | selected;
            if (!unions.has(union)) unions.set(union, [...list, group]);
          }
        }
        for (const [bits, groups] of unions) {
          if (bits !== 0n && !cells.has(bits))
            cells.set(bits, { user, groups, verb, ...kind } as RequestAttributes);
        }
      }
    }
  }
  return [...cells].map(([rules, request]) => ({ rules, request }));
}

/**
 * Paths standing for every class the rules' nonResourceURLs tell apart: each exact path and prefix,
 * and under each prefix (and under "/") one path that no longer prefix or exact path reaches.
 */
function pathPoints(
  parts: ReadonlyArray<{ exact: ReadonlySet<string>; prefixes: readonly string[] } | undefined>,
): string[] {
  const constants = new Set<string>();
  const prefixes = new Set<string>();
  for (const part of parts) {
    if (!part) continue;
    for (const e of part.exact) constants.add(e);
    for (const p of part.prefixes) {
      constants.add(p);
      prefixes.add(p);
    }
  }
  const points = new Set<string>([...constants].filter((c) => c.startsWith('/')));
  for (const root of [...prefixes, '/']) {
    const next = new Set<string>();
    for (const c of constants) if (c.length > root.length && c.startsWith(root)) next.add(c[root.length]!);
    // A next character no constant has there: finitely many are taken.
    let code = 'x'.charCodeAt(0);
    while (next.has(String.fromCharCode(code))) code++;
    points.add(root + String.fromCharCode(code));
  }
  return [...points];
}

// --- compiling ------------------------------------------------------------------------------------

/** The most-specific meaning of a policy, cell by cell. */
interface Meaning {
  sets: MatchSet[];
  outcomes: Outcome[];
  keys: string[];
  outcomeByKey: Map<string, Outcome>;
  cells: Cell[];
  /** Per cell: the rules that decide it (the most specific of its rules). */
  deciding: number[][];
  /** strictlyInside[j][i]: rule j's match set is a strict subset of rule i's. */
  strictlyInside: boolean[][];
  ties: OrderConflict[];
}

function meaningOf(policy: Policy, options: OrderOptions): Meaning | undefined {
  const prefer = options.prefer ?? 'quiet';
  const rules = policy.rules ?? [];
  const sets = rules.map(matchSetOf);
  const outcomes = rules.map((rule) => outcomeOf(policy, rule));
  const keys = outcomes.map(outcomeKey);
  const n = rules.length;

  // Strictly more specific rules, by the exact subset relation.
  const subset: boolean[][] = sets.map(() => new Array<boolean>(n).fill(false));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (i !== j) subset[i]![j] = isSubset(sets[i]!, sets[j]!);
  /** strictlyInside[j][i]: rule j's match set is a strict subset of rule i's. */
  const strictlyInside = subset.map((row, j) => row.map((inside, i) => inside && !subset[i]![j]));

  let raw: Array<{ rules: bigint; request: RequestAttributes }>;
  try {
    raw = cellsOf(sets, options.cellBudget ?? 4_000_000);
  } catch (error) {
    if (!(error instanceof TooComplex)) throw error;
    return undefined;
  }

  const ties: OrderConflict[] = [];
  const tiePairs = new Set<string>();
  const outcomeByKey = new Map(outcomes.map((o, i) => [keys[i]!, o]));
  const decidingOf: number[][] = [];
  const cells: Cell[] = raw.map(({ rules: bits, request }) => {
    const members = indexesOf(bits);
    const deciding = members.filter((i) => !members.some((j) => strictlyInside[j]![i]));
    decidingOf.push(deciding);
    const decision = preferredOutcome(
      deciding.map((i) => outcomes[i]!),
      prefer,
    );
    if ('outcome' in decision) return { rules: bits, request, members, key: outcomeKey(decision.outcome) };
    const [x, y] = decision.tie;
    const a = deciding.find((i) => keys[i] === outcomeKey(x))!;
    const b = deciding.find((i) => keys[i] === outcomeKey(y))!;
    const pair = [Math.min(a, b), Math.max(a, b)] as [number, number];
    if (!tiePairs.has(pair.join())) {
      tiePairs.add(pair.join());
      ties.push({ kind: 'tie', rules: pair, request, outcomes: [outcomes[pair[0]]!, outcomes[pair[1]]!] });
    }
    return { rules: bits, request, members };
  });
  return {
    sets,
    outcomes,
    keys,
    outcomeByKey,
    cells,
    deciding: decidingOf,
    strictlyInside,
    ties: sortConflicts(ties),
  };
}

/** Where the first match as written and the most-specific meaning part: one per pair of rules. */
export interface FirstMatchDifference {
  /** The rule written above that takes the requests first. */
  first: number;
  /** A most specific rule whose outcome the meaning gives them, written below `first`. */
  decider: number;
  /**
   * Why `first` does not decide them: `narrower`, the decider lies strictly inside it; `prefer`, the
   * two are equally specific and --prefer ranks the decider's outcome above; `inside`, another rule
   * (`inside`) lies strictly inside `first` and the most specific rules give the decider's outcome.
   */
  reason: 'narrower' | 'prefer' | 'inside';
  inside?: number;
  request: RequestAttributes;
  /** The outcome as written, and the one the meaning gives. */
  written: Outcome;
  meant: Outcome;
}

/**
 * The requests the written order gives another outcome than the most specific rules would (with
 * `prefer`), as pairs of rules with an example; requests the meaning cannot decide are left out.
 * Undefined when the policy is too complex to check exactly.
 */
export function firstMatchDifferences(
  policy: Policy,
  options: OrderOptions = {},
): FirstMatchDifference[] | undefined {
  const meaning = meaningOf(policy, options);
  if (!meaning) return undefined;
  const { cells, keys, outcomes, outcomeByKey, strictlyInside } = meaning;
  const found = new Map<string, FirstMatchDifference>();
  cells.forEach((cell, c) => {
    const first = cell.members[0]!;
    if (cell.key === undefined || keys[first] === cell.key) return;
    const deciding = meaning.deciding[c]!;
    const wanted = deciding.filter((i) => keys[i] === cell.key);
    // Name the rule that makes the point best: one inside the first match, if there is one.
    const decider = wanted.find((i) => strictlyInside[i]![first]) ?? wanted[0]!;
    const id = `${first},${decider}`;
    if (found.has(id)) return;
    const difference: FirstMatchDifference = {
      first,
      decider,
      reason: strictlyInside[decider]![first] ? 'narrower' : deciding.includes(first) ? 'prefer' : 'inside',
      request: cell.request,
      written: outcomes[first]!,
      meant: outcomeByKey.get(cell.key)!,
    };
    if (difference.reason === 'inside')
      difference.inside = cell.members.find((i) => strictlyInside[i]![first]);
    found.set(id, difference);
  });
  return [...found.values()].sort((x, y) => x.decider - y.decider || x.first - y.first);
}

/** Compile the most-specific meaning of `policy` into a first-match order. */
export function orderPolicy(policy: Policy, options: OrderOptions = {}): OrderResult {
  const rules = policy.rules ?? [];
  const meaning = meaningOf(policy, options);
  if (!meaning) return { rules: [], unchanged: false, conflicts: [{ kind: 'too-complex', rules: [] }] };
  const { sets, outcomes, keys, outcomeByKey, cells, ties } = meaning;
  if (ties.length > 0) return { rules: [], unchanged: false, conflicts: ties };

  const placement = place(cells, keys, sets);
  if ('conflicts' in placement) {
    const found = placement.conflicts.map(({ kind, rules: pair, request, wantedKey }): OrderConflict => {
      const conflict: OrderConflict = {
        kind,
        rules: pair,
        request,
        outcomes: [outcomes[pair[0]]!, outcomes[pair[1]]!],
      };
      const wanted = wantedKey === undefined ? undefined : outcomeByKey.get(wantedKey);
      if (wanted) conflict.wanted = wanted;
      return conflict;
    });
    return { rules: [], unchanged: false, conflicts: found };
  }

  const ordered: OrderedRule[] = placement.steps.map((step) => {
    if ('written' in step) return { rule: rules[step.written]!, written: step.written };
    const outcome = outcomeByKey.get(step.key) ?? { level: 'None', omitStages: [], omitManagedFields: false };
    return { rule: overlapRule(policy, step.set, outcome), overlapOf: step.of };
  });
  const unchanged = ordered.every((entry, i) => 'written' in entry && entry.written === i);
  const out: Policy = { apiVersion: policy.apiVersion, kind: policy.kind, rules: ordered.map((e) => e.rule) };
  if (policy.omitStages) out.omitStages = policy.omitStages;
  if (policy.omitManagedFields !== undefined) out.omitManagedFields = policy.omitManagedFields;
  return { rules: ordered, policy: out, unchanged, conflicts: [] };
}

function sortConflicts(conflicts: OrderConflict[]): OrderConflict[] {
  return conflicts.sort(
    (a, b) => (a.rules[0] ?? 0) - (b.rules[0] ?? 0) || (a.rules[1] ?? 0) - (b.rules[1] ?? 0),
  );
}

/** The overlap rule: the selectors of the intersection, at the outcome it must have. */
function overlapRule(policy: Policy, set: MatchSet, outcome: Outcome): PolicyRule {
  const rule: PolicyRule = { level: outcome.level, ...selectorsOf(set) };
  if (outcome.level === 'None') return rule;
  const policyStages = policy.omitStages ?? [];
  const own = STAGES.filter((s) => outcome.omitStages.includes(s) && !policyStages.includes(s));
  if (own.length > 0) rule.omitStages = own;
  if (outcome.omitManagedFields !== (policy.omitManagedFields === true))
    rule.omitManagedFields = outcome.omitManagedFields;
  return rule;
}

/** A conflict found while placing rules; `wantedKey` is the outcome key the request should get. */
interface Stuck {
  kind: 'inexpressible' | 'circle';
  rules: [number, number];
  request: RequestAttributes;
  wantedKey?: string | undefined;
}

type Step = { written: number } | { of: [number, number]; set: MatchSet; key: string };

/** Placement state: which cells some placed rule already takes, and what still blocks each rule. */
interface State {
  placed: boolean[];
  decided: boolean[];
  /** Cells a rule would take first whose outcome is not the rule's. */
  blocking: number[];
}

function place(
  cells: readonly Cell[],
  keys: readonly string[],
  sets: readonly MatchSet[],
): { steps: Step[] } | { conflicts: Stuck[] } {
  const n = keys.length;
  const cellsOfRule: number[][] = keys.map(() => []);
  cells.forEach((cell, c) => {
    for (const i of cell.members) cellsOfRule[i]!.push(c);
  });
  const state: State = {
    placed: new Array(n).fill(false),
    decided: new Array(cells.length).fill(false),
    blocking: keys.map((key, i) => cellsOfRule[i]!.filter((c) => cells[c]!.key !== key).length),
  };
  const decide = (s: State, c: number) => {
    s.decided[c] = true;
    const cell = cells[c]!;
    for (const j of cell.members) if (!s.placed[j] && keys[j] !== cell.key) s.blocking[j]!--;
  };
  const placeRule = (s: State, i: number) => {
    s.placed[i] = true;
    for (const c of cellsOfRule[i]!) if (!s.decided[c]) decide(s, c);
  };
  /** Place every rule that can go now, lowest written index first; returns what was placed. */
  const drain = (s: State): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; ) {
      if (!s.placed[i] && s.blocking[i] === 0) {
        placeRule(s, i);
        out.push(i);
        i = 0;
      } else i++;
    }
    return out;
  };
  /**
   * How many rules could be placed after deciding `decided` cells, found without keeping anything:
   * every change is logged and undone (this runs for each candidate overlap).
   */
  const progressAfter = (decidedCells: readonly number[]): number => {
    const s = state;
    const undoCells: number[] = [];
    const undoBlocks: number[] = [];
    const undoPlaced: number[] = [];
    const ready: number[] = [];
    const decideLogged = (c: number) => {
      s.decided[c] = true;
      undoCells.push(c);
      const cell = cells[c]!;
      for (const j of cell.members) {
        if (s.placed[j] || keys[j] === cell.key) continue;
        s.blocking[j]!--;
        undoBlocks.push(j);
        if (s.blocking[j] === 0) ready.push(j);
      }
    };
    for (const c of decidedCells) if (!s.decided[c]) decideLogged(c);
    let placedCount = 0;
    while (ready.length > 0) {
      const i = ready.pop()!;
      if (s.placed[i]) continue;
      s.placed[i] = true;
      undoPlaced.push(i);
      placedCount++;
      for (const c of cellsOfRule[i]!) if (!s.decided[c]) decideLogged(c);
    }
    for (const j of undoBlocks) s.blocking[j]!++;
    for (const c of undoCells) s.decided[c] = false;
    for (const i of undoPlaced) s.placed[i] = false;
    return placedCount;
  };

  // Each pair of rules that overlap, with the cells of their overlap; and their intersections.
  const pairs = new Map<number, { of: [number, number]; cells: number[] }>();
  cells.forEach((cell, c) => {
    const { members } = cell;
    for (let x = 0; x < members.length; x++)
      for (let y = x + 1; y < members.length; y++) {
        const id = members[x]! * n + members[y]!;
        let pair = pairs.get(id);
        if (!pair) {
          pair = { of: [members[x]!, members[y]!], cells: [] };
          pairs.set(id, pair);
        }
        pair.cells.push(c);
      }
  });
  const intersections = new Map<number, MatchSet>();

  const steps: Step[] = [];
  for (;;) {
    for (const i of drain(state)) steps.push({ written: i });
    if (state.placed.every(Boolean)) return { steps };

    // Stuck: every rule left would take some request first at an outcome not its own. Look for the
    // overlap of two of them whose undecided requests all want one outcome.
    const inexpressible: Array<{ of: [number, number]; cell: number }> = [];
    const candidates: Array<{
      of: [number, number];
      key: string;
      cells: number[];
      set: MatchSet;
      unblocks: number;
    }> = [];
    // Only an overlap holding a cell that blocks a rule can help: the pairs of such cells.
    const useful = new Set<number>();
    cells.forEach((cell, c) => {
      if (state.decided[c]) return;
      const open = cell.members.filter((i) => !state.placed[i]);
      if (!open.some((i) => keys[i] !== cell.key)) return;
      for (let a = 0; a < open.length; a++)
        for (let b = a + 1; b < open.length; b++) useful.add(open[a]! * n + open[b]!);
    });
    for (const id of useful) {
      const pair = pairs.get(id)!;
      const [x, y] = pair.of;
      const open = pair.cells.filter((c) => !state.decided[c]);
      const key = cells[open[0] ?? 0]!.key;
      if (open.length === 0 || key === undefined || open.some((c) => cells[c]!.key !== key)) continue;
      // Useless unless it lifts a block: some cell it decides is one a rule left is blocked by.
      const lifts = open.filter((c) => cells[c]!.members.some((i) => !state.placed[i] && keys[i] !== key));
      if (lifts.length === 0) continue;
      let set = intersections.get(id);
      if (set === undefined) {
        set = intersectSets(sets[x]!, sets[y]!);
        intersections.set(id, set);
      }
      if (!isExpressible(set)) {
        inexpressible.push({ of: pair.of, cell: open[0]! });
        continue;
      }
      // Rules whose every blocking cell this overlap decides.
      const lifted = new Map<number, number>();
      for (const c of lifts)
        for (const i of cells[c]!.members)
          if (!state.placed[i] && keys[i] !== key) lifted.set(i, (lifted.get(i) ?? 0) + 1);
      const unblocks = [...lifted].filter(([i, count]) => count === state.blocking[i]).length;
      candidates.push({ of: pair.of, key, cells: open, set, unblocks });
    }
    if (candidates.length === 0) return { conflicts: stuckConflicts(cells, keys, state, inexpressible) };

    // The overlap that lets the most rules be placed, among the most promising ones.
    candidates.sort((a, b) => b.unblocks - a.unblocks || a.of[0] - b.of[0] || a.of[1] - b.of[1]);
    let best = candidates[0]!;
    let bestProgress = -1;
    for (const candidate of candidates.slice(0, 24)) {
      const progress = progressAfter(candidate.cells);
      if (progress > bestProgress) {
        best = candidate;
        bestProgress = progress;
      }
    }
    steps.push({ of: best.of, set: best.set, key: best.key });
    for (const c of best.cells) if (!state.decided[c]) decide(state, c);
  }
}

/**
 * The rules that wait on each other with no overlap rule to settle them: for each rule left that
 * waits on a rule which (directly or not) waits on it, the pair and a request between them.
 */
function stuckConflicts(
  cells: readonly Cell[],
  keys: readonly string[],
  state: State,
  inexpressible: ReadonlyArray<{ of: [number, number]; cell: number }>,
): Stuck[] {
  const n = keys.length;
  // waits[x]: rules with the outcome a cell blocking x wants, each with that cell.
  const waits = new Map<number, Map<number, number>>();
  cells.forEach((cell, c) => {
    if (state.decided[c]) return;
    for (const x of cell.members) {
      if (state.placed[x] || keys[x] === cell.key) continue;
      const edges = waits.get(x) ?? new Map<number, number>();
      for (const y of cell.members)
        if (y !== x && !state.placed[y] && keys[y] === cell.key && !edges.has(y)) edges.set(y, c);
      waits.set(x, edges);
    }
  });
  const reaches = (from: number, to: number): boolean => {
    const seen = new Set<number>([from]);
    const stack = [from];
    while (stack.length > 0) {
      const x = stack.pop()!;
      for (const y of waits.get(x)?.keys() ?? []) {
        if (y === to) return true;
        if (!seen.has(y)) {
          seen.add(y);
          stack.push(y);
        }
      }
    }
    return false;
  };
  const out: Stuck[] = [];
  const seen = new Set<string>();
  const inexpressibleIds = new Map(inexpressible.map((e) => [e.of.join(), e.cell]));
  for (let x = 0; x < n; x++) {
    for (const [y, c] of waits.get(x) ?? []) {
      if (!reaches(y, x)) continue;
      const id = [Math.min(x, y), Math.max(x, y)].join();
      if (seen.has(id)) continue;
      seen.add(id);
      const cell = inexpressibleIds.get(id);
      const at = cells[cell ?? c]!;
      // y first: the request wants y's outcome, and x waits on y for it.
      out.push({
        kind: cell === undefined ? 'circle' : 'inexpressible',
        rules: [y, x],
        request: at.request,
        wantedKey: at.key,
      });
    }
  }
  // An overlap no rule can express is why no overlap rule was added: name those alone when there are.
  const unwritable = out.filter((c) => c.kind === 'inexpressible');
  return unwritable.length > 0 ? unwritable : out;
}
