import { Readable } from 'node:stream';
import type { Ctx, TextSink } from '../../src/io.js';

export interface BufferSink extends TextSink {
  text: string;
}

export function bufferSink(isTTY = false): BufferSink {
  const sink = {
    text: '',
    isTTY,
    write(chunk: string) {
      sink.text += chunk;
    },
  };
  return sink;
}

export interface TestCtx extends Ctx {
  out: BufferSink;
  err: BufferSink;
}

/** A command context over buffers: stdin from `input`, no terminal unless asked, a fixed clock. */
export function testCtx(
  options: { input?: string; tty?: boolean; env?: Record<string, string>; cwd?: string } = {},
): TestCtx {
  const out = bufferSink(options.tty ?? false);
  const err = bufferSink(options.tty ?? false);
  return {
    io: {
      stdin: Readable.from(options.input === undefined ? [] : [options.input]),
      stdinIsTTY: options.tty ?? false,
      stdout: out,
      stderr: err,
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    now: () => Date.parse('2026-01-02T03:04:05Z'),
    out,
    err,
  };
}
