import { statusJson, statusText } from '../cli/views/status.js';
import { ExitCode } from '../errors.js';
import { type Ctx, useColor } from '../io.js';
import { parseSpec } from '../spec/document.js';
import { auditStatus } from '../spec/status.js';
import { type ClusterModeDeps, type ClusterModeOptions, kopsClientFor } from './cluster-change.js';
import { liveSpecText } from './live-spec.js';

/**
 * `status <cluster>`: the file-mode report (spec/status.ts, cli/views/status.ts) on the spec kops
 * keeps in its state store, checked for the kops version that will apply it. Changes nothing.
 */
export async function runClusterStatus(
  options: ClusterModeOptions,
  ctx: Ctx,
  deps: ClusterModeDeps = {},
): Promise<number> {
  const client = kopsClientFor(options, ctx, deps, ctx.io.stderr);
  const stop = ctx.onInterrupt?.((signal) => client.interrupt(signal));
  try {
    const version = await client.version();
    const { text } = await liveSpecText(client, options.cluster);
    const source = `cluster/${options.cluster}`;
    const status = auditStatus(parseSpec(text, source), version);
    ctx.io.stdout.write(
      options.output === 'json'
        ? statusJson(status, source)
        : statusText(status, source, useColor(ctx.io.stdout, ctx.env)),
    );
    return status.ok ? ExitCode.OK : ExitCode.ERROR;
  } finally {
    stop?.();
  }
}
