import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The directory holding the fake `kops`; tests put it first on PATH. */
export const EMULATOR_DIR = path.join(REPO_ROOT, 'test/kops-emulator');
export const EMULATOR_KOPS = path.join(EMULATOR_DIR, 'kops');

export interface Invocation {
  argv: string[];
  version: string;
  command?: string;
  stateStore?: string;
  clusterName?: string;
  exitCode: number;
  signal?: string;
  stdin?: string;
  files?: { path: string; mode: string; content: string }[];
}

/** A fresh state store directory and invocation log for one test. */
export interface EmulatorWorld {
  dir: string;
  stateDir: string;
  logFile: string;
  /** Environment that makes `kops` the emulator, over this world's state store. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  invocations(): Invocation[];
}

export function emulatorWorld(version = '1.28.4'): EmulatorWorld {
  chmodSync(EMULATOR_KOPS, 0o755);
  const dir = mkdtempSync(path.join(tmpdir(), 'kops-emu-'));
  const stateDir = path.join(dir, 'state');
  const logFile = path.join(dir, 'kops.jsonl');
  return {
    dir,
    stateDir,
    logFile,
    env: (extra = {}) => ({
      PATH: `${EMULATOR_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
      KOPS_STATE_STORE: `file://${stateDir}`,
      KOPS_EMULATOR_VERSION: version,
      KOPS_EMULATOR_LOG: logFile,
      KOPS_CLUSTER_NAME: undefined,
      ...extra,
    }),
    invocations: () =>
      existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as Invocation)
        : [],
  };
}

export interface KopsResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the emulator directly (for its own tests). */
export function runKops(
  args: readonly string[],
  env: Record<string, string | undefined>,
  input = '',
): Promise<KopsResult> {
  return new Promise((resolve, reject) => {
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) merged[k] = v;
    const child = spawn(EMULATOR_KOPS, [...args], { env: merged, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** stderr without kops' klog lines (`W1125 12:00:00.000000   123 file.go:1] ...`). */
export function withoutKlog(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}/.test(l))
    .join('\n');
}
