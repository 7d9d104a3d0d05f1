import { type Diagnostic, ExitCode, UsageError } from '../../errors.js';
import type { Ctx } from '../../io.js';
import { lintPolicyText } from '../../policy/lint.js';
import { NEWEST_KUBERNETES_VERSION, parseKubernetesVersion } from '../../policy/version.js';
import { formatDiagnostics, toJsonLine } from '../output.js';
import { readPolicySource } from '../policy-arg.js';

/** 2: `info` added, and EXEC_LOGGED moved there from `warnings` (it is a warning only with --strict). */
const LINT_JSON_VERSION = 2;

export interface LintOptions {
  policy: string;
  output: 'text' | 'json';
  strict: boolean;
  kubernetesVersion: string;
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
  const result = lintPolicyText(text, source, {
    kubernetesVersion: options.kubernetesVersion,
    strict: options.strict,
  });
  // Information never fails, not even with --strict (which makes some of it warnings instead).
  const failed = !result.valid || (options.strict && result.warnings.length > 0);

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
  const verdict = result.valid
    ? `kube-apiserver ${options.kubernetesVersion} accepts it`
    : `kube-apiserver ${options.kubernetesVersion} would refuse it and not start (the rule checks run once the errors are fixed)`;
  const info = result.info.length > 0 ? `, ${result.info.length} info` : '';
  parts.push(
    `${source}: ${count(result.errors.length, 'error')}, ${count(result.warnings.length, 'warning')}${info}; ${verdict}.`,
  );
  ctx.io.stdout.write(`${parts.join('\n')}\n`);
  return failed ? ExitCode.ERROR : ExitCode.OK;
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
