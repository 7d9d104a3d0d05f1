/**
 * The command examples of the user docs (README.md, docs/reference.md) are run, so they cannot drift
 * from what the tool does.
 *
 * - A ```sh block is run line by line in a fresh sandbox (the files the examples name, and the kops
 *   emulator on PATH with the cluster prod.example.com): every `kops-audit` line must exit 0, or the
 *   code a trailing `# exit N` comment gives. Lines that do not run kops-audit (npm, export) are left
 *   out; pipes with `kops` run against the emulator.
 * - A ```console block is a session: each `$ kops-audit ...` line is run in one sandbox, and what it
 *   prints (stdout and stderr, in order) must be the lines below it, where a line `...` stands for any
 *   number of lines and a line ending in `...` for any line that starts with what comes before. A
 *   command line ending in `\` or `|` goes on on the next line.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../bench/generate-log.mjs';
import { emulatorWorld } from '../helpers/kops-emulator.js';
import { CLI, REPO_ROOT } from '../helpers/paths.js';
import { seedCluster } from '../kops-emulator/store.mjs';

const DOCS = ['README.md', 'docs/reference.md'];

interface Block {
  doc: string;
  kind: 'sh' | 'console';
  /** 1-based line of the opening fence. */
  line: number;
  lines: string[];
}

