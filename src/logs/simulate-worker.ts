import { parentPort, workerData } from 'node:worker_threads';
import {
  everyFewMegabytes,
  type RangeRequest,
  subjectsOf,
  tallyRange,
  WORKER_KIND,
  type WorkerJob,
  type WorkerMessage,
  type WorkerStart,
} from './parallel.js';
import type { PolicyUnderTest } from './simulate.js';

/**
 * The entry of one simulate worker thread (see parallel.ts): told the job first, it tallies each range
 * of the log the main thread then sends, with a Simulation of its own, and sends the state back to be
 * merged. Built as dist/simulate-worker.js.
 */
function serve(): void {
  const port = parentPort!;
  let job: WorkerJob | undefined;
  let subjects: PolicyUnderTest[] = [];
  port.on('message', async (message: WorkerJob | RangeRequest) => {
    if (!('index' in message)) {
      job = message;
      subjects = subjectsOf(job.policies);
      return;
    }
    const { index, start, end } = message;
    try {
      const progress = everyFewMegabytes(({ bytesRead, events }) =>
        port.postMessage({ type: 'progress', bytesRead, events } satisfies WorkerMessage),
      );
      const result = await tallyRange(job!, subjects, { start, end }, progress);
      port.postMessage({ type: 'done', index, ...result } satisfies WorkerMessage);
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message } satisfies WorkerMessage);
    }
  });
}

if ((workerData as WorkerStart | undefined)?.kind === WORKER_KIND) serve();
