import { parentPort, workerData } from 'node:worker_threads';
import { type RangeJob, subjectsOf, WORKER_KIND, type WorkerMessage } from './parallel.js';
import { readAuditLog } from './read-audit-log.js';
import { Simulation } from './simulate.js';

/**
 * The entry of one simulate worker thread (see parallel.ts): tally one byte range of the log with its
 * own Simulation and send the state back to be merged. Built as dist/simulate-worker.js.
 */

/** The worker side: tally one range and send the state back. */
async function runRange(job: RangeJob): Promise<void> {
  const port = parentPort!;
  try {
    const simulation = new Simulation(subjectsOf(job.policies));
    let lastPost = 0;
    const summary = await readAuditLog(job.file, workerCtx(), {
      onEvent: (record) => simulation.add(record),
      reuseRecords: true, // Simulation.add keeps only strings
      onProgress: (p) => {
        if (p.bytesRead - lastPost < 8 * 1024 * 1024) return;
        lastPost = p.bytesRead;
        port.postMessage({
          type: 'progress',
          bytesRead: p.bytesRead,
          events: p.events,
        } satisfies WorkerMessage);
      },
      managedFields: job.managedFields,
      range: { start: job.start, end: job.end },
    });
    port.postMessage({ type: 'done', summary, state: simulation.exportState() } satisfies WorkerMessage);
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).message } satisfies WorkerMessage);
  }
}

/** Workers read a file by absolute path; they never touch stdin or the terminal. */
function workerCtx() {
  const none = { write: () => {}, isTTY: false };
  return {
    io: { stdin: undefined as never, stdinIsTTY: false, stdout: none, stderr: none },
    env: {},
    cwd: '/',
    now: () => 0,
  };
}

if ((workerData as RangeJob | undefined)?.kind === WORKER_KIND) void runRange(workerData as RangeJob);
