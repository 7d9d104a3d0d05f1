import { type Diagnostic, KopsAuditError, PolicyError } from '../errors.js';

/**
 * One JSON object on stdout, versioned so scripts can rely on its shape: `version` goes up when a
 * command's keys change (docs/reference.md lists each command's shape and version).
 */
export function toJsonLine(value: object, version = 1): string {
  return `${JSON.stringify({ version, ...value }, null, 2)}\n`;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** `file:line: field: message (fix)` lines: errors, then warnings, then info, each in source order. */
export function formatDiagnostics(source: string, diagnostics: readonly Diagnostic[]): string {
  const ordered = [...diagnostics].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
  );
  return ordered
    .map((d) => {
      const where = d.line === undefined ? source : `${source}:${d.line}`;
      const field = d.field ? `${d.field}: ` : '';
      const fix = d.fix ? `\n    fix: ${d.fix}` : '';
      return `  ${where}: ${d.severity}: ${field}${d.message}${fix}`;
    })
    .join('\n');
}

/** Errors a command already put into its own JSON object (cluster mode's failed change). */
export const reportedAsJson = new WeakSet<Error>();

/** An error as JSON: what it says, what to do, the exit code; a bug is said to be one. */
export function errorJson(error: unknown, exitCode: number): object {
  if (!(error instanceof KopsAuditError)) {
    const detail = error instanceof Error ? error.message : String(error);
    return { message: `kops-audit failed unexpectedly: ${detail}`, hint: null, exitCode };
  }
  return {
    message: error.message,
    hint: error.hint ?? null,
    exitCode,
    ...(error instanceof PolicyError && error.diagnostics.length > 0
      ? { diagnostics: error.diagnostics }
      : {}),
  };
}
