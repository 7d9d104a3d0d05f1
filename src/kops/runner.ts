import { execa } from 'execa';
import type { StopSignal } from '../errors.js';

/** How kops-audit starts a process. Injected so tests can run the client without spawning anything. */
export interface RunOptions {
  /** Text written to the child's stdin; without it stdin is closed (kops never waits on it). */
  input?: string;
  /** Called with each chunk of the child's stdout / stderr as it arrives (live streaming). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** The child's whole environment (not merged with process.env, so tests are hermetic). */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

export interface RunResult {
  /** Undefined when the process did not exit by itself (killed by a signal, or never started). */
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** The executable was not found (ENOENT). */
  notFound: boolean;
  /** Any other reason the process could not start. */
  startError: string | undefined;
}

export interface RunningProcess {
  result: Promise<RunResult>;
  /** Pass on a stop signal: SIGINT, as Ctrl-C in a terminal would, or the SIGTERM/SIGHUP we got. */
  interrupt(signal?: StopSignal): void;
}

export interface Runner {
  start(file: string, args: readonly string[], options: RunOptions): RunningProcess;
}

/** The real runner, over execa 9.6.1. */
export function execaRunner(): Runner {
  return {
    start(file, args, options) {
      let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
      let pendingInterrupt: StopSignal | undefined;
      const result = (async (): Promise<RunResult> => {
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
        const subprocess = execa(file, [...args], {
          env,
          extendEnv: false,
          reject: false,
          stripFinalNewline: false,
          cwd: options.cwd,
          ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
        });
        child = subprocess;
        if (pendingInterrupt) subprocess.kill(pendingInterrupt);
        subprocess.stdout?.setEncoding('utf8').on('data', (c: string) => options.onStdout?.(c));
        subprocess.stderr?.setEncoding('utf8').on('data', (c: string) => options.onStderr?.(c));
        const r = await subprocess;
        const code = (r as { code?: string }).code;
        return {
          exitCode: r.exitCode,
          signal: r.signal,
          stdout: String(r.stdout ?? ''),
          stderr: String(r.stderr ?? ''),
          notFound: code === 'ENOENT',
          startError:
            r.exitCode === undefined && r.signal === undefined && code !== 'ENOENT'
              ? r.shortMessage
              : undefined,
        };
      })();
      return {
        result,
        interrupt(signal: StopSignal = 'SIGINT') {
          if (child) child.kill(signal);
          else pendingInterrupt = signal;
        },
      };
    },
  };
}
