import type { PolicyEvaluator } from '../policy/evaluate.js';
import { requestFromEvent } from '../policy/event-request.js';
import { LEVELS, type Level, type PolicyRule, type RequestAttributes, STAGES } from '../policy/types.js';
import type { AuditEventFields, AuditRecord } from './audit-event.js';
import { isLowerBound, writtenBytes } from './size-model.js';

/**
 * The simulate aggregation, pure: feed it every event of a log with `add`, then read `result`. For
 * each policy it counts what kube-apiserver would write (events, bytes, per level, per rule, per user,
 * per resource) and, for every policy after the first, what it drops that the first one kept.
 * Memory is bounded: per-user and per-resource tallies stop taking new names after MAX_KEYS.
 */

/** Distinct users / resources tallied per policy; later ones are counted under OTHER. */
export const MAX_KEYS = 20_000;
export const OTHER = '(others)';
export const TOP = 10;
/** A shorter input says too little about a day to project from it. */
export const MIN_SPAN_SECONDS = 60;
/** Nor do fewer events: a count of n varies by about 1/√n, and a day multiplies the error. */
export const MIN_EVENTS = 100;

export interface PolicyUnderTest {
  /** How the user named it: basic, gce, or a path. */
  name: string;
  evaluator: PolicyEvaluator;
  rules: readonly PolicyRule[];
  /** The policy-level omitStages. */
  omitStages?: readonly string[];
  /** Whether the policy or any rule sets omitManagedFields (then the reader measures them). */
  omitsManagedFields?: boolean;
}

export interface Tally {
  events: number;
  bytes: number;
}

export interface LevelTally extends Tally {
  /** Input events the policy gives this level (what `explain --events` reports), written or not. */
  matched: number;
}

export interface RuleTally extends LevelTally {
  /** Index in the policy's rules, or null for requests no rule matched (level None). */
  rule: number | null;
  label: string;
  level: Level;
}

export interface UserTally extends Tally {
  user: string;
}
export interface ResourceTally extends Tally {
  resource: string;
}

export interface PolicyResult extends Tally {
  policy: string;
  byLevel: Record<Level, LevelTally>;
  byRule: RuleTally[];
  topUsers: UserTally[];
  topResources: ResourceTally[];
  /** Projected from the input's time span; null when there is too little to project from (see projectionGap). */
  perDay: Tally | null;
  /** Written events whose input was recorded below the policy's level: bodies missing, bytes a floor. */
  lowerBound: Tally;
}

export interface Comparison {
  /** The first policy, and the one compared with it. */
  from: string;
  to: string;
  /** Events the first policy writes and this one does not. */
  dropped: Tally & { topResources: ResourceTally[]; topUsers: UserTally[] };
  /** Events this policy writes and the first does not. */
  added: Tally;
  /** Events both write, where this one writes fewer bytes (bodies or managedFields dropped). */
  smaller: Tally;
}

export interface InputStats {
  events: number;
  /** Earliest requestReceivedTimestamp and latest stageTimestamp (RFC 3339), when present. */
  from: string | null;
  to: string | null;
  spanSeconds: number | null;
  /** Events per recorded level, and per stage, in the input. */
  recordedLevels: Partial<Record<Level, number>>;
  stages: Record<string, number>;
}

export interface SimulationResult {
  input: InputStats;
  policies: PolicyResult[];
  comparisons: Comparison[];
  notes: string[];
}

/**
 * A copy of `text` that does not keep alive a string it may have been sliced from (JSON.parse of a
 * whole line can return slices of it): for names kept in maps for the whole run.
 */
export function detach(text: string): string {
  return ` ${text}`.slice(1);
}

class KeyedTally {
  readonly map = new Map<string, Tally>();
  add(key: string, bytes: number): void {
    let tally = this.map.get(key);
    if (tally === undefined) {
      const name = this.map.size >= MAX_KEYS ? OTHER : detach(key);
      tally = this.map.get(name);
      if (tally === undefined) {
        tally = { events: 0, bytes: 0 };
        this.map.set(name, tally);
      }
    }
    tally.events++;
    tally.bytes += bytes;
  }
  merge(entries: ReadonlyArray<readonly [string, Tally]>): void {
    for (const [key, t] of entries) {
      let tally = this.map.get(key);
      if (tally === undefined) {
        const name = this.map.size >= MAX_KEYS ? OTHER : key;
        tally = this.map.get(name);
        if (tally === undefined) {
          tally = { events: 0, bytes: 0 };
          this.map.set(name, tally);
        }
      }
      tally.events += t.events;
      tally.bytes += t.bytes;
    }
  }
  entries(): Array<[string, Tally]> {
    return [...this.map];
  }
  top(n: number): Array<[string, Tally]> {
    return [...this.map]
      .sort((a, b) => b[1].bytes - a[1].bytes || b[1].events - a[1].events || (a[0] < b[0] ? -1 : 1))
      .slice(0, n);
  }
}

