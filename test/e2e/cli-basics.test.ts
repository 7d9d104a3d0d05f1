import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CLI, REPO_ROOT } from '../helpers/paths.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('kops-audit (built CLI)', () => {
  it('--version prints the package version and exits 0', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('an unknown command is one paragraph with a hint, exit 1, no stack trace', async () => {
    const result = await runCli(['enabel']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: unknown command 'enabel'/);
    expect(result.stderr).toContain("Run 'kops-audit --help'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('output into a closed pipe', () => {
  it('`enable --stdout | head -1` ends quietly instead of crashing on EPIPE', async () => {
    const { spawnSync } = await import('node:child_process');
    // More than a pipe buffer (64 KiB) of output, so writes are still pending when head exits.
    const bigComment = '# padding line to make the spec larger than a pipe buffer\n'.repeat(4000);
    const spec = bigComment + readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), 'utf8');
    const script = `node "${CLI}" enable -f - --stdout --policy basic | head -1; echo "node exit \${PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', script], {
      input: spec,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(result.stdout).toBe('# padding line to make the spec larger than a pipe buffer\n');
    expect(result.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(result.stderr).toMatch(/node exit 0\n$/);
  });
});

describe('exit', () => {
  it('a command exits as soon as it is done, yet a large output through a pipe arrives whole', async () => {
    // bin.ts exits without waiting for the event loop to empty; it must wait for the output first.
    const padding = '# a comment line that pads the spec to well over a megabyte of output\n'.repeat(20000);
    const spec = padding + readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), 'utf8');
    const result = await runCli(['enable', '-f', '-', '--stdout', '--policy', 'basic'], { input: spec });
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(spec.length);
    expect(result.stdout.startsWith(padding)).toBe(true);
    expect(result.stdout.endsWith(spec.slice(spec.lastIndexOf('\n', spec.length - 2) + 1))).toBe(true);
  });
});

describe('compile cache (src/launch/bundle-loader.ts)', () => {
  const demo = ['enable', '-f', 'examples/cluster.yaml', '--dry-run', '--policy', 'gce'];

  it('the first run saves the compiled bundles per command; later runs read them and print the same', async () => {
    const cacheHome = mkdtempSync(path.join(tmpdir(), 'xdg-'));
    const env = { XDG_CACHE_HOME: cacheHome };
    const first = await runCli(demo, { env });
    const files = readdirSync(path.join(cacheHome, 'kops-audit')).sort();
    expect(files).toEqual([
      expect.stringMatching(/^app-[0-9a-f]{16}-enable-node.*\.v8cache$/),
      expect.stringMatching(/^cli-[0-9a-f]{16}-enable-node.*\.v8cache$/),
    ]);
    const second = await runCli(demo, { env });
    expect(second).toEqual(first);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('+    - name: kops-audit-policy');
    // A cache V8 cannot use (here: garbage) is compiled anew, with the same output.
    for (const file of files) writeFileSync(path.join(cacheHome, 'kops-audit', file), 'garbage');
    expect(await runCli(demo, { env })).toEqual(first);
  });

  it('after a first run that fails early, the next run that succeeds saves what it compiled', async () => {
    const cacheHome = mkdtempSync(path.join(tmpdir(), 'xdg-'));
    const env = { XDG_CACHE_HOME: cacheHome };
    const appCache = () => {
      const dir = path.join(cacheHome, 'kops-audit');
      const name = readdirSync(dir).find((f) => f.startsWith('app-'))!;
      return statSync(path.join(dir, name)).size;
    };
    const failed = await runCli(['enable', '-f', 'no-such-cluster.yaml', '--dry-run'], { env });
    expect(failed.code).toBe(1);
    const early = appCache();
    expect((await runCli(demo, { env })).code).toBe(0);
    // The parser, the editor and the diff, compiled by the run that got that far: without them in
    // the cache, every later run would compile them again.
    expect(appCache()).toBeGreaterThan(early * 1.5);
  });

  it('KOPS_AUDIT_NO_COMPILE_CACHE keeps nothing', async () => {
    const cacheHome = mkdtempSync(path.join(tmpdir(), 'xdg-'));
    const result = await runCli(['--version'], {
      env: { XDG_CACHE_HOME: cacheHome, KOPS_AUDIT_NO_COMPILE_CACHE: '1' },
    });
    expect(result.code).toBe(0);
    expect(readdirSync(cacheHome)).toEqual([]);
  });
});
