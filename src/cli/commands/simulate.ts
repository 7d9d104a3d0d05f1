import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import type { Ctx } from '../../io.js';
import { RangeWorkers, readInParallel } from '../../logs/parallel.js';
import { type ReadProgress, type ReadSummary, readAuditLog } from '../../logs/read-audit-log.js';
import { type PolicyUnderTest, Simulation, type SimulationResult } from '../../logs/simulate.js';
import { compilePolicy } from '../../policy/evaluate.js';
import type { Policy } from '../../policy/types.js';
import { toJsonLine } from '../output.js';
import { readPolicyArg, writePolicyWarnings } from '../policy-arg.js';
import { formatProgress, formatSimulation } from '../views/simulate.js';

export interface SimulateOptions {
  /** basic, gce, or paths; the first is the one the others are compared with. */
  policies: string[];
  /** Audit log: a file, a .gz, or - for stdin. */
  events: string;
  output: 'text' | 'json';
}

const HELP = "Run 'kops-audit simulate --help' for what it takes.";
/** Redraw the progress line at most this often. */
const PROGRESS_EVERY_MS = 200;

/** Flags → options, or a UsageError that names the flag. Pure. */
export function parseSimulateFlags(flags: {
  policy?: string[];
  events?: string;
  output?: string;
}): SimulateOptions {
  const policies = flags.policy ?? [];
  if (policies.length === 0) {
    throw new UsageError('simulate needs at least one --policy (basic, gce, or a policy file).', {
      hint: HELP,
    });
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
  return { policies, events: flags.events, output: flags.output === 'json' ? 'json' : 'text' };
}

/**
 * Replay an audit log through one or more policies: what each would write (events, bytes, per level,
 * rule, user and resource, per day), and what the later ones drop that the first kept. Malformed lines
 * are reported, never fatal.
 */
export async function runSimulate(options: SimulateOptions, ctx: Ctx): Promise<number> {
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
      const { loaded, warnings } = await readPolicyArg(name, ctx);
      writePolicyWarnings(ctx, loaded.map.source, warnings);
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
  ctx.io.stdout.write(
    options.output === 'json' ? toJsonLine(jsonView(summary, result)) : formatSimulation(summary, result),
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
export function jsonView(summary: ReadSummary, result: SimulationResult): object {
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
