import type { Diagnostic } from '../errors.js';

/** One JSON object on stdout, versioned so scripts can rely on its shape. */
export function toJsonLine(value: object): string {
  return `${JSON.stringify({ version: 1, ...value }, null, 2)}\n`;
}

/** `file:line: field: message (fix)` lines, errors first, in source order. */
export function formatDiagnostics(source: string, diagnostics: readonly Diagnostic[]): string {
  const ordered = [...diagnostics].sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
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
