import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ExitCode, KopsAuditError, UsageError } from '../../errors.js';
import type { Ctx } from '../../io.js';
import { RangeWorkers, readInParallel } from '../../logs/parallel.js';
import { type ReadProgress, type ReadSummary, readAuditLog } from '../../logs/read-audit-log.js';
import { type PolicyUnderTest, Simulation, type SimulationResult } from '../../logs/simulate.js';
import {
  type SqlDialect,
  type SqlPolicy,
  type SqlSource,
  simulationSql,
  simulationSqlColumns,
} from '../../logs/sql.js';
import { compilePolicy } from '../../policy/evaluate.js';
import type { Policy } from '../../policy/types.js';
import { listPrice, priceFromFlag, type ShipPrice, whyNoListPrice } from '../../spec/ship-price.js';
import { parseShipTarget } from '../../spec/ship-target.js';
import { toJsonLine } from '../output.js';
import { readPolicyArg, writePolicyWarnings } from '../policy-arg.js';
import { AS_WRITTEN, type PolicyOrder, shipPolicy } from '../policy-order.js';
import { countOf, formatCount, formatProgress, formatSimulation, ingestCost } from '../views/simulate.js';

export interface SimulateOptions {
  /** basic, gce, or paths; the first is the one the others are compared with. */
  policies: string[];
  /** Audit log: a file, a .gz, or - for stdin. */
  events: string;
  output: 'text' | 'json';
  /** `--ship-to` / `--price-per-gb`: what a GB costs to ship, to add the cost per day. */
  price?: ShipPrice;
  /** `--order specific`: simulate each policy compiled most-specific first (its rules numbered as shipped). */
  order?: PolicyOrder;
}

const HELP = "Run 'kops-audit simulate --help' for what it takes.";
/** Redraw the progress line at most this often. */
const PROGRESS_EVERY_MS = 200;

/** What commander hands over. */
export interface SimulateFlags {
  policy?: string[];
  events?: string;
  emitSql?: string;
  from?: string;
  output?: string;
  shipTo?: string;
  pricePerGb?: string;
}

/** `--emit-sql DIALECT --from SOURCE`: print the query instead of reading a log. */
export interface EmitSqlOptions {
  policies: string[];
  dialect: SqlDialect;
  source: SqlSource;
  /** --from as given. */
  from: string;
  output: 'text' | 'json';
  /** `--order specific`: the query counts the rules of each policy compiled most-specific first. */
  order?: PolicyOrder;
}

/** Flags → options, or a UsageError that names the flag. Pure. */
export function parseSimulateFlags(flags: SimulateFlags): SimulateOptions | EmitSqlOptions {
  const policies = flags.policy ?? [];
  if (policies.length === 0) {
    throw new UsageError('simulate needs at least one --policy (basic, gce, or a policy file).', {
      hint: HELP,
    });
  }
  if (flags.emitSql !== undefined || flags.from !== undefined) {
    if (flags.shipTo !== undefined || flags.pricePerGb !== undefined) {
      throw new UsageError(
        `${flags.shipTo !== undefined ? '--ship-to' : '--price-per-gb'} goes with --events: --emit-sql counts events and bytes, and prices nothing.`,
        { hint: 'Drop it, or read a log with --events to get the cost per day.' },
      );
    }
    return parseEmitSql(flags, policies, flags.output === 'json' ? 'json' : 'text');
  }
  if (flags.events === undefined || flags.events === '') {
    throw new UsageError(
      'simulate needs --events FILE: a kube-apiserver audit log (JSON lines, .gz, or - for stdin).',
      {
        hint: HELP,
      },
    );
  }
  const fromStdin = policies.filter((p) => p === '-').length + (flags.events === '-' ? 1 : 0);
  if (fromStdin > 1) {
    throw new UsageError('Only one of --policy and --events can read stdin (-).', {
      hint: 'Save the policy or the log to a file and pass its path.',
    });
  }
  const options: SimulateOptions = {
    policies,
    events: flags.events,
    output: flags.output === 'json' ? 'json' : 'text',
  };
  const price = shipPrice(flags.shipTo, flags.pricePerGb);
  if (price) options.price = price;
  return options;
}