class PolicyState {
  events = 0;
  bytes = 0;
  readonly byLevel = new Map<Level, LevelTally>(LEVELS.map((l) => [l, { matched: 0, events: 0, bytes: 0 }]));
  /** Index rules.length is "no rule matched". */
  readonly byRule: LevelTally[];
  readonly users = new KeyedTally();
  readonly resources = new KeyedTally();
  readonly lowerBound: Tally = { events: 0, bytes: 0 };
  constructor(readonly subject: PolicyUnderTest) {
    this.byRule = Array.from({ length: subject.rules.length + 1 }, () => ({
      matched: 0,
      events: 0,
      bytes: 0,
    }));
  }
}

class ComparisonState {
  readonly dropped = { events: 0, bytes: 0 };
  readonly droppedResources = new KeyedTally();
  readonly droppedUsers = new KeyedTally();
  readonly added = { events: 0, bytes: 0 };
  readonly smaller = { events: 0, bytes: 0 };
}

/** Everything a Simulation has counted, as plain data: what a worker thread sends back to be merged. */
export interface SimulationState {
  events: number;
  from: string | null;
  to: string | null;
  fromMs: number;
  toMs: number;
  recordedLevels: Array<[string, number]>;
  stages: Array<[string, number]>;
  policies: Array<{
    events: number;
    bytes: number;
    byLevel: Array<[Level, LevelTally]>;
    byRule: LevelTally[];
    users: Array<[string, Tally]>;
    resources: Array<[string, Tally]>;
    lowerBound: Tally;
  }>;
  comparisons: Array<{
    dropped: Tally;
    droppedResources: Array<[string, Tally]>;
    droppedUsers: Array<[string, Tally]>;
    added: Tally;
    smaller: Tally;
  }>;
}

const addTally = (into: Tally, from: Tally): void => {
  into.events += from.events;
  into.bytes += from.bytes;
};

export class Simulation {
  private readonly states: PolicyState[];
  private readonly comparisons: ComparisonState[];
  private readonly written: number[];
  private events = 0;
  private from: string | null = null;
  private to: string | null = null;
  private fromMs = Number.POSITIVE_INFINITY;
  private toMs = Number.NEGATIVE_INFINITY;
  private readonly recordedLevels = new Counts();
  private readonly stages = new Counts();
  private readonly times = new TimestampParser();
  private readonly resourceKeys = new ResourceKeys();
  /** The request of the event being added, rewritten for each (requestFromEvent's `into`). */
  private readonly request: RequestAttributes = {
    user: '',
    groups: [],
    verb: '',
    resourceRequest: false,
    path: undefined,
    namespace: undefined,
    apiGroup: undefined,
    resource: undefined,
    subresource: undefined,
    name: undefined,
  };

  constructor(policies: readonly PolicyUnderTest[]) {
    this.states = policies.map((p) => new PolicyState(p));
    this.comparisons = policies.slice(1).map(() => new ComparisonState());
    this.written = policies.map(() => 0);
  }

