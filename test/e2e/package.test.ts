import { execFileSync } from 'node:child_process';
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
        'dist/kops-audit.cjs',
        'dist/cli.cjs',
        'dist/app.cjs',
        'dist/errors.cjs',
        'dist/simulate-worker.cjs',
        'templates/basic.yaml',
        'templates/gce.yaml',
        'README.md',
        'package.json',
      ]),
    );
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('src/'))).toEqual([]);
  });
});
