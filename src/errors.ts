/**
 * One error tree for everything a user can cause. `cli/main.ts` is the only place that turns these
 * into text and an exit code; nothing else prints errors or decides codes.
 */

/** Exit codes are a public interface (README "Exit codes"). */
export const ExitCode = {
  OK: 0,
  /** An error, a failed check, or a refused change. */
  ERROR: 1,
  /** Only with --detailed-exitcode: changes are pending (as `terraform plan -detailed-exitcode`). */
  CHANGES: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
  /** Stopped by SIGHUP (a closed terminal or ssh session): 128 + 1. */
  HANGUP: 129,
  /** Stopped by SIGTERM (a cancelled CI job): 128 + 15. */
  TERMINATED: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface KopsAuditErrorOptions {
  /** One line telling the user what to do about it. */
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

export class KopsAuditError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, options: KopsAuditErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.ERROR;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends KopsAuditError {}

/** A kops Cluster spec we cannot read or safely change. */
export class SpecError extends KopsAuditError {}

/** An audit policy kube-apiserver would refuse, or that we cannot read. */
export class PolicyError extends KopsAuditError {
  readonly diagnostics: readonly Diagnostic[];
  /** The policy file the diagnostics' lines refer to. */
  readonly source: string | undefined;
  constructor(
    message: string,
    diagnostics: readonly Diagnostic[] = [],
    options: KopsAuditErrorOptions & { source?: string } = {},
  ) {
    super(message, options);
    this.diagnostics = diagnostics;
    this.source = options.source;
  }
}

/** Someone else's audit setup is in the way (use --force to replace it). */
export class ConflictError extends KopsAuditError {}

/** kops failed; the message quotes kops' own error line. */
export class KopsError extends KopsAuditError {}

/** The signals kops-audit stops on with a report, rather than at once, and their exit codes. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
export const exitCodeOfSignal = (signal: StopSignal): number =>
  signal === 'SIGTERM' ? ExitCode.TERMINATED : signal === 'SIGHUP' ? ExitCode.HANGUP : ExitCode.INTERRUPTED;

/** The user pressed Ctrl-C or declined, or the process was told to stop (SIGTERM, SIGHUP). */
export class InterruptedError extends KopsAuditError {
  constructor(message = 'Interrupted.', options: KopsAuditErrorOptions = {}) {
    super(message, { exitCode: ExitCode.INTERRUPTED, ...options });
  }
}

/** A bug in kops-audit. */
export class InternalError extends KopsAuditError {}

/** A problem found by validation or lint; all of them are reported in one pass. */
export interface Diagnostic {
  /** `info`: worth knowing, often a deliberate choice; never fails a command and is not a warning. */
  severity: 'error' | 'warning' | 'info';
  /** Stable identifier, e.g. `RULE_SHADOWED`. */
  code: string;
  message: string;
  /** Field path in the document, e.g. `rules[3].nonResourceURLs[0]`. */
  field?: string;
  /** 1-based line in the source file, when known. */
  line?: number;
  /** One line saying how to fix it. */
  fix?: string;
}
