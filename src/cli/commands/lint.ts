import { type Diagnostic, ExitCode, PolicyError, UsageError } from '../../errors.js';
import type { Ctx } from '../../io.js';
import { type LintResult, lintPolicyText } from '../../policy/lint.js';
import { loadPolicy } from '../../policy/load.js';
import { NEWEST_KUBERNETES_VERSION, parseKubernetesVersion } from '../../policy/version.js';
import { formatDiagnostics, toJsonLine } from '../output.js';
import { readPolicySource } from '../policy-arg.js';
import { type PolicyOrder, type ShippedPolicy, shipPolicy } from '../policy-order.js';

/** 2: `info` added, and EXEC_LOGGED moved there from `warnings` (it is a warning only with --strict). */
const LINT_JSON_VERSION = 2;

export interface LintOptions {
  policy: string;
  output: 'text' | 'json';
  strict: boolean;
  kubernetesVersion: string;
  /** `--order specific`: lint the compiled policy (what kube-apiserver would read), named as written. */
  order?: PolicyOrder;
}

/**
 * Everything kube-apiserver would refuse (errors) and what a reviewer would flag (warnings). Exit 0
 * when clean, 1 on errors, or on warnings with --strict.
 */
export async function runLint(options: LintOptions, ctx: Ctx): Promise<number> {
  if (!parseKubernetesVersion(options.kubernetesVersion)) {
    throw new UsageError(`--kubernetes-version ${options.kubernetesVersion} is not a Kubernetes version.`, {
      hint: `Write it as 1.30 or v1.30.2 (default ${NEWEST_KUBERNETES_VERSION}).`,
    });
  }
  const { text, source } = await readPolicySource(options.policy, ctx);
  let result = lintPolicyText(text, source, {
    kubernetesVersion: options.kubernetesVersion,
    strict: options.strict,
  });
  let compiled = false;
  if (options.order?.order === 'specific' && result.valid) {
    result = lintCompiled(text, source, options, options.order);
    compiled = true;
  }
  // Information never fails, not even with --strict (which makes some of it warnings instead).
  const failed = !result.valid || result.errors.length > 0 || (options.strict && result.warnings.length > 0);

  if (options.output === 'json') {
    ctx.io.stdout.write(
      toJsonLine(
        {
          policy: source,
          kubernetesVersion: options.kubernetesVersion,
          valid: result.valid,
          errors: result.errors.map(jsonItem),
          warnings: result.warnings.map(jsonItem),
          info: result.info.map(jsonItem),
        },
        LINT_JSON_VERSION,
      ),
    );
    return failed ? ExitCode.ERROR : ExitCode.OK;
  }

  const parts: string[] = [];
  const all = [...result.errors, ...result.warnings, ...result.info];
  if (all.length > 0) parts.push(formatDiagnostics(source, all));
  const verdict = !result.valid
    ? `kube-apiserver ${options.kubernetesVersion} would refuse it and not start (the rule checks run once the errors are fixed)`
    : compiled && result.errors.length > 0
      ? `kube-apiserver ${options.kubernetesVersion} accepts it as written, but no first-match order gives every request the outcome of its most specific rules`
      : compiled
        ? `kube-apiserver ${options.kubernetesVersion} accepts it; checked as \`kops-audit order\` compiles it, the most specific rule first`
        : `kube-apiserver ${options.kubernetesVersion} accepts it`;
  const info = result.info.length > 0 ? `, ${result.info.length} info` : '';
  parts.push(
    `${source}: ${count(result.errors.length, 'error')}, ${count(result.warnings.length, 'warning')}${info}; ${verdict}.`,
  );
  ctx.io.stdout.write(`${parts.join('\n')}\n`);
  return failed ? ExitCode.ERROR : ExitCode.OK;
}

/**
 * Lint of the compiled policy (kops-audit order), with every rule named as written: the file the user
 * edits. An added overlap rule is named by the two rules it settles. Conflicts are the errors.
 */
function lintCompiled(text: string, source: string, options: LintOptions, order: PolicyOrder): LintResult {
  const loaded = loadPolicy(text, source, { kubernetesVersion: options.kubernetesVersion }).loaded!;
  let shipped: ShippedPolicy;
  try {
    shipped = shipPolicy(loaded, order);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return { valid: true, errors: [...error.diagnostics], warnings: [], info: [] };
  }
  const { asWritten, rules } = shipped.compiled!;
  const result = lintPolicyText(shipped.loaded.text, source, {
    kubernetesVersion: options.kubernetesVersion,
    strict: options.strict,
    prefer: order.prefer,
  });
  const name = (k: number) => {
    const entry = rules[k];
    if (!entry) return `rules[${k}]`;
    if ('written' in entry) return `rules[${entry.written}]`;
    return `the overlap rule of rules[${entry.overlapOf[0]}] and rules[${entry.overlapOf[1]}]`;
  };
  const rename = (words: string) => words.replace(/rules\[(\d+)\]/g, (_all, k: string) => name(Number(k)));
  const asWrittenDiagnostic = (d: Diagnostic): Diagnostic => {
    const out: Diagnostic = { severity: d.severity, code: d.code, message: rename(d.message) };
    if (d.fix !== undefined) out.fix = rename(d.fix);
    const field = d.field ? /^rules\[(\d+)\](.*)$/.exec(d.field) : null;
    const entry = field ? rules[Number(field[1])] : undefined;
    if (field && entry && 'written' in entry) {
      out.field = `rules[${entry.written}]${field[2]}`;
      const line = asWritten.map.lineOf(out.field);
      if (line !== undefined) out.line = line;
    } else if (!field && d.field !== undefined) {
      out.field = d.field;
      const line = asWritten.map.lineOf(d.field);
      if (line !== undefined) out.line = line;
    }
    return out;
  };
  return {
    valid: result.valid,
    errors: result.errors.map(asWrittenDiagnostic),
    warnings: result.warnings.map(asWrittenDiagnostic).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    info: result.info.map(asWrittenDiagnostic).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function jsonItem(d: Diagnostic) {
  const rule = d.field ? /^rules\[(\d+)\]/.exec(d.field) : null;
  return {
    code: d.code,
    field: d.field ?? null,
    rule: rule ? Number(rule[1]) : null,
    line: d.line ?? null,
    message: d.message,
    fix: d.fix ?? null,
  };
}
