import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The fenced code blocks of docs/reference.md under `heading` (up to the next heading of its level or above). */
export function readmeCodeBlocks(heading: string): Array<{ lang: string; code: string }> {
  const text = readFileSync(path.join(REPO_ROOT, 'docs/reference.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/reference.md has no heading ${JSON.stringify(heading)}`);
  const level = heading.indexOf(' ');
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  const part = end < 0 ? rest : rest.slice(0, end);
  return [...part.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}
