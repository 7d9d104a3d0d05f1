import { ExitCode } from '../../errors.js';
import { type Ctx, useColor } from '../../io.js';
import { parseSpec } from '../../spec/document.js';
import type { KopsVersion } from '../../spec/kops-version.js';
import { auditStatus } from '../../spec/status.js';
import { readSpecInput } from '../spec-file.js';
import { statusJson, statusText } from '../views/status.js';
import { parseKopsVersionFlag } from './spec-flags.js';

export interface StatusArgs {
  filename: string;
  json: boolean;
  kopsVersion?: KopsVersion;
}

export interface RawStatusFlags {
  filename?: string;
  output?: string;
  kopsVersion?: string;
}

export function parseStatusArgs(raw: RawStatusFlags & { filename: string }): StatusArgs {
  const args: StatusArgs = { filename: raw.filename, json: raw.output === 'json' };
  const version = parseKopsVersionFlag(raw.kopsVersion);
  if (version) args.kopsVersion = version;
  return args;
}

export async function runStatus(args: StatusArgs, ctx: Ctx): Promise<number> {
  const input = await readSpecInput(args.filename, ctx, 'status');
  const status = auditStatus(parseSpec(input.text, input.source), args.kopsVersion);
  ctx.io.stdout.write(
    args.json
      ? statusJson(status, input.source)
      : statusText(status, input.source, useColor(ctx.io.stdout, ctx.env)),
  );
  return status.ok ? ExitCode.OK : ExitCode.ERROR;
}
