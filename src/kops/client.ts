import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitCodeOfSignal, InterruptedError, KopsError, type StopSignal } from '../errors.js';
import type { Ctx } from '../io.js';
import { hasGetAll } from '../spec/compat.js';
import { type KopsVersion, parseKopsVersionOutput } from '../spec/kops-version.js';
import type { Runner, RunningProcess, RunResult } from './runner.js';

export interface KopsClientOptions {
  runner: Runner;
  /** `--kops PATH`; default `kops` looked up on PATH. */
  kopsPath?: string;
  /** `--state`, passed through to every kops call; otherwise kops reads KOPS_STATE_STORE itself. */
  state?: string;
  env: Ctx['env'];
  cwd?: string;
  /** Each chunk kops prints while it changes things (replace, update, rolling-update). */
  onOutput?: (text: string) => void;
  /** Directory for the temporary spec file of `kops replace` (default: the OS temp dir). */
  tmpDir?: string;
}

/** A kops command that failed; `kopsLine` is kops' own `Error:` line. */
export class KopsCommandError extends KopsError {
  constructor(
    readonly command: string,
    readonly kopsLine: string,
    readonly kopsExitCode: number | undefined,
  ) {
    super(`\`${command}\` failed: ${kopsLine}`);
  }
}

/** kops' own error line: cobra's `Error: ...`, or `error: ...` as kops ≤1.21 printed it. */
export function kopsErrorLine(stderr: string): string | undefined {
  const lines = stderr.split('\n');
  for (const prefix of [/^Error: (.+)$/, /^error: (.+)$/]) {
    for (const line of lines) {
      const m = prefix.exec(line);
      if (m) return m[1];
    }
  }
  return undefined;
}

const KLOG = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}/;

/** POSIX-shell quoting, so commands in messages can be pasted as they are. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The only code that runs kops: one method per kops command kops-audit needs, always with `--name`
 * (never a positional name, which kops refuses next to KOPS_CLUSTER_NAME), failures mapped to
 * KopsCommandError quoting kops, Ctrl-C forwarded to the running kops.
 */
export class KopsClient {
  private current: RunningProcess | undefined;
  private interrupted = false;
  private detected: KopsVersion | undefined;

  constructor(private readonly options: KopsClientOptions) {}

  get kopsPath(): string {
    return this.options.kopsPath ?? 'kops';
  }

  /** The command line a user can paste to run `args` as kops-audit would. */
  commandLine(args: readonly string[]): string {
    return shellCommand(this.kopsPath, kopsArgv(this.options.state, args));
  }

  /**
   * Forward Ctrl-C (or the SIGTERM/SIGHUP kops-audit got) to the kops that is running, if any;
   * every later call fails as interrupted, with that signal's exit code.
   */
  interrupt(signal: StopSignal = 'SIGINT'): void {
    this.interrupted = true;
    this.stopSignal ??= signal;
    this.current?.interrupt(signal);
  }

  private stopSignal: StopSignal | undefined;

  private interruptedError(message: string): InterruptedError {
    return new InterruptedError(message, { exitCode: exitCodeOfSignal(this.stopSignal ?? 'SIGINT') });
  }

  get wasInterrupted(): boolean {
    return this.interrupted;
  }

  async version(): Promise<KopsVersion> {
    if (this.detected) return this.detected;
    const result = await this.run(['version'], { stream: false });
    const version = parseKopsVersionOutput(result.stdout);
    if (!version) {
      throw new KopsError(
        `\`${this.commandLine(['version'])}\` printed no version kops-audit understands:\n${result.stdout.trim()}`,
        {
          hint: 'Check that --kops (or kops on PATH) is the kops CLI.',
        },
      );
    }
    this.detected = version;
    return version;
  }

  /** The Cluster object as YAML: `kops get cluster --name C -o yaml`. */
  async getCluster(name: string): Promise<string> {
    const result = await this.run(getClusterArgs(name), { stream: false });
    return result.stdout;
  }

  /** The Cluster and its InstanceGroups as YAML documents (`getAllArgs`). */
  async getAll(name: string): Promise<string> {
    const result = await this.run(getAllArgs(await this.version(), name), { stream: false });
    return result.stdout;
  }

