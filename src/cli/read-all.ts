import type { Readable } from 'node:stream';

/** All of a stream (stdin for `-f -` and `--policy -`) as UTF-8 text; such inputs are small. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
