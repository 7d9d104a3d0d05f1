import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../bench/generate-log.mjs';
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
        'dist/THIRD-PARTY-LICENSES.txt',
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

describe('the packed tarball, installed where nothing else is', () => {
  const run = promisify(execFile);

  it('installs offline with no dependencies, and every command runs from there', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'kops-pack-'));
    // The npm cache of this test only: no registry, no cache of the user's.
    const npm = (args: string[]) =>
      run('npm', [...args, '--cache', path.join(tmp, 'npm-cache'), '--no-audit', '--no-fund'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
    // --ignore-scripts: the suite has built dist/ already; prepack would rebuild it.
    await npm(['pack', '--ignore-scripts', '--pack-destination', tmp]);
    const [tarball] = readdirSync(tmp).filter((name) => name.endsWith('.tgz'));
    const prefix = path.join(tmp, 'prefix');
    await npm(['install', '--global', '--offline', '--prefix', prefix, path.join(tmp, tarball!)]);

    const installed = path.join(prefix, 'lib', 'node_modules');
    expect(readdirSync(installed)).toEqual(['kops-audit']);
    expect(existsSync(path.join(installed, 'kops-audit', 'node_modules'))).toBe(false);

    copyFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), path.join(tmp, 'cluster.yaml'));
    writeFileSync(
      path.join(tmp, 'audit.log'),
      `${[...auditLogLines({ seed: 3, bytes: 40_000 })].join('\n')}\n`,
    );
    // The bin as npm linked it (its #! line finds node on PATH), run away from the repository.
    const bin = path.join(prefix, 'bin', 'kops-audit');
    const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };
    // Rejects when the command exits other than 0, so every call below also checks that.
    const kopsAudit = (args: string[], extra: Record<string, string> = {}) =>
      run(bin, args, { cwd: tmp, encoding: 'utf8', env: { ...env, ...extra } });

    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await kopsAudit(['--version'])).stdout).toBe(`${pkg.version}\n`);
    const commands = ['render', 'enable', 'disable', 'status', 'explain', 'lint', 'simulate'];
    const helps = await Promise.all(commands.map((command) => kopsAudit([command, '--help'])));
    for (const [i, help] of helps.entries()) {
      expect(help.stdout).toMatch(new RegExp(`^Usage: kops-audit ${commands[i]} `));
    }

    const enable = await kopsAudit(['enable', '-f', 'cluster.yaml', '--dry-run', '--policy', 'gce']);
    expect(enable.stdout).toMatch(/^--- a\/cluster\.yaml\n\+\+\+ b\/cluster\.yaml\n@@ /);
    expect(enable.stdout).toContain('+    - name: kops-audit-policy');

    // Two worker threads as well: the worker's entry must be found inside the installed package.
    const simulate = ['simulate', '--policy', 'gce', '--events', 'audit.log', '--output', 'json'];
    const [sequential, parallel] = await Promise.all([
      kopsAudit(simulate, { KOPS_AUDIT_WORKERS: '1' }),
      kopsAudit(simulate, { KOPS_AUDIT_WORKERS: '2' }),
    ]);
    expect(JSON.parse(sequential.stdout).input.events).toBeGreaterThan(0);
    expect(parallel.stdout).toBe(sequential.stdout);
    expect(sequential.stderr + parallel.stderr).toBe('');
  });
});
