/**
 * `kops-audit status -f FILE [--output json] [--kops-version V]`: the audit setup a spec has and a
 * check list. Exit 0 when every check passes, 1 otherwise. `status <cluster>` goes to cluster mode.
 */
import { Option } from 'commander';
import { ExitCode } from '../../errors.js';
import type { KopsVersion } from '../../spec/compat.js';
import { parseSpec } from '../../spec/document.js';
import { auditStatus } from '../../spec/status.js';
import { type Ctx, useColor } from '../io.js';
import { readSpecInput } from '../spec-file.js';
import { statusJson, statusText } from '../views/status.js';
import { clusterModeOptions, runClusterMode } from './cluster-mode.js';
import { requireTarget } from './enable.js';
import type { DefineCommand } from './index.js';
import { parseKopsVersionFlag } from './spec-flags.js';

export interface StatusArgs {
  filename: string;
  json: boolean;
  kopsVersion?: KopsVersion;
}

interface RawStatusFlags {
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
  const input = await readSpecInput(args.filename, ctx);
  const status = auditStatus(parseSpec(input.text, input.source), args.kopsVersion);
  ctx.io.stdout.write(
    args.json
      ? statusJson(status, input.source)
      : statusText(status, input.source, useColor(ctx.io.stdout, ctx.env)),
  );
  return status.ok ? ExitCode.OK : ExitCode.ERROR;
}

export const defineStatus: DefineCommand = (program, ctx, finish) => {
  const command = program
    .command('status')
    .description('show the audit setup of a kops cluster spec and check it (exit 1 when a check fails)')
    .argument('[cluster]', 'a cluster name, for cluster mode (through kops)')
    .option('-f, --filename <file>', 'the kops spec to read; - for stdin')
    .addOption(
      new Option('-o, --output <format>', 'text, or json for one object on stdout')
        .choices(['text', 'json'])
        .default('text'),
    )
    .addOption(
      new Option('--kops-version <version>', 'check for this kops version (default: for every version)'),
    );
  for (const option of clusterModeOptions('status')) command.addOption(option);
  command.action(async (cluster: string | undefined, raw: RawStatusFlags) => {
    requireTarget('status', raw.filename, cluster);
    if (cluster !== undefined) {
      finish(
        await runClusterMode({ command: 'status', cluster, flags: raw as Record<string, unknown> }, ctx),
      );
      return;
    }
    finish(await runStatus(parseStatusArgs({ ...raw, filename: raw.filename! }), ctx));
  });
};