  /**
   * One event of the input. Events without a verb are not requests; the reader leaves them out. Keeps
   * nothing of `record` but strings, so a reader may reuse it (ReadOptions.reuseRecords).
   */
  add(record: AuditRecord): void {
    const { event, sizes } = record;
    const request = requestFromEvent(event, this.request);
    if (request === undefined) return;
    this.events++;
    this.observe(event);
    const user = event.user?.username ?? '';
    const resource = this.resourceKeys.of(event, request);
    const states = this.states;
    for (let p = 0; p < states.length; p++) {
      const state = states[p]!;
      const evaluation = state.subject.evaluator.evaluate(request);
      const bytes = writtenBytes(event, sizes, evaluation);
      const level = state.byLevel.get(evaluation.level)!;
      const rule = state.byRule[evaluation.rule ?? state.subject.rules.length]!;
      level.matched++;
      rule.matched++;
      this.written[p] = bytes;
      if (bytes < 0) continue;
      state.events++;
      state.bytes += bytes;
      level.events++;
      level.bytes += bytes;
      rule.events++;
      rule.bytes += bytes;
      state.users.add(user, bytes);
      state.resources.add(resource, bytes);
      if (isLowerBound(event, evaluation.level)) {
        state.lowerBound.events++;
        state.lowerBound.bytes += bytes;
      }
    }
    const base = this.written[0]!;
    for (let c = 0; c < this.comparisons.length; c++) {
      const other = this.written[c + 1]!;
      const comparison = this.comparisons[c]!;
      if (base >= 0 && other < 0) {
        comparison.dropped.events++;
        comparison.dropped.bytes += base;
        comparison.droppedResources.add(resource, base);
        comparison.droppedUsers.add(user, base);
      } else if (base < 0 && other >= 0) {
        comparison.added.events++;
        comparison.added.bytes += other;
      } else if (base >= 0 && other < base) {
        comparison.smaller.events++;
        comparison.smaller.bytes += base - other;
      }
    }
  }

  private observe(event: AuditEventFields): void {
    if (event.level !== undefined) this.recordedLevels.add(event.level);
    if (event.stage !== undefined) this.stages.add(event.stage);
    const start = event.requestReceivedTimestamp ?? event.stageTimestamp;
    const end = event.stageTimestamp ?? event.requestReceivedTimestamp;
    // Compare as strings first: kube-apiserver's timestamps all have one layout (UTC, microseconds),
    // for which string order is time order, so a time is parsed only when something might change. The
    // strings kept are the reader's own (at most one line behind them), not slices of a chunk.
    if (start !== undefined) {
      if (this.from === null || start < this.from || start.length !== this.from.length) {
        const ms = this.times.parse(start);
        if (ms < this.fromMs) {
          this.fromMs = ms;
          this.from = start;
        }
      }
    }
    if (end !== undefined) {
      if (this.to === null || end > this.to || end.length !== this.to.length) {
        const ms = this.times.parse(end);
        if (ms > this.toMs) {
          this.toMs = ms;
          this.to = end;
        }
      }
    }
  }

  exportState(): SimulationState {
    return {
      events: this.events,
      from: this.from,
      to: this.to,
      fromMs: this.fromMs,
      toMs: this.toMs,
      recordedLevels: this.recordedLevels.entries(),
      stages: this.stages.entries(),
      policies: this.states.map((s) => ({
        events: s.events,
        bytes: s.bytes,
        byLevel: [...s.byLevel],
        byRule: s.byRule,
        users: s.users.entries(),
        resources: s.resources.entries(),
        lowerBound: s.lowerBound,
      })),
      comparisons: this.comparisons.map((c) => ({
        dropped: c.dropped,
        droppedResources: c.droppedResources.entries(),
        droppedUsers: c.droppedUsers.entries(),
        added: c.added,
        smaller: c.smaller,
      })),
    };
  }

  /** Add what another Simulation of the same policies counted (over another part of the input). */
  mergeState(other: SimulationState): void {
    this.events += other.events;
    if (other.from !== null && other.fromMs < this.fromMs) {
      this.fromMs = other.fromMs;
      this.from = other.from;
    }
    if (other.to !== null && other.toMs > this.toMs) {
      this.toMs = other.toMs;
      this.to = other.to;
    }
    this.recordedLevels.merge(other.recordedLevels);
    this.stages.merge(other.stages);
    other.policies.forEach((o, i) => {
      const s = this.states[i]!;
      s.events += o.events;
      s.bytes += o.bytes;
      for (const [level, t] of o.byLevel) {
        const into = s.byLevel.get(level)!;
        into.matched += t.matched;
        addTally(into, t);
      }
      o.byRule.forEach((t, r) => {
        s.byRule[r]!.matched += t.matched;
        addTally(s.byRule[r]!, t);
      });
      s.users.merge(o.users);
      s.resources.merge(o.resources);
      addTally(s.lowerBound, o.lowerBound);
    });
    other.comparisons.forEach((o, i) => {
      const c = this.comparisons[i]!;
      addTally(c.dropped, o.dropped);
      c.droppedResources.merge(o.droppedResources);
      c.droppedUsers.merge(o.droppedUsers);
      addTally(c.added, o.added);
      addTally(c.smaller, o.smaller);
    });
  }

