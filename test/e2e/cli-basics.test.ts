import { readFileSync } from 'node:fs';
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
  it('a large output through a pipe arrives whole before the process ends', async () => {
    const padding = '# a comment line that pads the spec to well over a megabyte of output\n'.repeat(20000);
    const spec = padding + readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), 'utf8');
    const result = await runCli(['enable', '-f', '-', '--stdout', '--policy', 'basic'], { input: spec });
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(spec.length);
    expect(result.stdout.startsWith(padding)).toBe(true);
    expect(result.stdout.endsWith(spec.slice(spec.lastIndexOf('\n', spec.length - 2) + 1))).toBe(true);
  });
});

describe('help', () => {
  it('no arguments: the help on stdout, exit 0 (as kops and kubectl)', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kops-audit \[options\] \[command\]/);
    expect(result.stdout).toContain('enable [options] [cluster]');
    expect(result.stderr).toBe('');
  });

  it('help on a command that does not exist: one line, exit 1', async () => {
    const result = await runCli(['help', 'nosuch']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'Error: unknown help topic "nosuch"; kops-audit has help on render, enable, disable, status, explain, lint, order, simulate.\n',
    );
  });

  it("help on a command that exists is that command's help", async () => {
    const result = await runCli(['help', 'status']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kops-audit status/);
  });
});

describe('errors with --output json', () => {
  it('one JSON object on stdout as well as the words on stderr', async () => {
    const result = await runCli(['enable', '-f', 'no-such-spec.yaml', '-o', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      version: 1,
      error: {
        message: 'Cannot read the spec no-such-spec.yaml: no such file.',
        hint: expect.stringContaining('-f FILE'),
        exitCode: 1,
      },
    });
    expect(result.stderr).toMatch(/^Error: Cannot read the spec no-such-spec\.yaml: no such file\.\n/);
  });

  it('a flag error too, whichever way --output json is written', async () => {
    for (const json of [['-o', 'json'], ['--output=json'], ['-ojson'], ['--output', 'json']]) {
      const result = await runCli(['lint', ...json, '--no-such-flag', 'templates/gce.yaml']);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).error).toMatchObject({
        message: "unknown option '--no-such-flag'",
        hint: "Run 'kops-audit lint --help' for what it takes.",
        exitCode: 1,
      });
    }
  });

  it('without --output json, stdout stays empty on an error', async () => {
    const result = await runCli(['enable', '-f', 'no-such-spec.yaml']);
    expect(result.stdout).toBe('');
  });
});
