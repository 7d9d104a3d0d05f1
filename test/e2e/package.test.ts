import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

describe('npm pack', () => {
  it('ships the bundled CLI, all its files and the policy templates the commands read at run time', () => {
    // --ignore-scripts: the suite has built dist/ already; prepack would rebuild it.
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [{ files }] = JSON.parse(output) as [{ files: { path: string }[] }];
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/kops-audit.js',
        'dist/simulate-worker.js',
        'templates/basic.yaml',
        'templates/gce.yaml',
        'README.md',
        'package.json',
      ]),
    );
    // The chunks esbuild splits out have hashed names: every file of dist/ must go.
    const built = readdirSync(path.join(REPO_ROOT, 'dist')).map((name) => `dist/${name}`);
    expect(paths.filter((p) => p.startsWith('dist/')).sort()).toEqual(built.sort());
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('src/'))).toEqual([]);
  });
});
