import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { UsageError } from '../errors.js';
import type { Ctx } from './io.js';

/**
 * Line-by-line reading of large files (audit logs, request lists) at constant memory: big read
 * chunks, manual splitting (faster than node:readline's async iterator), `.gz` decompressed on the
 * fly, `-` for stdin.
 */

const CHUNK = 1 << 20;

export function openInput(file: string, ctx: Ctx): Readable {
  if (file === '-') return ctx.io.stdin;
  const full = path.resolve(ctx.cwd, file);
  const stream = createReadStream(full, { highWaterMark: CHUNK });
  return file.endsWith('.gz') ? stream.pipe(createGunzip({ chunkSize: CHUNK })) : stream;
}

/** Calls onLine for every line (without its `\n` or `\r\n`), numbered from 1; returns the line count. */
export async function forEachLine(
  input: Readable,
  onLine: (line: string, lineNumber: number) => void,
  describe: { file: string; flag: string },
): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNumber = 0;
  const emit = (line: string) => {
    lineNumber++;
    onLine(line.endsWith('\r') ? line.slice(0, -1) : line, lineNumber);
  };
  try {
    for await (const chunk of input) {
      const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
      let start = 0;
      let end = text.indexOf('\n', start);
      while (end !== -1) {
        emit(text.slice(start, end));
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      rest = text.slice(start);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'Z_DATA_ERROR'
            ? 'it is not valid gzip'
            : (error as Error).message;
    throw new UsageError(`Cannot read ${describe.flag} ${describe.file}: ${reason}.`, {
      hint: `${describe.flag} takes a file of JSON lines (.gz allowed) or - for stdin.`,
      cause: error,
    });
  }
  rest += decoder.end();
  if (rest !== '') emit(rest);
  return lineNumber;
}