  result(): SimulationResult {
    const spanSeconds = Number.isFinite(this.toMs - this.fromMs) ? (this.toMs - this.fromMs) / 1000 : null;
    const policies = this.states.map((state) => policyResult(state, { events: this.events, spanSeconds }));
    const comparisons = this.comparisons.map((c, i) => ({
      from: policies[0]!.policy,
      to: policies[i + 1]!.policy,
      dropped: {
        ...c.dropped,
        topResources: c.droppedResources.top(TOP).map(([resource, t]) => ({ resource, ...t })),
        topUsers: c.droppedUsers.top(TOP).map(([user, t]) => ({ user, ...t })),
      },
      added: { ...c.added },
      smaller: { ...c.smaller },
    }));
    const input: InputStats = {
      events: this.events,
      from: this.from,
      to: this.to,
      spanSeconds,
      recordedLevels: Object.fromEntries(
        this.recordedLevels.entries().sort((a, b) => rankOf(a[0]) - rankOf(b[0]) || (a[0] < b[0] ? -1 : 1)),
      ),
      stages: Object.fromEntries(
        this.stages.entries().sort((a, b) => stageOrder(a[0]) - stageOrder(b[0]) || (a[0] < b[0] ? -1 : 1)),
      ),
    };
    return { input, policies, comparisons, notes: notesFor(input, policies, this.states) };
  }
}

/**
 * Date.parse for timestamps that mostly share their second: kube-apiserver writes
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`, and the events of one second differ only in the fraction, of which
 * Date.parse keeps the milliseconds (truncated). So a timestamp in the second of the one before is
 * its second plus its first three fraction digits; anything else goes to Date.parse.
 */
export class TimestampParser {
  /** `YYYY-MM-DDTHH:MM:SS` of the last timestamp parsed in that layout ('' for none), and its time. */
  private second = '';
  private secondMs = 0;

  parse(text: string): number {
    const n = text.length;
    // The fraction: 1 to 9 digits (Date.parse reads at most 9) between a '.' at 19 and the final 'Z'.
    const layout = n >= 22 && n <= 30 && text.charCodeAt(19) === 0x2e && text.charCodeAt(n - 1) === 0x5a;
    if (layout && this.second !== '' && text.startsWith(this.second) && digitsIn(text, 20, n - 1)) {
      return this.secondMs + milliseconds(text);
    }
    const ms = Date.parse(text);
    if (layout && isSecondLayout(text) && digitsIn(text, 20, n - 1)) {
      const second = text.slice(0, 19);
      const secondMs = Date.parse(`${second}Z`);
      // Hour 24 is valid only without a fraction: leave it to Date.parse.
      const hour24 = text.charCodeAt(11) === 0x32 && text.charCodeAt(12) >= 0x34;
      if (!Number.isNaN(secondMs) && !hour24) {
        this.second = second;
        this.secondMs = secondMs;
      }
    }
    return ms;
  }
}

