import { parentPort, workerData } from 'node:worker_threads';
import {
  everyFewMegabytes,
  type RangeRequest,
  subjectsOf,
  tallyRange,
  WORKER_KIND,
  type WorkerJob,
  type WorkerMessage,
} from './parallel.js';

/**
 * The entry of one simulate worker thread (see parallel.ts): tally each range of the log the main
 * thread sends, with a Simulation of its own, and send the state back to be merged. Built as
 * dist/simulate-worker.js.
 */
function serve(job: WorkerJob): void {
  const port = parentPort!;
  const subjects = subjectsOf(job.policies);
  port.on('message', async ({ index, start, end }: RangeRequest) => {
    try {
      const progress = everyFewMegabytes(({ bytesRead, events }) =>
        port.postMessage({ type: 'progress', bytesRead, events } satisfies WorkerMessage),
      );
      const result = await tallyRange(job, subjects, { start, end }, progress);
      port.postMessage({ type: 'done', index, ...result } satisfies WorkerMessage);
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message } satisfies WorkerMessage);
    }
  });
}

if ((workerData as WorkerJob | undefined)?.kind === WORKER_KIND) serve(workerData as WorkerJob);
