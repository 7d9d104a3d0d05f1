import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root directory (the one holding templates/), found from this module whether it runs
 * bundled from dist/ or from src/ under the tests.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'templates', 'basic.yaml'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('kops-audit is installed without its templates/ directory');
}

export function templatePath(name: string): string {
  return path.join(packageRoot(), 'templates', `${name}.yaml`);
}
