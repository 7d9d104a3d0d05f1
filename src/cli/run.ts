import { isatty } from 'node:tty';
import { STOP_SIGNALS } from '../errors.js';
import type { Ctx, TextSink } from '../io.js';
import { main } from './main.js';

// The only module that touches `process`: it builds the real context and hands the exit code back.
// src/bin.ts imports it.

/**
 * A process stream as a TextSink. When the reader goes away (`kops-audit ... | head`), writes fail
 * with EPIPE: stop writing quietly instead of dying with an unhandled 'error' event.
 */
function sinkFor(stream: NodeJS.WriteStream): TextSink & { flushed(): Promise<void> } {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write: (text) => {
      if (!closed) stream.write(text);
    },
    isTTY: Boolean(stream.isTTY),
    /** Settles once all that was written has been handed to the OS (or the reader went away). */
    flushed: () =>
      new Promise<void>((resolve) => {
        if (closed || stream.destroyed) resolve();
        // Streams write in order, so an empty write's callback comes after every earlier write.
        else stream.write('', () => resolve());
      }),
  };
}

const stdout = sinkFor(process.stdout);
const stderr = sinkFor(process.stderr);

const ctx: Ctx = {
  io: {
    // process.stdin is built on first use, and building it loads the stream modules (~5 ms): only
    // the commands that read stdin should pay for it.
    get stdin() {
      return process.stdin;
    },
    stdinIsTTY: isatty(0),
    stdout,
    stderr,
  },
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
  onInterrupt(handler) {
    // While a handler is registered, Ctrl-C is the command's to handle (e.g. forward it to kops and
    // wait); otherwise Node's default applies and the process ends at once.
    // SIGTERM (a cancelled CI job) and SIGHUP (a dropped ssh session) too: stopping at once would
    // leave a temporary spec behind (it can hold the webhook's credentials) and no word on the state.
    const listeners = STOP_SIGNALS.map((signal) => [signal, () => handler(signal)] as const);
    for (const [signal, listener] of listeners) process.on(signal, listener);
    return () => {
      for (const [signal, listener] of listeners) process.off(signal, listener);
    };
  },
};

// The command is done: exit once its output is out, as kops and kubectl do, instead of when the
// event loop empties, which first waits for V8 to finish optimizing code that will never run again.
void main(process.argv.slice(2), ctx).then(async (code) => {
  process.exitCode = code;
  await Promise.all([stdout.flushed(), stderr.flushed()]);
  process.exit();
});
