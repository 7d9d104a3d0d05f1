// Shared by the cluster-mode e2e tests: a seeded emulator world and the built CLI run against it.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { readCluster, seedCluster } from '../kops-emulator/store.mjs';
import { runCli } from './cli.js';
import { emulatorWorld } from './kops-emulator.js';

export const NAME = 'demo.example.com';
export const ENABLE = ['enable', NAME, '--policy', 'basic'];

export function world(version = '1.28.4', options: { apiserver?: boolean } = {}) {
  const w = emulatorWorld(version);
  seedCluster(w.stateDir, NAME, options);
  const backups = path.join(w.dir, 'backups');
  const env = (extra: Record<string, string> = {}) => ({
    ...w.env(extra),
    XDG_STATE_HOME: path.join(w.dir, 'xdg'),
  });
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli([...args, '--backup-dir', backups], { env: env(extra), timeoutMs: 60_000 });
  const commands = () =>
    w.invocations().map((i) => [i.command, ...i.argv.filter((a) => a === '--yes')].join(' '));
  const audited = () => JSON.stringify(readCluster(w.stateDir, NAME)!.spec).includes('auditPolicyFile');
  /** Paths differ per run; goldens see them as <tmp>. */
  const normal = (text: string) =>
    text
      .split(w.dir)
      .join('<tmp>')
      .replace(/-\d{8}T\d{6}Z/g, '-<time>');
  return { ...w, backups, env, cli, commands, audited, normal };
}

/** Collect a child's output until `text` shows up (keys typed before a prompt renders are lost). */
export async function waitFor(
  child: ChildProcessWithoutNullStreams,
  text: string,
  stream: 'stdout' | 'stderr' = 'stderr',
): Promise<{ text: string }> {
  const seen = { text: '' };
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    if (stream === 'stdout') seen.text += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    if (stream === 'stderr') seen.text += c;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${JSON.stringify(text)}; saw:\n${seen.text}`)),
      20_000,
    );
    const check = setInterval(() => {
      if (seen.text.includes(text)) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
  });
  return seen;
}