function blocks(doc: string): Block[] {
  const found: Block[] = [];
  let current: Block | undefined;
  readFileSync(path.join(REPO_ROOT, doc), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const fence = /^```(\w*)/.exec(text);
      if (!fence) {
        current?.lines.push(text);
        return;
      }
      if (current) {
        found.push(current);
        current = undefined;
      } else if (fence[1] === 'sh' || fence[1] === 'console') {
        current = { doc, kind: fence[1], line: i + 1, lines: [] };
      } else {
        // Another language: skip to its closing fence.
        current = { doc, kind: 'sh', line: -1, lines: [] };
      }
    });
  return found.filter((b) => b.line > 0);
}

/** A sandbox with the files the README's examples name, and kops (the emulator) with one cluster. */
function sandbox(): { dir: string; env: NodeJS.ProcessEnv } {
  const world = emulatorWorld('1.28.4');
  seedCluster(world.stateDir, 'prod.example.com');
  const dir = path.join(world.dir, 'work');
  mkdirSync(dir);
  cpSync(path.join(REPO_ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  copyFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), path.join(dir, 'cluster.yaml'));
  copyFileSync(path.join(REPO_ROOT, 'examples/webhook.kubeconfig'), path.join(dir, 'webhook.kubeconfig'));
  // Tokens the shipping examples read with --ship-credentials.
  for (const token of ['grafana.token', 'audit.token', 'mezmo.key'])
    writeFileSync(path.join(dir, token), 'glc_example-token\n');
  writeFileSync(path.join(dir, 'hec.token'), '12345678-1234-1234-1234-123456789012\n');
  writeFileSync(path.join(dir, 'es.credentials'), 'fluent-bit:example-password\n');
  // stackdriver:// is for GCE clusters: the example cluster, on GCE.
  writeFileSync(
    path.join(dir, 'gce-cluster.yaml'),
    readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), 'utf8').replace(
      'cloudProvider: aws',
      'cloudProvider: gce',
    ),
  );
  // "Your own policy" in the examples: a valid one.
  copyFileSync(path.join(REPO_ROOT, 'templates/gce.yaml'), path.join(dir, 'my-policy.yaml'));
  const log = `${[...auditLogLines({ seed: 11, bytes: 600_000 })].join('\n')}\n`;
  writeFileSync(path.join(dir, 'audit.log'), log);
  writeFileSync(path.join(dir, 'audit.log.gz'), gzipSync(log));
  // `kops-audit` in an example is this build; a shim on PATH lets pipes and `$` lines use the name.
  const bin = path.join(world.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'kops-audit'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, {
    mode: 0o755,
  });
  const env = world.env({
    PATH: `${bin}${path.delimiter}${world.env().PATH}`,
    HOME: path.join(world.dir, 'home'),
    XDG_STATE_HOME: path.join(world.dir, 'state-home'),
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
  });
  return { dir, env: { ...process.env, ...env } as NodeJS.ProcessEnv };
}

function run(command: string, where: { dir: string; env: NodeJS.ProcessEnv }) {
  // Grouped, so that a redirection in the example (`> file`) keeps its own meaning.
  const result = spawnSync(
    'bash',
    [
      '-c',
      `{ ${command}
} 2>&1`,
    ],
    {
      cwd: where.dir,
      env: where.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return { code: result.status, output: result.stdout };
}

/** `expected` with `...` lines as "any lines here", against what was printed. */
function matches(expected: string[], actual: string[]): boolean {
  const [first, ...rest] = expected;
  if (first === undefined) return actual.length === 0;
  if (first.trim() === '...') {
    for (let skip = 0; skip <= actual.length; skip++) if (matches(rest, actual.slice(skip))) return true;
    return false;
  }
  const head = actual[0];
  if (head === undefined) return false;
  const same = first.endsWith('...') ? head.startsWith(first.slice(0, -3)) : head === first;
  return same && matches(rest, actual.slice(1));
}

function withoutTrailingBlanks(lines: string[]): string[] {
  const kept = [...lines];
  while (kept.length > 0 && kept.at(-1)!.trim() === '') kept.pop();
  return kept;
}

/** The `kops-audit` lines of an sh block: continuations joined, comments kept apart. */
function shCommands(block: Block): { command: string; exit: number }[] {
  const joined = block.lines.join('\n').replace(/\\\n\s*/g, '');
  return joined
    .split('\n')
    .map((line) => {
      const comment = /\s+#\s*(.*)$/.exec(line);
      const exit = comment ? /^exit (\d+)/.exec(comment[1]!) : null;
      return { command: comment ? line.slice(0, comment.index) : line, exit: exit ? Number(exit[1]) : 0 };
    })
    .filter(({ command }) => /(^|\|\s*)kops-audit\s/.test(command.trim()));
}

describe('the examples of the user docs', () => {
  const all = DOCS.flatMap(blocks);

  it('there are examples to run', () => {
    expect(all.filter((b) => b.kind === 'console').length).toBeGreaterThan(2);
    expect(all.filter((b) => shCommands(b).length > 0).length).toBeGreaterThan(2);
    // The harness must be able to fail: a wrong line and a wrong `...` match are told apart.
    expect(matches(['a', '...', 'c'], ['a', 'b', 'b', 'c'])).toBe(true);
    expect(matches(['a', '...', 'c'], ['a', 'b', 'd'])).toBe(false);
  });

  for (const block of all.filter((b) => b.kind === 'sh' && shCommands(b).length > 0)) {
    it(`${block.doc}:${block.line} (sh) runs`, () => {
      const where = sandbox();
      for (const { command, exit } of shCommands(block)) {
        const result = run(command, where);
        expect({ command, code: result.code, output: result.output }).toMatchObject({ command, code: exit });
      }
    });
  }

  for (const block of all.filter((b) => b.kind === 'console')) {
    it(`${block.doc}:${block.line} (console) prints what it shows`, () => {
      const where = sandbox();
      const sessions: { command: string; expected: string[] }[] = [];
      let continued = false;
      for (const line of block.lines) {
        const last = sessions.at(-1);
        if (continued && last) last.command += `\n${line}`;
        else if (line.startsWith('$ ')) sessions.push({ command: line.slice(2), expected: [] });
        else last?.expected.push(line);
        continued = (continued || line.startsWith('$ ')) && /[\\|]\s*$/.test(line);
      }
      for (const { command, expected } of sessions) {
        const actual = withoutTrailingBlanks(run(command, where).output.split('\n'));
        expected.splice(0, expected.length, ...withoutTrailingBlanks(expected));
        if (!matches(expected, actual)) {
          // Shows both in the failure message.
          expect({ command, output: actual.join('\n') }).toEqual({ command, output: expected.join('\n') });
        }
      }
    });
  }
});
