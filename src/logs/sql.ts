import { unionStages } from '../policy/evaluate.js';
import type { GroupResources, Policy, PolicyRule } from '../policy/types.js';
import type { SqlDialect } from './sql-dialects.js';

/**
 * `simulate --emit-sql`: one SQL query that computes, over an audit log in a query engine, simulate's
 * per-rule `matched` and `written` (SimulationResult byRule[].matched / .events), with the same
 * semantics: kube-apiserver's checker.go first-match evaluation (evaluate.ts) over the request
 * attributes event-request.ts recovers from an event, and the lines parse-line.ts accepts (an Event, or
 * the items of an EventList; malformed and non-Event lines left out). Pure: values in, text out.
 *
 * Two kinds of source:
 * - DuckDB files: each JSON line as its text (read_ndjson_objects), checked in the query with every
 *   type check parse-line.ts makes (a number where a string belongs counts as absent), and a byte
 *   estimate;
 * - a table in any dialect, with the typed columns of the reference's table statement (the engine's JSON
 *   reader has already decided types and dropped malformed lines); no byte estimate.
 */

export { SQL_DIALECTS, type SqlDialect } from './sql-dialects.js';

export type SqlSource = { files: string } | { table: string };

export interface SqlPolicy {
  /** As the user named it (basic, gce, a path): the `policy` column. */
  name: string;
  policy: Policy;
}

/** simulate's line limit (read-lines.ts MAX_LINE_BYTES): a longer line is malformed. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

interface Dialect {
  ident(name: string): string;
  /** A string literal that reads back as exactly `value`, whatever it holds. */
  literal(value: string): string;
  /** Whether the array `array` holds any of `values` (non-empty). */
  anyOf(array: string, values: readonly string[]): string;
  /** The part of `uri` before its first `?`. */
  beforeQuery(uri: string): string;
  /** What follows a LIKE pattern whose escape character is a backslash. */
  likeEscape: string;
  /** FROM clause items of each row `t` of `table` with one row per element of t.items, as `item`. */
  itemsFrom?(table: string): string;
}

const isControl = (code: number) => code < 0x20 || code === 0x7f;

/** Split a string into runs without control characters and single control characters. */
function controlRuns(value: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is split off
  return value.split(/([\u0000-\u001f\u007f])/).filter((part) => part !== '');
}

/**
 * Standard SQL literals (DuckDB, Trino): a quote is doubled, a backslash is itself. Control characters
 * go through chr() so that the printed query is one clean line per literal.
 */
