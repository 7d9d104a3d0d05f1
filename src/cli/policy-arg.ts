import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Diagnostic, PolicyError } from '../errors.js';
import type { Ctx } from '../io.js';
import { readErrorReason } from '../io.js';
import { loadPolicy, loadPolicyOrThrow } from '../policy/load.js';
import type { LoadedPolicy } from '../policy/types.js';
import { templatePath } from './assets.js';
import { withoutByteOrderMark } from './byte-order-mark.js';
import { formatDiagnostics } from './output.js';
import { readAll } from './read-all.js';

/**
 * `--policy basic|gce|PATH`, the same for every command. `basic` and `gce` are our templates (a file
 * with one of those names is `./basic`); `-` reads stdin; anything else is a path relative to the
 * working directory.
 */

export const POLICY_TEMPLATES = ['basic', 'gce'] as const;
export type PolicyTemplate = (typeof POLICY_TEMPLATES)[number];

export interface PolicySource {
  text: string;
  /** What diagnostics call the file: `basic`, `gce`, `-`, or the path as given. */
  source: string;
  template?: PolicyTemplate;
}

export function isTemplate(value: string): value is PolicyTemplate {
  return (POLICY_TEMPLATES as readonly string[]).includes(value);
}

/** The policy's text, without judging it (lint wants to read invalid policies too). */
export async function readPolicySource(value: string, ctx: Ctx): Promise<PolicySource> {
  if (isTemplate(value)) {
    // Sync: a policy is small, and the promise API would start the thread pool (see spec-file.ts).
    return { text: readFileSync(templatePath(value), 'utf8'), source: value, template: value };
  }
  if (value === '-') return { text: withoutByteOrderMark(await readAll(ctx.io.stdin)), source: '-' };
  if (value === '') {
    throw new PolicyError('--policy is empty.', [], {
      hint: 'Give basic, gce, or the path of a policy file.',
    });
  }
  const file = path.resolve(ctx.cwd, value);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new PolicyError(`Cannot read the audit policy ${value}: ${readErrorReason(error)}.`, [], {
      hint: 'A policy is basic, gce, or the path of a policy file (relative to the current directory); - reads stdin.',
      cause: error,
    });
  }
  return { text: utf8Text(bytes, value), source: value };
}

/**
 * kube-apiserver's YAML reader takes UTF-8 only ("invalid leading UTF-8 octet"): a policy saved in
 * Latin-1 or Windows-1252 (an accent in a comment is enough) stops it from starting.
 */
function utf8Text(bytes: Buffer, source: string): string {
  const text = withoutByteOrderMark(bytes.toString('utf8'));
  if (isUtf8(bytes)) return text;
  const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
  throw new PolicyError(
    `${source}:${line}: the audit policy is not UTF-8 text; kube-apiserver reads UTF-8 only and would refuse it.`,
    [],
    {
      hint: `Save ${source} as UTF-8 (an accent in a comment saved as Latin-1 or Windows-1252 is enough to break it).`,
      source,
    },
  );
}

/**
 * Read and load a policy as kube-apiserver would: a policy it would refuse is a PolicyError; the
 * warnings it would only log (unknown fields...) are returned with it.
 */
export async function readPolicyArg(
  value: string,
  ctx: Ctx,
): Promise<{ loaded: LoadedPolicy; warnings: Diagnostic[] }> {
  const { text, source } = await readPolicySource(value, ctx);
  const result = loadPolicy(text, source);
  if (!result.loaded) loadPolicyOrThrow(text, source);
  return { loaded: result.loaded!, warnings: result.diagnostics.filter((d) => d.severity === 'warning') };
}

/** Warnings go to stderr, so stdout stays the command's output. */
export function writePolicyWarnings(ctx: Ctx, source: string, warnings: readonly Diagnostic[]): void {
  if (warnings.length === 0) return;
  const count = warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`;
  ctx.io.stderr.write(
    `Warning: ${source} has ${count} (kube-apiserver accepts it; run \`kops-audit lint\` for more):\n${formatDiagnostics(source, warnings)}\n`,
  );
}
