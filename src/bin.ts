#!/usr/bin/env node
import type { Ctx } from './cli/io.js';
import { main } from './cli/main.js';

// The only module that touches `process`: it builds the real context and hands the exit code back.
const ctx: Ctx = {
  io: {
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdout: { write: (text) => void process.stdout.write(text), isTTY: Boolean(process.stdout.isTTY) },
    stderr: { write: (text) => void process.stderr.write(text), isTTY: Boolean(process.stderr.isTTY) },
  },
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
  onInterrupt(handler) {
    // While a handler is registered, Ctrl-C is the command's to handle (e.g. forward it to kops and
    // wait); otherwise Node's default applies and the process ends at once.
    process.on('SIGINT', handler);
    return () => void process.off('SIGINT', handler);
  },
};

process.exitCode = await main(process.argv.slice(2), ctx);