const SQL_HINT =
  '--emit-sql DIALECT --from SOURCE prints a query for DuckDB, Trino (Athena), BigQuery or Spark; docs/reference.md (simulate, SQL) shows how to make the table.';

function parseEmitSql(flags: SimulateFlags, policies: string[], output: 'text' | 'json'): EmitSqlOptions {
  if (flags.emitSql === undefined) {
    throw new UsageError(
      '--from is the source of --emit-sql: add --emit-sql DIALECT, or read a log with --events.',
      {
        hint: SQL_HINT,
      },
    );
  }
  const dialect = flags.emitSql as SqlDialect;
  if (flags.events !== undefined) {
    throw new UsageError(
      '--events and --emit-sql do not go together: --emit-sql prints a query and reads no log.',
      {
        hint: `Name the logs with --from instead: ${dialect === 'duckdb' ? 'a file path or glob, or a table' : 'the table made over them'}.`,
      },
    );
  }
  const from = flags.from ?? '';
  if (from.trim() === '') {
    throw new UsageError(
      `--emit-sql needs --from: the table holding the audit events${dialect === 'duckdb' ? ', or a log file path or glob' : ''}.`,
      { hint: SQL_HINT },
    );
  }
  if (isFileSource(from)) {
    if (dialect !== 'duckdb') {
      throw new UsageError(
        `--from ${from} looks like a file, and only --emit-sql duckdb reads files: ${dialect} reads a table.`,
        {
          hint: `Make a table over the logs (docs/reference.md, simulate, SQL, has the statement), and give --from its name.`,
        },
      );
    }
    return { policies, dialect, source: { files: from }, from, output };
  }
  if (from.split('.').some((part) => part === '')) {
    throw new UsageError(`--from ${from} is not a table name: a part between dots is empty.`, {
      hint: SQL_HINT,
    });
  }
  return { policies, dialect, source: { table: from }, from, output };
}

/**
 * Whether --from names files rather than a table: a path separator, a glob character, a URL, or a log
 * file's extension (a table is `name` or `schema.name`).
 */
