import type { Diagnostic } from '../errors.js';

/**
 * One JSON object on stdout, versioned so scripts can rely on its shape: `version` goes up when a
 * command's keys change (the README lists each command's shape and version).
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