function digitsIn(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The first three digits of the fraction at 20, as milliseconds (missing digits are zeros). */
function milliseconds(text: string): number {
  const end = text.length - 1;
  let ms = 0;
  for (let i = 20; i < 23; i++) ms = ms * 10 + (i < end ? text.charCodeAt(i) - 0x30 : 0);
  return ms;
}

/** `DDDD-DD-DDTDD:DD:DD` at the start of `text`. */
function isSecondLayout(text: string): boolean {
  for (let i = 0; i < 19; i++) {
    const c = text.charCodeAt(i);
    const expected = i === 4 || i === 7 ? 0x2d : i === 10 ? 0x54 : i === 13 || i === 16 ? 0x3a : -1;
    if (expected >= 0 ? c !== expected : c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * resourceKey without a new string per event: keys are kept by group, resource and subresource (the
 * reader's strings repeat, so each lookup is by a string already hashed). At most MAX_KEYS are kept.
 */
class ResourceKeys {
  private readonly byGroup = new Map<string, Map<string, Map<string, string>>>();
  private size = 0;

  of(event: AuditEventFields, request: RequestAttributes): string {
    const ref = event.objectRef;
    if (ref === undefined) return request.path ?? '';
    const group = ref.apiGroup ?? '';
    const resource = ref.resource ?? '';
    const subresource = ref.subresource ?? '';
    let byResource = this.byGroup.get(group);
    let bySubresource = byResource?.get(resource);
    let key = bySubresource?.get(subresource);
    if (key !== undefined) return key;
    key = resourceKey(event);
    if (this.size >= MAX_KEYS) return key;
    if (byResource === undefined) {
      byResource = new Map();
      this.byGroup.set(detach(group), byResource);
    }
    if (bySubresource === undefined) {
      bySubresource = new Map();
      byResource.set(detach(resource), bySubresource);
    }
    bySubresource.set(detach(subresource), detach(key));
    this.size++;
    return key;
  }
}

/** Events per value (recorded level, stage): one map lookup per event. */
class Counts {
  private readonly map = new Map<string, { n: number }>();
  add(key: string, n = 1): void {
    const tally = this.map.get(key);
    if (tally === undefined) this.map.set(detach(key), { n });
    else tally.n += n;
  }
  merge(entries: ReadonlyArray<readonly [string, number]>): void {
    for (const [key, n] of entries) this.add(key, n);
  }
  entries(): Array<[string, number]> {
    return [...this.map].map(([key, { n }]) => [key, n]);
  }
}

function rankOf(level: string): number {
  const i = (LEVELS as readonly string[]).indexOf(level);
  return i < 0 ? LEVELS.length : i;
}
function stageOrder(stage: string): number {
  const i = (STAGES as readonly string[]).indexOf(stage);
  return i < 0 ? STAGES.length : i;
}

/**
 * Why there is no per-day figure, or undefined when there is one: the input spans less than a minute
 * (or has no timestamps), holds fewer than MIN_EVENTS events, or the policy writes so few of them that
 * a day rounds to none ("0 events, 150 B per day" says nothing). `written`: the policy's events.
 */
export function projectionGap(
  input: Pick<InputStats, 'events' | 'spanSeconds'>,
  written?: number,
): string | undefined {
  const span = input.spanSeconds;
  if (span === null) return 'no timestamps to project a day from';
  if (span < MIN_SPAN_SECONDS) return `too short a time to project a day: the input spans ${span} s`;
  if (input.events < MIN_EVENTS)
    return `too few events to project a day: ${input.events} in the input, fewer than ${MIN_EVENTS}`;
  if (written !== undefined && written > 0 && Math.round((written * 86400) / span) === 0)
    return `too few events to project a day: ${written} over ${Math.round(span / 86400)} days, fewer than one a day`;
  return undefined;
}

function policyResult(state: PolicyState, input: Pick<InputStats, 'events' | 'spanSeconds'>): PolicyResult {
  const spanSeconds = input.spanSeconds;
  const rules = state.subject.rules;
  const byRule: RuleTally[] = [];
  state.byRule.forEach((tally, index) => {
    const isRule = index < rules.length;
    if (!isRule && tally.matched === 0) return;
    byRule.push({
      rule: isRule ? index : null,
      label: isRule ? ruleLabel(rules[index]!) : 'no rule matched',
      level: isRule ? rules[index]!.level : 'None',
      ...tally,
    });
  });
  const perDay =
    spanSeconds !== null && projectionGap(input, state.events) === undefined
      ? {
          events: Math.round((state.events * 86400) / spanSeconds),
          bytes: Math.round((state.bytes * 86400) / spanSeconds),
        }
      : null;
  return {
    policy: state.subject.name,
    events: state.events,
    bytes: state.bytes,
    byLevel: Object.fromEntries(LEVELS.map((l) => [l, { ...state.byLevel.get(l)! }])) as Record<
      Level,
      LevelTally
    >,
    byRule,
    topUsers: state.users.top(TOP).map(([user, t]) => ({ user, ...t })),
    topResources: state.resources.top(TOP).map(([resource, t]) => ({ resource, ...t })),
    perDay,
    lowerBound: { ...state.lowerBound },
  };
}

/** `group/resource/subresource` for resource requests (core group bare), the path for others. */
export function resourceKey(event: AuditEventFields): string {
  const ref = event.objectRef;
  if (ref === undefined) {
    const uri = event.requestURI ?? '';
    const query = uri.indexOf('?');
    return query < 0 ? uri : uri.slice(0, query);
  }
  let key = ref.resource ?? '';
  if (ref.apiGroup) key = `${ref.apiGroup}/${key}`;
  if (ref.subresource) key = `${key}/${ref.subresource}`;
  return key;
}

/**
 * Whether `other` writes exactly what `base` writes from the input: no event dropped or added, none
 * smaller, and the same bytes in all. With no event smaller, equal totals leave no event larger either,
 * so every event is written by both or by neither, at the same size.
 */
export function writesTheSame(comparison: Comparison, base: Tally, other: Tally): boolean {
  return (
    comparison.dropped.events === 0 &&
    comparison.added.events === 0 &&
    comparison.smaller.events === 0 &&
    base.events === other.events &&
    base.bytes === other.bytes
  );
}

/** A rule in a few words: its selectors, abbreviated, or "everything" for a catch-all. */
export function ruleLabel(rule: PolicyRule): string {
  const list = (values: readonly string[] | undefined, max = 2): string | undefined => {
    if (!values || values.length === 0) return undefined;
    const shown = values.slice(0, max).map((v) => (v === '' ? '""' : v));
    return values.length > max ? `${shown.join(',')},+${values.length - max}` : shown.join(',');
  };
  const resources = rule.resources?.flatMap((gr) => {
    const group = gr.group ? `${gr.group}/` : '';
    return gr.resources && gr.resources.length > 0 ? gr.resources.map((r) => `${group}${r}`) : [`${group}*`];
  });
  const parts = [
    list(rule.users) && `users ${list(rule.users)}`,
    list(rule.userGroups) && `groups ${list(rule.userGroups)}`,
    list(rule.verbs, 3) && `verbs ${list(rule.verbs, 3)}`,
    list(resources, 3),
    list(rule.namespaces) && `in ${list(rule.namespaces)}`,
    list(rule.nonResourceURLs, 3),
  ].filter((p): p is string => typeof p === 'string');
  const label = parts.length === 0 ? 'everything' : parts.join('; ');
  return label.length > 60 ? `${label.slice(0, 59)}…` : label;
}

const SIMULATED_STAGES = ['RequestReceived', 'ResponseStarted'] as const;

/** What the input cannot tell, said once each. */
function notesFor(
  input: InputStats,
  policies: readonly PolicyResult[],
  states: readonly PolicyState[],
): string[] {
  const notes: string[] = [];
  for (const policy of policies) {
    if (policy.lowerBound.events > 0) {
      notes.push(
        `${policy.policy}: ${policy.lowerBound.events} written event${policy.lowerBound.events === 1 ? ' was' : 's were'} recorded at a lower level than ${policy.policy} gives them; their request/response bodies are not in the input, so the bytes are a lower bound (record at RequestResponse to estimate every level).`,
      );
    }
  }
  if (input.events > 0) {
    for (const stage of SIMULATED_STAGES) {
      if ((input.stages[stage] ?? 0) > 0) continue;
      const keeping = states
        .filter((s, i) => policies[i]!.events > 0 && !keepsNoStage(s.subject, stage))
        .map((s) => s.subject.name);
      if (keeping.length === 0) continue;
      notes.push(
        `The input has no ${stage} events (its policy probably omitted them); ${keeping.join(', ')} would write them too, so ${keeping.length === 1 ? 'its' : 'their'} counts are a lower bound.`,
      );
    }
  }
  if (input.events > 0 && (input.spanSeconds === null || input.spanSeconds < MIN_SPAN_SECONDS)) {
    notes.push(
      `The input spans ${input.spanSeconds === null ? 'no time (timestamps missing)' : `${input.spanSeconds} s`}, less than ${MIN_SPAN_SECONDS} s: no per-day projection.`,
    );
  } else if (input.events > 0 && input.events < MIN_EVENTS) {
    notes.push(
      `The input holds ${input.events} event${input.events === 1 ? '' : 's'}, fewer than ${MIN_EVENTS}: too few to project a day from, so there is no per-day projection.`,
    );
  } else if (input.events > 0) {
    for (const policy of policies) {
      const gap = projectionGap(input, policy.events);
      if (gap) notes.push(`${policy.policy}: no per-day projection (${gap}).`);
    }
  }
  return notes;
}

/** True when no event of that stage is ever written: the policy, or every rule that logs, omits it. */
function keepsNoStage(subject: PolicyUnderTest, stage: string): boolean {
  const omitted = (stages: readonly string[] | undefined) => (stages ?? []).includes(stage);
  if (omitted(subject.omitStages)) return true;
  return subject.rules.every((rule) => rule.level === 'None' || omitted(rule.omitStages));
}