export function isFileSource(from: string): boolean {
  return /[/\\*?[]/.test(from) || /\.(log|json|jsonl|ndjson|gz)$/i.test(from);
}

/** The price per GB: --price-per-gb, else the list price of the --ship-to destination. */
function shipPrice(shipTo: string | undefined, pricePerGb: string | undefined): ShipPrice | undefined {
  const target = shipTo === undefined ? undefined : parseShipTarget(shipTo);
  if (pricePerGb !== undefined) {
    const price = priceFromFlag(pricePerGb);
    if (!price) {
      throw new UsageError(
        `--price-per-gb must be a number of US dollars such as 0.5; got ${JSON.stringify(pricePerGb)}.`,
      );
    }
    return target ? { ...price, source: `given with --price-per-gb for ${target.url}` } : price;
  }
  if (!target) return undefined;
  const price = listPrice(target);
  if (!price) {
    throw new UsageError(`${target.url} has no list price kops-audit knows (${whyNoListPrice(target)}).`, {
      hint: 'Add --price-per-gb with what a GB costs you there, e.g. --price-per-gb 0.1.',
    });
  }
  return price;
}

/**
 * Replay an audit log through one or more policies: what each would write (events, bytes, per level,
 * rule, user and resource, per day), and what the later ones drop that the first kept. Malformed lines
 * are reported, never fatal.
 */
export async function runSimulate(options: SimulateOptions | EmitSqlOptions, ctx: Ctx): Promise<number> {
  if ('dialect' in options) return emitSql(options, ctx);
  // Workers first: they start while the policies load.
  const parallel = await parallelPlan(options.events, ctx);
  const workers = parallel && new RangeWorkers(parallel.workers - 1);
  let summary: ReadSummary;
  let simulation: Simulation;
  const progress = ctx.io.stderr.isTTY ? progressLine(ctx) : undefined;
  try {
    const subjects: PolicyUnderTest[] = [];
    const loadedPolicies: Policy[] = [];
    for (const name of options.policies) {
      const read = await readPolicyArg(name, ctx);
      writePolicyWarnings(ctx, read.loaded.map.source, read.warnings);
      const { loaded } = shipPolicy(read.loaded, options.order ?? AS_WRITTEN);
      loadedPolicies.push(loaded.policy);
      subjects.push({
        name,
        evaluator: compilePolicy(loaded.policy),
        rules: loaded.policy.rules,
        omitStages: loaded.policy.omitStages,
        omitsManagedFields:
          loaded.policy.omitManagedFields === true ||
          loaded.policy.rules.some((r) => r.omitManagedFields === true),
      });
    }
    simulation = new Simulation(subjects);
    const managedFields = subjects.some((s) => s.omitsManagedFields);
    if (parallel && workers) {
      summary = await readInParallel(
        {
          file: parallel.file,
          size: parallel.size,
          workers,
          policies: loadedPolicies.map((policy, i) => ({ name: options.policies[i]!, policy })),
          managedFields,
          onProgress: progress?.update,
        },
        simulation,
      );
      summary.source = options.events;
    } else {
      summary = await readAuditLog(options.events, ctx, {
        onEvent: (record) => simulation.add(record),
        reuseRecords: true, // Simulation.add keeps only strings
        onProgress: progress?.update,
        managedFields,
      });
    }
  } finally {
    progress?.clear();
    await workers?.close();
  }
  const result = simulation.result();
  // Anything can be read as lines: a kops spec, a binary, an empty file. Tables of zeros for it
  // would say "this policy logs nothing", which the input cannot tell.
  if (result.input.events === 0) {
    throw new KopsAuditError(`${inputName(summary)} holds no audit events (${linesRead(summary)}).`, {
      hint: `--events takes a kube-apiserver audit log: one JSON event per line, as its log backend writes them (gzip allowed); \`kops-audit explain --policy gce --events ${options.events}\` shows what each line is.`,
    });
  }
  const mostlyMalformed = mostlyMalformedWarning(summary);
  if (mostlyMalformed) ctx.io.stderr.write(mostlyMalformed);
  ctx.io.stdout.write(
    options.output === 'json'
      ? toJsonLine(jsonView(summary, result, options.price))
      : formatSimulation(summary, result, options.price),
  );
  return ExitCode.OK;
}

const inputName = (summary: ReadSummary) => (summary.source === '-' ? 'stdin' : summary.source);

/** `12 lines read: 10 malformed, 2 blank; first malformed: line 1, not JSON`. */
export function linesRead(summary: ReadSummary): string {
  const { malformed } = summary;
  const read = `${countOf(summary.lines, 'line')} read`;
  if (summary.lines === 0) return `${read}: it is empty`;
  const kinds: string[] = [];
  if (malformed.count > 0) kinds.push(`${formatCount(malformed.count)} malformed`);
  if (summary.blank > 0) kinds.push(`${formatCount(summary.blank)} blank`);
  // An EventList line with no items holds no event and is not malformed either.
  const empty = summary.lines - malformed.count - summary.blank - summary.events;
  if (summary.events === 0 && empty > 0) kinds.push(`${formatCount(empty)} without events`);
  const first = malformed.first[0];
  const why = first ? `; first malformed: line ${first.line}, ${first.reason}` : '';
  return `${read}${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''}${why}`;
}

/**
 * A warning when more than half of the lines that are not blank are malformed: the figures then
 * describe a small part of what was given, which is more likely the wrong file than a damaged log.
 */
export function mostlyMalformedWarning(summary: ReadSummary): string | undefined {
  const { malformed } = summary;
  const written = summary.lines - summary.blank;
  if (malformed.count * 2 <= written) return undefined;
  const first = malformed.first[0];
  return `Warning: ${formatCount(malformed.count)} of the ${countOf(written, 'line')} of ${inputName(summary)} that are not blank are malformed${first ? ` (first: line ${first.line}, ${first.reason})` : ''}; the figures cover only the ${countOf(summary.events, 'event')} read from the rest.\n`;
}

/** Print the query for the policies; no log is read. */
async function emitSql(options: EmitSqlOptions, ctx: Ctx): Promise<number> {
  const policies: SqlPolicy[] = [];
  for (const name of options.policies) {
    const read = await readPolicyArg(name, ctx);
    writePolicyWarnings(ctx, read.loaded.map.source, read.warnings);
    const { loaded } = shipPolicy(read.loaded, options.order ?? AS_WRITTEN);
    policies.push({ name, policy: loaded.policy });
  }
  const sql = simulationSql(policies, options.dialect, options.source);
  ctx.io.stdout.write(
    options.output === 'json'
      ? toJsonLine({
          dialect: options.dialect,
          from: options.from,
          columns: simulationSqlColumns(options.source),
          sql,
        })
      : sql,
  );
  return ExitCode.OK;
}

const MAX_WORKERS = 8;

/** Below this size one thread is as fast: starting workers costs more than it saves. */
const PARALLEL_FROM_BYTES = 64 * 1024 * 1024;

/**
 * Whether to read with several threads (one per core, at most MAX_WORKERS: the main thread and
 * workers - 1 worker threads) over byte ranges of a plain (not gzip) file: by default for files of
 * PARALLEL_FROM_BYTES or more; KOPS_AUDIT_WORKERS=N sets the number (1: one thread), `auto` one per core
 * whatever the size. Measured on the 2-core bench machine, 300 MB at load average ~2.5: 0.64 s with two
 * threads against 0.73 s with one; when other work keeps both cores busy, one thread is as fast
 * (README, simulate).
 */
export async function parallelPlan(
  events: string,
  ctx: Ctx,
): Promise<{ file: string; size: number; workers: number } | undefined> {
  const asked = ctx.env.KOPS_AUDIT_WORKERS;
  if (events === '-') return undefined;
  const byDefault = asked === undefined || asked === '';
  const workers = Math.min(
    byDefault || asked === 'auto' ? availableParallelism() : Number.parseInt(asked, 10),
    MAX_WORKERS,
  );
  if (!(workers >= 2)) return undefined;
  const file = path.resolve(ctx.cwd, events);
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (!stat.isFile() || (byDefault && stat.size < PARALLEL_FROM_BYTES)) return undefined;
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return undefined; // gzip: one stream, read in order
    return { file, size: stat.size, workers };
  } catch {
    return undefined; // the sequential reader reports the problem
  } finally {
    await handle?.close();
  }
}

