import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './paths.js';

/**
 * Compare user-visible text with test/golden/<name>. `UPDATE_GOLDEN=1` rewrites the file; review the
 * change in the diff. A missing golden file fails the test (it is never created silently in CI).
 */
export function expectGolden(actual: string, name: string): void {
  const file = path.join(REPO_ROOT, 'test/golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`golden file test/golden/${name} is missing; run with UPDATE_GOLDEN=1 and review it`);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