  /**
   * `kops replace -f FILE` from a temporary file readable only by the user (the spec may hold webhook
   * credentials), removed afterwards whatever happens.
   */
  async replace(specText: string): Promise<void> {
    const dir = await mkdtemp(path.join(this.options.tmpDir ?? tmpdir(), 'kops-audit-'));
    const file = path.join(dir, 'cluster.yaml');
    try {
      await writeFile(file, specText, { mode: 0o600 });
      await this.run(['replace', '-f', file], { stream: true, display: ['replace', '-f', '<spec>'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `kops update cluster --name C` without --yes: does kops have changes to apply to the cloud? */
  async updatePending(name: string): Promise<boolean> {
    const result = await this.run(['update', 'cluster', '--name', name], { stream: false });
    return !result.stdout.includes('No changes need to be applied');
  }

  /** `kops rolling-update cluster` without --yes: do any of these instance groups need a roll? */
  async rollingUpdatePending(name: string, roles: readonly string[]): Promise<boolean> {
    const args = rollingUpdateArgs(name, roles).filter((a) => a !== '--yes');
    const result = await this.run(args, { stream: false });
    return result.stdout.includes('Must specify --yes to rolling-update');
  }

  /** `kops update cluster --name C --yes`. */
  async update(name: string): Promise<void> {
    await this.run(updateArgs(name), { stream: true });
  }

  /** `kops rolling-update cluster --name C --instance-group-roles R --yes [flags]`. */
  async rollingUpdate(name: string, roles: readonly string[], flags: readonly string[] = []): Promise<void> {
    await this.run(rollingUpdateArgs(name, roles, flags), { stream: true });
  }

  /** kops is not there: where it was looked for depends on whether --kops named it. */
  private notFound(): KopsError {
    if (this.options.kopsPath === undefined) {
      return new KopsError('kops was not found: there is no `kops` executable on PATH.', {
        hint: 'Install kops (https://kops.sigs.k8s.io/getting_started/install/), or give its path with --kops PATH.',
      });
    }
    return new KopsError(`kops was not found: --kops ${shellQuote(this.kopsPath)} does not exist.`, {
      hint: 'Check the path given with --kops (it must be the kops binary), or leave --kops out to use kops on PATH.',
    });
  }

  private async run(
    args: readonly string[],
    how: { stream: boolean; display?: readonly string[] },
  ): Promise<RunResult> {
    const shown = this.commandLine(how.display ?? args);
    if (this.interrupted) throw this.interruptedError(`Interrupted before \`${shown}\`.`);
    const forward = (chunk: string) => this.options.onOutput?.(chunk);
    this.current = this.options.runner.start(this.kopsPath, kopsArgv(this.options.state, args), {
      env: this.options.env,
      cwd: this.options.cwd,
      ...(how.stream ? { onStdout: forward, onStderr: forward } : {}),
    });
    let result: RunResult;
    try {
      result = await this.current.result;
    } finally {
      this.current = undefined;
    }
    if (this.interrupted || result.signal === 'SIGINT') {
      this.interrupted = true;
      throw this.interruptedError(`Interrupted: \`${shown}\` was stopped.`);
    }
    if (result.notFound) throw this.notFound();
    if (result.startError) throw new KopsError(`Could not run \`${shown}\`: ${result.startError}`);
    if (result.exitCode !== 0) {
      const line =
        kopsErrorLine(result.stderr) ??
        result.stderr
          .split('\n')
          .filter((l) => l.trim() !== '' && !KLOG.test(l))
          .at(-1) ??
        (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`);
      throw new KopsCommandError(shown, line, result.exitCode);
    }
    return result;
  }
}

/** The arguments of a kops call: `--state` first when given (else kops reads KOPS_STATE_STORE). */
export function kopsArgv(state: string | undefined, args: readonly string[]): string[] {
  return [...(state ? ['--state', state] : []), ...args];
}

/** A command line to paste into a shell. */
export function shellCommand(file: string, argv: readonly string[]): string {
  return [file, ...argv].map(shellQuote).join(' ');
}

/** The Cluster and its InstanceGroups: `kops get all` where the version has it, `kops get` before. */
export function getAllArgs(version: KopsVersion, name: string): string[] {
  return hasGetAll(version)
    ? ['get', 'all', '--name', name, '-o', 'yaml']
    : ['get', '--name', name, '-o', 'yaml'];
}

export function getClusterArgs(name: string): string[] {
  return ['get', 'cluster', '--name', name, '-o', 'yaml'];
}

export function updateArgs(name: string): string[] {
  return ['update', 'cluster', '--name', name, '--yes'];
}

export function rollingUpdateArgs(
  name: string,
  roles: readonly string[],
  flags: readonly string[] = [],
): string[] {
  return [
    'rolling-update',
    'cluster',
    '--name',
    name,
    '--instance-group-roles',
    roles.join(','),
    ...flags,
    '--yes',
  ];
}
