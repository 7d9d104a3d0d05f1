import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Ctx } from '../io.js';
import { compilePolicy } from '../policy/evaluate.js';
import type { Policy } from '../policy/types.js';
import {
  emptySummary,
  MALFORMED_LINES_KEPT,
  type ReadProgress,
  type ReadSummary,
  readAuditLog,
} from './read-audit-log.js';
import { type PolicyUnderTest, Simulation, type SimulationState } from './simulate.js';

/**
 * simulate over a large plain file with several threads: the file is cut into byte ranges at line
 * boundaries, several per thread; the main thread and worker threads each take the next range when
 * done with one (so that a thread slowed by other load leaves more of the file to the others), tally
 * it with a Simulation of its own, and the main thread merges the tallies in file order (sums,
 * min/max times) and renumbers malformed lines. The result is the same as one sequential pass
 * (test/e2e/simulate.test.ts compares them); only the order of work differs.
 *
 * Each worker runs dist/simulate-worker.js (src/logs/simulate-worker.ts), an entry of its own built
 * into dist/ beside the chunk that holds this module (scripts/build.mjs).
 */

export const WORKER_KIND = 'kops-audit-simulate-range';
/** The worker's file, next to the bundle this module is built into. */
const WORKER_FILE = './simulate-worker.js';
/** Bytes read around a nominal cut to find the next line start. */
const PROBE_BYTES = 64 * 1024;
/** At least this many ranges per thread, and none longer than MAX_RANGE_BYTES. */
const RANGES_PER_THREAD = 4;
const MAX_RANGE_BYTES = 32 * 1024 * 1024;

export interface PolicyData {
  name: string;
  policy: Policy;
}

/** What a worker is started with (workerData): it is told the job by message, once known. */
export interface WorkerStart {
  kind: typeof WORKER_KIND;
}

/** The first message to a worker: what to read and with which policies. */
export interface WorkerJob {
  file: string;
  policies: PolicyData[];
  managedFields: boolean;
}

/** The next messages: tally this range. */
export interface RangeRequest {
  index: number;
  start: number;
  end: number;
}

export interface RangeResult {
  summary: ReadSummary;
  state: SimulationState;
}

export type WorkerMessage =
  | { type: 'progress'; bytesRead: number; events: number }
  | ({ type: 'done'; index: number } & RangeResult)
  | { type: 'error'; message: string };

export function subjectsOf(policies: readonly PolicyData[]): PolicyUnderTest[] {
  return policies.map(({ name, policy }) => ({
    name,
    evaluator: compilePolicy(policy),
    rules: policy.rules,
    omitStages: policy.omitStages,
  }));
}

/** A worker posts its progress after this many bytes. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

/** Tally bytes [start, end) of `file` (an absolute path) with a Simulation of its own. */
export async function tallyRange(
  job: Omit<WorkerJob, 'policies'>,
  subjects: readonly PolicyUnderTest[],
  range: { start: number; end: number },
  onProgress?: (progress: ReadProgress) => void,
): Promise<RangeResult> {
  const simulation = new Simulation(subjects);
  const summary = await readAuditLog(job.file, fileCtx(), {
    onEvent: (record) => simulation.add(record),
    reuseRecords: true, // Simulation.add keeps only strings
    onProgress,
    managedFields: job.managedFields,
    range,
  });
  return { summary, state: simulation.exportState() };
}

/** Progress every PROGRESS_BYTES or so, for a thread that reports by message. */
export function everyFewMegabytes(
  report: (progress: ReadProgress) => void,
): (progress: ReadProgress) => void {
  let last = 0;
  return (progress) => {
    if (progress.bytesRead - last < PROGRESS_BYTES) return;
    last = progress.bytesRead;
    report(progress);
  };
}

/** Ranges are read by absolute path; no thread touches stdin or the terminal for them. */
function fileCtx(): Ctx {
  const none = { write: () => {}, isTTY: false };
  return {
    io: { stdin: undefined as never, stdinIsTTY: false, stdout: none, stderr: none },
    env: {},
    cwd: '/',
    now: () => 0,
  };
}

/** Cut [0, size) into about `parts` ranges that start at line starts. */
export async function lineAlignedRanges(
  file: string,
  size: number,
  parts: number,
): Promise<Array<[number, number]>> {
  const handle = await open(file, 'r');
  try {
    const cuts = [0];
    const probe = Buffer.alloc(PROBE_BYTES);
    for (let k = 1; k < parts; k++) {
      let at = Math.max(Math.floor((k * size) / parts), cuts[cuts.length - 1]!);
      let cut = size;
      while (at < size) {
        const { bytesRead } = await handle.read(probe, 0, PROBE_BYTES, at);
        if (bytesRead === 0) break;
        const nl = probe.subarray(0, bytesRead).indexOf(0x0a);
        if (nl >= 0) {
          cut = at + nl + 1;
          break;
        }
        at += bytesRead;
      }
      cuts.push(cut);
    }
    cuts.push(size);
    const ranges: Array<[number, number]> = [];
    for (let k = 0; k + 1 < cuts.length; k++)
      if (cuts[k + 1]! > cuts[k]!) ranges.push([cuts[k]!, cuts[k + 1]!]);
    return ranges;
  } finally {
    await handle.close();
  }
}