/** The `--output json` object (issue 5): input, then one entry per policy, then the comparisons. */
export function jsonView(summary: ReadSummary, result: SimulationResult, price?: ShipPrice): object {
  return {
    input: {
      source: summary.source,
      gzip: summary.gzip,
      truncated: summary.truncated,
      bytesRead: summary.bytesRead,
      bytes: summary.textBytes,
      lines: summary.lines,
      events: result.input.events,
      malformed: summary.malformed,
      from: result.input.from,
      to: result.input.to,
      spanSeconds: result.input.spanSeconds,
      recordedLevels: result.input.recordedLevels,
      stages: result.input.stages,
    },
    policies: result.policies,
    comparisons: result.comparisons,
    notes: result.notes,
    // Only with --ship-to or --price-per-gb: the ingest cost per day of each policy, in US dollars.
    ...(price
      ? {
          shipping: {
            usdPerGb: price.usdPerGb,
            priceSource: price.source,
            costPerDay: result.policies.map((p) => ({
              policy: p.policy,
              usd: p.perDay ? ingestCost(p.perDay.bytes, price) : null,
            })),
          },
        }
      : {}),
  };
}

/** bytes read, events/s and ETA on stderr, rewritten in place; only on a terminal. */
function progressLine(ctx: Ctx): { update: (p: ReadProgress) => void; clear: () => void } {
  const started = ctx.now();
  let last = started;
  let drawn = false;
  return {
    update(p) {
      const now = ctx.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      drawn = true;
      ctx.io.stderr.write(`\r\u001b[K${formatProgress(p, now - started)}`);
    },
    clear() {
      if (drawn) ctx.io.stderr.write('\r\u001b[K');
    },
  };
}