function standardLiteral(value: string): string {
  const parts = controlRuns(value).map((part) =>
    part.length === 1 && isControl(part.charCodeAt(0))
      ? `chr(${part.charCodeAt(0)})`
      : `'${part.replaceAll("'", "''")}'`,
  );
  return parts.length === 0 ? "''" : parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

/** BigQuery and Spark SQL read backslash escapes in every string literal. */
function backslashLiteral(value: string): string {
  let out = "'";
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (isControl(code)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}'`;
}

const quoteWith = (q: string) => (name: string) => `${q}${name.replaceAll(q, q + q)}${q}`;

const DIALECTS: Record<SqlDialect, Dialect> = {
  duckdb: {
    ident: quoteWith('"'),
    literal: standardLiteral,
    anyOf: (array, values) => `list_has_any(${array}, [${values.map(standardLiteral).join(', ')}])`,
    beforeQuery: (uri) => `split_part(${uri}, '?', 1)`,
    likeEscape: " ESCAPE '\\'",
    itemsFrom: (table) => `${table} AS t, unnest(t.items) AS u(item)`,
  },
  trino: {
    ident: quoteWith('"'),
    literal: standardLiteral,
    anyOf: (array, values) => `arrays_overlap(${array}, ARRAY[${values.map(standardLiteral).join(', ')}])`,
    beforeQuery: (uri) => `split_part(${uri}, '?', 1)`,
    likeEscape: " ESCAPE '\\'",
    // Trino's UNNEST spreads an array of rows into columns: items are unnested field by field instead.
  },
  bigquery: {
    ident: (name) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``,
    literal: backslashLiteral,
    anyOf: (array, values) =>
      `EXISTS (SELECT 1 FROM UNNEST(${array}) AS g WHERE g IN (${values.map(backslashLiteral).join(', ')}))`,
    beforeQuery: (uri) => `SPLIT(${uri}, '?')[OFFSET(0)]`,
    // LIKE's escape character is the backslash, with no ESCAPE clause.
    likeEscape: '',
    itemsFrom: (table) => `${table} AS t CROSS JOIN UNNEST(t.items) AS item`,
  },
  spark: {
    ident: quoteWith('`'),
    literal: backslashLiteral,
    anyOf: (array, values) => `arrays_overlap(${array}, array(${values.map(backslashLiteral).join(', ')}))`,
    beforeQuery: (uri) => `substring_index(${uri}, '?', 1)`,
    likeEscape: " ESCAPE '\\\\'",
    itemsFrom: (table) => `${table} AS t LATERAL VIEW explode(t.items) u AS item`,
  },
};

/** `a.b.c` with each part quoted: whatever a part holds, it stays a name. */
function tableName(d: Dialect, table: string): string {
  return table
    .split('.')
    .map((part) => d.ident(part))
    .join('.');
}

/** A string literal of the dialect (exported for the tests that hold it to each dialect's parser). */
export function sqlStringLiteral(dialect: SqlDialect, value: string): string {
  return DIALECTS[dialect].literal(value);
}

/** A (dotted) table name of the dialect, each part quoted. */
export function sqlTableName(dialect: SqlDialect, table: string): string {
  return tableName(DIALECTS[dialect], table);
}

/** The normalized request columns every source is turned into (event-request.ts's attributes). */
const COLUMNS = [
  'kind',
  'verb',
  'username',
  'user_groups',
  'resource_request',
  'namespace',
  'api_group',
  'resource',
  'subresource',
  'object_name',
  'path',
  'stage',
] as const;
type Column = (typeof COLUMNS)[number];

/** Byte columns, DuckDB files only: the event re-encoded, its recorded level's length, its bodies. */
const SIZE_COLUMNS = ['event_bytes', 'level_chars', 'request_bytes', 'response_bytes'] as const;

/**
 * The normalized columns of a typed row, where `at(path)` reads a field (or nested field) of it.
 * The defaults are requestFromEvent's: a missing string is "", a create without subresource has name
 * "" (the name is filled from the body after the policy was evaluated), the path ends before `?`.
 */
function typedColumns(
  d: Dialect,
  at: (...path: string[]) => string,
  resourceRequest = `${at('objectRef')} IS NOT NULL`,
): Record<Column, string> {
  const orEmpty = (expr: string) => `COALESCE(${expr}, '')`;
  return {
    kind: at('kind'),
    verb: at('verb'),
    username: orEmpty(at('user', 'username')),
    user_groups: at('user', 'groups'),
    resource_request: resourceRequest,
    namespace: orEmpty(at('objectRef', 'namespace')),
    api_group: orEmpty(at('objectRef', 'apiGroup')),
    resource: orEmpty(at('objectRef', 'resource')),
    subresource: orEmpty(at('objectRef', 'subresource')),
    object_name: `CASE WHEN ${at('verb')} = 'create' AND ${orEmpty(at('objectRef', 'subresource'))} = '' THEN '' ELSE ${orEmpty(at('objectRef', 'name'))} END`,
    path: d.beforeQuery(orEmpty(at('requestURI'))),
    stage: at('stage'),
  };
}

const select = (columns: Record<string, string>, d: Dialect) =>
  Object.entries(columns)
    .map(([name, expr]) => `${expr} AS ${d.ident(name)}`)
    .join(',\n    ');

/** A table of typed events: top-level rows, and the items of EventList rows. */
function tableEvents(d: Dialect, dialect: SqlDialect, table: string): string {
  const tableRef = tableName(d, table);
  const field =
    (row: string) =>
    (...path: string[]) =>
      [row, ...path.map((p) => d.ident(p))].join('.');
  const top = `  SELECT\n    ${select(typedColumns(d, field('t')), d)}\n  FROM ${tableRef} AS t`;
  let items: string;
  if (dialect === 'trino') {
    const columns = typedColumns(d, field('i'));
    const arrays = Object.values(columns).map((expr) => `transform(t.${d.ident('items')}, i -> ${expr})`);
    items = `  SELECT\n    ${COLUMNS.map((c) => `u.${d.ident(c)}`).join(',\n    ')}\n  FROM ${tableRef} AS t\n  CROSS JOIN UNNEST(\n    ${arrays.join(',\n    ')}\n  ) AS u(${COLUMNS.map((c) => d.ident(c)).join(', ')})\n  WHERE t.${d.ident('kind')} = 'EventList'`;
  } else {
    items = `  SELECT\n    ${select(typedColumns(d, field('item')), d)}\n  FROM ${d.itemsFrom!(tableRef)}\n  WHERE t.${d.ident('kind')} = 'EventList'`;
  }
  return `${top}\n  UNION ALL\n${items}`;
}

/**
 * Raw JSON lines read by DuckDB, checked as parse-line.ts checks them: a line that is not JSON (or
 * longer than simulate's 64 MiB limit) is NULL; a value that is not an object, a kind other than
 * Event, a verb that is not a non-empty string are left out later; each string field counts only when
 * it is a JSON string, groups only their string elements, user and objectRef only when objects.
 */
function duckdbFileCtes(d: Dialect, files: string): string {
  const paths = [
    'kind',
    'verb',
    'user',
    'user.username',
    'user.groups',
    'objectRef',
    'objectRef.namespace',
    'objectRef.apiGroup',
    'objectRef.resource',
    'objectRef.subresource',
    'objectRef.name',
    'requestURI',
    'stage',
    'level',
    'requestObject',
    'responseObject',
  ] as const;
  type Path = (typeof paths)[number];
  const f = (path: Path) => `f[${paths.indexOf(path) + 1}]`;
  const isObject = (path: Path) => `json_type(${f(path)}) = 'OBJECT'`;
  const str = (path: Path) =>
    `CASE WHEN json_type(${f(path)}) = 'VARCHAR' THEN json_extract_string(${f(path)}, '$') END`;
  const within = (parent: Path, path: Path) => `CASE WHEN ${isObject(parent)} THEN ${str(path)} END`;
  // Flat columns named after the fields, holding only values of the type parse-line.ts accepts.
  const fields: Record<string, string> = {
    // Any kind but the string "Event" (null, a number...) makes the line "not an audit event".
    kind: `CASE WHEN ${f('kind')} IS NULL THEN NULL WHEN json_type(${f('kind')}) = 'VARCHAR' THEN json_extract_string(${f('kind')}, '$') ELSE '' END`,
    verb: str('verb'),
    requestURI: str('requestURI'),
    stage: str('stage'),
    username: within('user', 'user.username'),
    groups: `CASE WHEN ${isObject('user')} AND json_type(${f('user.groups')}) = 'ARRAY' THEN list_transform(list_filter(json_extract(${f('user.groups')}, '$[*]'), lambda g: json_type(g) = 'VARCHAR'), lambda g: json_extract_string(g, '$')) END`,
    objectRef: `COALESCE(${isObject('objectRef')}, false)`,
    namespace: within('objectRef', 'objectRef.namespace'),
    apiGroup: within('objectRef', 'objectRef.apiGroup'),
    resource: within('objectRef', 'objectRef.resource'),
    subresource: within('objectRef', 'objectRef.subresource'),
    name: within('objectRef', 'objectRef.name'),
    // size-model.ts: the event, its recorded level's length, each body as "key":value plus its comma.
    event_bytes: 'strlen(doc)',
    level_chars: `length(${str('level')})`,
    request_bytes: `CASE WHEN ${f('requestObject')} IS NULL THEN 0 ELSE ${'"requestObject":,'.length} + strlen(${f('requestObject')}) END`,
    response_bytes: `CASE WHEN ${f('responseObject')} IS NULL THEN 0 ELSE ${'"responseObject":,'.length} + strlen(${f('responseObject')}) END`,
  };
  const flat = (...path: string[]) => d.ident(path.at(-1)!);
  const columns = typedColumns(d, flat, d.ident('objectRef'));
  const sizes = Object.fromEntries(SIZE_COLUMNS.map((col) => [col, d.ident(col)]));
  const list = `[${[...paths, 'items'].map((p) => `'$.${p}'`).join(', ')}]`;
  const items = `f[${paths.length + 1}]`;
  // DuckDB's reader of JSON lines, each kept as its text: a line that is not JSON (or longer than
  // simulate's limit) is NULL and never fails the query, whatever it holds.
  const source = `read_ndjson_objects(${d.literal(files)}, ignore_errors = true, maximum_object_size = ${MAX_LINE_BYTES})`;
  return [
    `kops_lines AS (\n  SELECT json AS line FROM ${source}\n)`,
    // One parse per line for every field read.
    `kops_parsed AS (\n  SELECT line AS doc, json_extract(line, ${list}) AS f FROM kops_lines WHERE line IS NOT NULL\n)`,
    // An EventList line stands for its items (the line itself is then left out by its kind); any
    // other line for itself. One reading of kops_parsed: DuckDB would otherwise keep it in memory.
    `kops_fields AS (\n  SELECT\n    CASE WHEN item IS NULL THEN doc ELSE item END AS doc,\n    CASE WHEN item IS NULL THEN f ELSE json_extract(item, ${list}) END AS f\n  FROM (\n    SELECT doc, f, unnest(CASE WHEN json_type(${f('kind')}) = 'VARCHAR' AND json_extract_string(${f('kind')}, '$') = 'EventList' AND json_type(${items}) = 'ARRAY' THEN json_extract(${items}, '$[*]') ELSE [NULL::JSON] END) AS item\n    FROM kops_parsed\n  ) AS docs\n)`,
    `kops_typed AS (\n  SELECT\n    ${select(fields, d)}\n  FROM kops_fields\n)`,
    `kops_events AS (\n  SELECT\n    ${select({ ...columns, ...sizes }, d)}\n  FROM kops_typed\n)`,
  ].join(',\n');
}

// checker.go ruleMatches: every non-empty selector must match.
function rulePredicate(d: Dialect, rule: PolicyRule): string {
  const c = (name: Column | 'combined') => d.ident(name);
  const list = (values: readonly string[]) => values.map((v) => d.literal(v)).join(', ');
  const nonEmpty = <T>(values: readonly T[] | undefined) =>
    values && values.length > 0 ? values : undefined;
  const terms: string[] = [];
  const users = nonEmpty(rule.users);
  if (users) terms.push(`${c('username')} IN (${list(users)})`);
  const groups = nonEmpty(rule.userGroups);
  // userGroups: any one of the user's groups.
  if (groups) terms.push(d.anyOf(c('user_groups'), groups));
  const verbs = nonEmpty(rule.verbs);
  if (verbs) terms.push(`${c('verb')} IN (${list(verbs)})`);
  const namespaces = nonEmpty(rule.namespaces);
  const resources = nonEmpty(rule.resources);
  const urls = nonEmpty(rule.nonResourceURLs);
  if (namespaces || resources) {
    // A resource rule never matches a non-resource request, even with namespaces: [""] (cluster-scoped
    // objects and cluster-wide collections have namespace "").
    terms.push(c('resource_request'));
    if (namespaces) terms.push(`${c('namespace')} IN (${list(namespaces)})`);
    const resourcesMatch = resources ? resourcesTerm(d, resources) : 'TRUE';
    if (resourcesMatch !== 'TRUE') terms.push(resourcesMatch);
  } else if (urls) {
    terms.push(`NOT ${c('resource_request')}`);
    if (!urls.includes('*')) {
      const exact = urls.filter((url) => !url.endsWith('*'));
      const alternatives = exact.length > 0 ? [`${c('path')} IN (${list(exact)})`] : [];
      // checker.go pathMatches: a trailing `*` (all of them stripped) is a plain string prefix.
      for (const url of urls) {
        if (!url.endsWith('*')) continue;
        alternatives.push(
          `${c('path')} LIKE ${d.literal(`${likeEscaped(url.replace(/\*+$/, ''))}%`)}${d.likeEscape}`,
        );
      }
      terms.push(anyTerm(alternatives));
    }
  }
  return terms.length === 0 ? 'TRUE' : terms.join(' AND ');
}

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function anyTerm(alternatives: string[]): string {
  if (alternatives.includes('TRUE')) return 'TRUE';
  return alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(' OR ')})`;
}

/** The `resources` entries, OR-ed; those that take a whole group are merged into one IN. */
function resourcesTerm(d: Dialect, entries: readonly GroupResources[]): string {
  const wholeGroups = entries.filter((e) => (e.resources ?? []).length === 0).map((e) => e.group ?? '');
  if (wholeGroups.includes('*')) return 'TRUE';
  const alternatives = entries
    .filter((e) => (e.resources ?? []).length > 0)
    .map((e) => groupResourcesTerm(d, e));
  if (wholeGroups.length > 0) {
    const groups = [...new Set(wholeGroups)];
    alternatives.unshift(
      groups.length === 1
        ? `${d.ident('api_group')} = ${d.literal(groups[0]!)}`
        : `${d.ident('api_group')} IN (${groups.map((g) => d.literal(g)).join(', ')})`,
    );
  }
  return anyTerm(alternatives);
}

/**
 * One `resources` entry (evaluate.ts compileResources): the group ("" or absent is the core group, "*"
 * every group), then every resource and subresource when `resources` is empty, else the name (when
 * resourceNames is set) and one of the patterns: "*", exact "res" or "res/sub", "*" + "/sub", "res/*"
 * (which also matches the bare resource). Go's TrimLeft/TrimRight strip every leading/trailing * and /.
 */
function groupResourcesTerm(d: Dialect, entry: NonNullable<PolicyRule['resources']>[number]): string {
  const c = (name: Column | 'combined') => d.ident(name);
  const list = (values: Iterable<string>) => [...values].map((v) => d.literal(v)).join(', ');
  const group = entry.group ?? '';
  const terms: string[] = group === '*' ? [] : [`${c('api_group')} = ${d.literal(group)}`];
  const patterns = entry.resources ?? [];
  if (patterns.length > 0) {
    const names = entry.resourceNames ?? [];
    if (names.length > 0) terms.push(`${c('object_name')} IN (${list(names)})`);
    if (!patterns.includes('*')) {
      const exact = new Set(patterns);
      const withSubresource = new Set(
        patterns.filter((p) => p.startsWith('*/')).map((p) => p.replace(/^[*/]+/, '')),
      );
      const resourceAndSubresources = new Set(
        patterns.filter((p) => p.endsWith('/*')).map((p) => p.replace(/[*/]+$/, '')),
      );
      const alternatives = [`${c('combined')} IN (${list(exact)})`];
      if (withSubresource.size > 0)
        alternatives.push(
          `(${c('subresource')} <> '' AND ${c('subresource')} IN (${list(withSubresource)}))`,
        );
      if (resourceAndSubresources.size > 0)
        alternatives.push(`${c('resource')} IN (${list(resourceAndSubresources)})`);
      terms.push(anyTerm(alternatives));
    }
  }
  return terms.length === 0 ? 'TRUE' : terms.length === 1 ? terms[0]! : `(${terms.join(' AND ')})`;
}

const STAGE_FLAGS = [
  ['RequestReceived', 'omit_request_received'],
  ['ResponseStarted', 'omit_response_started'],
  ['ResponseComplete', 'omit_response_complete'],
  ['Panic', 'omit_panic'],
] as const;

const LEVEL_RANK = { None: 0, Metadata: 1, Request: 2, RequestResponse: 3 } as const;

/** The query's columns: bytes only where it can be estimated (DuckDB reading the files). */
export function simulationSqlColumns(source: SqlSource): string[] {
  return ['policy', 'rule', 'level', 'matched', 'written', ...('files' in source ? ['bytes'] : [])];
}

/** The SQL query; see the module comment. */
export function simulationSql(
  policies: readonly SqlPolicy[],
  dialect: SqlDialect,
  source: SqlSource,
): string {
  const d = DIALECTS[dialect];
  const c = (name: string) => d.ident(name);
  const withBytes = 'files' in source;
  if (withBytes && dialect !== 'duckdb') throw new Error(`a file source is for duckdb only, not ${dialect}`);
  const ctes: string[] = [];
  if ('files' in source) {
    ctes.push(duckdbFileCtes(d, source.files));
  } else {
    ctes.push(`kops_events AS (\n${tableEvents(d, dialect, source.table)}\n)`);
  }
  // Requests as parse-line.ts and requestFromEvent take them: an Event (or no kind) with a verb.
  const requestColumns = [...COLUMNS.filter((col) => col !== 'kind'), ...(withBytes ? SIZE_COLUMNS : [])];
  ctes.push(
    `kops_requests AS (\n  SELECT\n    ${requestColumns.map(c).join(',\n    ')},\n    CASE WHEN ${c('subresource')} = '' THEN ${c('resource')} ELSE concat(${c('resource')}, '/', ${c('subresource')}) END AS ${c('combined')}\n  FROM kops_events\n  WHERE (${c('kind')} IS NULL OR ${c('kind')} = 'Event') AND ${c('verb')} IS NOT NULL AND ${c('verb')} <> ''\n)`,
  );
  // The first matching rule's index, -1 for none (level None), per policy.
  const decisions = policies.map((p, index) => {
    const whens = p.policy.rules.map(
      // The level in the comment only when it is one (a loaded policy's always is): nothing else
      // from the policy goes into a comment, which a newline would end.
      (rule, r) =>
        `      WHEN ${rulePredicate(d, rule)} THEN ${r} -- rules[${r}]${Object.hasOwn(LEVEL_RANK, rule.level) ? ` ${rule.level}` : ''}`,
    );
    return `    CASE\n${whens.join('\n')}\n      ELSE -1\n    END AS ${c(`rule_${index}`)}`;
  });
  const carried = [c('stage'), ...(withBytes ? SIZE_COLUMNS.map(c) : [])];
  ctes.push(
    `kops_decided AS (\n  SELECT\n    ${carried.join(',\n    ')},\n${decisions.join(',\n')}\n  FROM kops_requests\n)`,
  );
  const sums = withBytes
    ? `,\n    SUM(${c('event_bytes')}) AS ${c('event_bytes')},\n    SUM(${c('level_chars')}) AS ${c('level_chars')},\n    COUNT(${c('level_chars')}) AS ${c('with_level')},\n    SUM(${c('request_bytes')}) AS ${c('request_bytes')},\n    SUM(${c('response_bytes')}) AS ${c('response_bytes')}`
    : '';
  const tallies = policies.map(
    (_, index) =>
      `  SELECT ${index} AS ${c('policy_index')}, ${c(`rule_${index}`)} AS ${c('rule_index')}, ${c('stage')}, COUNT(*) AS ${c('events')}${sums}\n  FROM kops_decided\n  GROUP BY ${c(`rule_${index}`)}, ${c('stage')}`,
  );
  ctes.push(`kops_tallies AS (\n${tallies.join('\n  UNION ALL\n')}\n)`);
  // Every rule of every policy, with its level and the stages it omits (the policy's and its own).
  const ruleRows = policies.flatMap((p, index) => {
    const policyStages = p.policy.omitStages ?? [];
    const row = (rule: number, level: string, stages: readonly string[]) =>
      `  SELECT ${index} AS ${c('policy_index')}, ${d.literal(p.name)} AS ${c('policy')}, ${rule} AS ${c('rule_index')}, ${d.literal(level)} AS ${c('level')}, ${level.length} AS ${c('level_length')}, ${LEVEL_RANK[level as keyof typeof LEVEL_RANK] ?? 0} AS ${c('level_rank')}, ${STAGE_FLAGS.map(([stage, flag]) => `${stages.includes(stage) ? 'TRUE' : 'FALSE'} AS ${c(flag)}`).join(', ')}`;
    return [
      ...p.policy.rules.map((rule, r) =>
        row(r, rule.level, unionStages(policyStages, rule.omitStages ?? [])),
      ),
      row(-1, 'None', policyStages),
    ];
  });
  ctes.push(`kops_rules AS (\n${ruleRows.join('\n  UNION ALL\n')}\n)`);

  // simulateEvent: level None writes nothing; an event of an omitted stage is not written.
  const omitted = STAGE_FLAGS.map(([stage, flag]) => `(s.${c('stage')} = '${stage}' AND r.${c(flag)})`).join(
    ' OR ',
  );
  const written = `r.${c('level')} <> 'None' AND NOT COALESCE(${omitted}, FALSE)`;
  const outputs = [
    `r.${c('policy_index')}`,
    `r.${c('rule_index')}`,
    `r.${c('policy')}`,
    `CASE WHEN r.${c('rule_index')} < 0 THEN NULL ELSE r.${c('rule_index')} END AS ${c('rule')}`,
    `r.${c('level')}`,
    `COALESCE(SUM(s.${c('events')}), 0) AS ${c('matched')}`,
    `COALESCE(SUM(CASE WHEN ${written} THEN s.${c('events')} ELSE 0 END), 0) AS ${c('written')}`,
  ];
  if (withBytes) {
    // size-model.ts: the event and its newline, the level field rewritten, bodies below the level
    // dropped. An estimate: DuckDB re-encodes each event (kube-apiserver escapes <, > and & in
    // strings, DuckDB does not) and managedFields are not measured.
    const bytes = `s.${c('event_bytes')} + s.${c('events')} + r.${c('level_length')} * s.${c('with_level')} - s.${c('level_chars')} - CASE WHEN r.${c('level_rank')} < 2 THEN s.${c('request_bytes')} ELSE 0 END - CASE WHEN r.${c('level_rank')} < 3 THEN s.${c('response_bytes')} ELSE 0 END`;
    outputs.push(`COALESCE(SUM(CASE WHEN ${written} THEN ${bytes} ELSE 0 END), 0) AS ${c('bytes')}`);
  }
  const inner = `  SELECT\n    ${outputs.join(',\n    ')}\n  FROM kops_rules AS r\n  LEFT JOIN kops_tallies AS s ON s.${c('policy_index')} = r.${c('policy_index')} AND s.${c('rule_index')} = r.${c('rule_index')}\n  GROUP BY r.${c('policy_index')}, r.${c('rule_index')}, r.${c('policy')}, r.${c('level')}`;
  const shown = simulationSqlColumns(source).map(c);
  // Like simulate's byRule: every rule, and the no-match row when some request matched no rule.
  return `WITH\n${ctes.join(',\n')}\nSELECT ${shown.join(', ')}\nFROM (\n${inner}\n) AS x\nWHERE ${c('rule_index')} >= 0 OR ${c('matched')} > 0\nORDER BY ${c('policy_index')}, CASE WHEN ${c('rule_index')} < 0 THEN 1 ELSE 0 END, ${c('rule_index')}\n`;
}