/**
 * Worker threads started ahead of the work: a worker takes tens of milliseconds to start, which the
 * main thread spends loading the policies meanwhile. Close them when done (or when the work is not
 * done after all).
 */
export class RangeWorkers {
  readonly threads: Worker[];
  /** Why each worker failed before it was given work, if it did. */
  private readonly failures: Array<Error | undefined>;

  constructor(count: number) {
    this.threads = Array.from(
      { length: count },
      () =>
        new Worker(new URL(WORKER_FILE, import.meta.url), {
          workerData: { kind: WORKER_KIND } satisfies WorkerStart,
          resourceLimits: { maxYoungGenerationSizeMb: 2 },
        }),
    );
    this.failures = this.threads.map(() => undefined);
    this.threads.forEach((worker, k) => {
      worker.on('error', (error) => {
        this.failures[k] ??= error;
      });
      worker.on('exit', (code) => {
        this.failures[k] ??= new Error(`simulate worker stopped (exit code ${code})`);
      });
    });
  }

  failure(k: number): Error | undefined {
    return this.failures[k];
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((worker) => worker.terminate()));
  }
}

export interface ParallelOptions {
  file: string;
  size: number;
  /** The worker threads; the main thread reads too. */
  workers: RangeWorkers;
  policies: PolicyData[];
  managedFields: boolean;
  onProgress?: (progress: ReadProgress) => void;
}

/**
 * Read `file` with the main thread and `workers` into `simulation`; returns the summary one pass
 * would give. The caller closes the workers.
 */
export async function readInParallel(options: ParallelOptions, simulation: Simulation): Promise<ReadSummary> {
  const { file, size, workers, policies, managedFields } = options;
  const threads = workers.threads.length + 1;
  const parts = Math.max(threads * RANGES_PER_THREAD, Math.ceil(size / MAX_RANGE_BYTES));
  const ranges = await lineAlignedRanges(file, size, parts);
  const results: RangeResult[] = new Array(ranges.length);
  let next = 0;
  const take = (): number | undefined => (next < ranges.length ? next++ : undefined);

  // Progress: the ranges done, plus how far each thread is in its current one.
  const current = Array.from({ length: threads }, () => ({ bytesRead: 0, events: 0 }));
  const finished = { bytesRead: 0, events: 0 };
  const report = () =>
    options.onProgress?.({
      bytesRead: current.reduce((n, p) => n + p.bytesRead, finished.bytesRead),
      totalBytes: size,
      events: current.reduce((n, p) => n + p.events, finished.events),
    });
  const finish = (thread: number, index: number, result: RangeResult) => {
    results[index] = result;
    finished.bytesRead += result.summary.bytesRead;
    finished.events += result.summary.events;
    current[thread] = { bytesRead: 0, events: 0 };
    report();
  };

  const onWorker = (worker: Worker, thread: number) =>
    new Promise<void>((resolve, reject) => {
      const early = workers.failure(thread - 1);
      if (early) {
        reject(early);
        return;
      }
      let settled = false;
      const give = () => {
        const index = take();
        if (index === undefined) {
          settled = true;
          resolve();
          return;
        }
        const [start, end] = ranges[index]!;
        worker.postMessage({ index, start, end } satisfies RangeRequest);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          current[thread] = { bytesRead: message.bytesRead, events: message.events };
          report();
        } else if (message.type === 'done') {
          finish(thread, message.index, message);
          give();
        } else {
          settled = true;
          reject(new Error(message.message));
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (!settled) reject(new Error(`simulate worker stopped (exit code ${code})`));
      });
      worker.postMessage({ file, policies, managedFields } satisfies WorkerJob);
      give();
    });

  // The main thread takes ranges too: it has everything loaded already, a worker would start cold.
  const onMain = async () => {
    const subjects = subjectsOf(policies);
    for (let index = take(); index !== undefined; index = take()) {
      const [start, end] = ranges[index]!;
      const result = await tallyRange({ file, managedFields }, subjects, { start, end }, (p) => {
        current[0] = { bytesRead: p.bytesRead, events: p.events };
        report();
      });
      finish(0, index, result);
    }
  };

  try {
    await Promise.all([onMain(), ...workers.threads.map((worker, k) => onWorker(worker, k + 1))]);
  } catch (error) {
    next = ranges.length; // the other threads stop after their current range
    throw error;
  }

  const summary = emptySummary(file);
  for (const { summary: part, state } of results) {
    simulation.mergeState(state);
    for (const m of part.malformed.first) {
      if (summary.malformed.first.length < MALFORMED_LINES_KEPT) {
        summary.malformed.first.push({ line: m.line + summary.lines, reason: m.reason });
      }
    }
    summary.malformed.count += part.malformed.count;
    summary.bytesRead += part.bytesRead;
    summary.textBytes += part.textBytes;
    summary.lines += part.lines;
    summary.blank += part.blank;
    summary.events += part.events;
  }
  return summary;
}
