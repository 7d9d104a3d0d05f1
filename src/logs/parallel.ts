import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { compilePolicy } from '../policy/evaluate.js';
import type { Policy } from '../policy/types.js';
import { emptySummary, MALFORMED_LINES_KEPT, type ReadProgress, type ReadSummary } from './read-audit-log.js';
import type { Simulation, SimulationState } from './simulate.js';

/**
 * simulate over a large plain file with worker threads: the file is cut into byte ranges at line
 * boundaries, each worker reads and tallies its range with its own Simulation, and the main thread
 * merges the tallies (sums, min/max times) and renumbers malformed lines. The result is the same as
 * one sequential pass (test/e2e/simulate.test.ts compares them); only the order of work differs.
 *
 * Each worker runs dist/simulate-worker.js (src/logs/simulate-worker.ts), an entry of its own built
 * into dist/ beside the chunk that holds this module (scripts/build.mjs).
 */

export const WORKER_KIND = 'kops-audit-simulate-range';
/** The worker's file, next to the bundle this module is built into. */
const WORKER_FILE = './simulate-worker.js';
/** Bytes read around a nominal cut to find the next line start. */
const PROBE_BYTES = 64 * 1024;

export interface PolicyData {
  name: string;
  policy: Policy;
}

export interface RangeJob {
  kind: typeof WORKER_KIND;
  file: string;
  start: number;
  end: number;
  policies: PolicyData[];
  managedFields: boolean;
}

export type WorkerMessage =
  | { type: 'progress'; bytesRead: number; events: number }
  | { type: 'done'; summary: ReadSummary; state: SimulationState }
  | { type: 'error'; message: string };

export function subjectsOf(policies: readonly PolicyData[]) {
  return policies.map(({ name, policy }) => ({
    name,
    evaluator: compilePolicy(policy),
    rules: policy.rules,
    omitStages: policy.omitStages,
  }));
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

export interface ParallelOptions {
  file: string;
  size: number;
  workers: number;
  policies: PolicyData[];
  managedFields: boolean;
  onProgress?: (progress: ReadProgress) => void;
}

/** Read `file` with `workers` threads into `simulation`; returns the summary one pass would give. */
export async function readInParallel(options: ParallelOptions, simulation: Simulation): Promise<ReadSummary> {
  const ranges = await lineAlignedRanges(options.file, options.size, options.workers);
  const progress = ranges.map(() => ({ bytesRead: 0, events: 0 }));
  const report = () =>
    options.onProgress?.({
      bytesRead: progress.reduce((n, p) => n + p.bytesRead, 0),
      totalBytes: options.size,
      events: progress.reduce((n, p) => n + p.events, 0),
    });
  const results = await Promise.all(
    ranges.map(
      ([start, end], index) =>
        new Promise<{ summary: ReadSummary; state: SimulationState }>((resolve, reject) => {
          const job: RangeJob = {
            kind: WORKER_KIND,
            file: options.file,
            start,
            end,
            policies: options.policies,
            managedFields: options.managedFields,
          };
          const worker = new Worker(new URL(WORKER_FILE, import.meta.url), {
            workerData: job,
            resourceLimits: { maxYoungGenerationSizeMb: 2 },
          });
          let settled = false;
          worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'progress') {
              progress[index] = { bytesRead: message.bytesRead, events: message.events };
              report();
            } else if (message.type === 'done') {
              settled = true;
              resolve({ summary: message.summary, state: message.state });
            } else {
              settled = true;
              reject(new Error(message.message));
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (!settled) reject(new Error(`simulate worker stopped (exit code ${code})`));
          });
        }),
    ),
  );
  const summary = emptySummary(options.file);
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
