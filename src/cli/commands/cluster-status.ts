/**
 * `status <cluster>`: the file-mode report (spec/status.ts) on the spec kops keeps in its state store,
 * checked for the kops version that will apply it, plus what only a live cluster can tell: whether
 * kops has applied the spec to the cloud and rolled the control plane. Changes nothing.
 */
import { rollTargets } from '../../apply/cluster-plan.js';
import { readLiveSpec } from '../../apply/live-spec.js';
import { unappliedChanges } from '../../apply/unapplied.js';
import { ExitCode } from '../../errors.js';
import { type Ctx, useColor } from '../../io.js';
import { kopsArgv, rollingUpdateArgs, shellCommand, updateArgs } from '../../kops/client.js';
import { parseSpec } from '../../spec/document.js';
import { type AuditStatus, auditStatus } from '../../spec/status.js';
import { statusJson, statusText } from '../views/status.js';
import { type ClusterDeps, kopsClientFor } from './cluster-change.js';
import type { KopsTarget } from './cluster-options.js';

export async function runClusterStatus(
  target: KopsTarget,
  json: boolean,
  ctx: Ctx,
  deps: ClusterDeps = {},
): Promise<number> {
  const client = kopsClientFor(target, ctx, deps, (text) => ctx.io.stderr.write(text));
  const stop = ctx.onInterrupt?.((signal) => client.interrupt(signal));
  try {
    const { cluster } = target;
    const version = await client.version();
    const live = await readLiveSpec(client, cluster);
    const source = `cluster/${cluster}`;
    let status = auditStatus(parseSpec(live.text, source), version);
    if (status.policyFile !== undefined) {
      // The spec says audit logging is on; only kops can tell whether the nodes run it yet.
      const { roles } = rollTargets(live, cluster, version);
      const unapplied = await unappliedChanges(client, cluster, roles, true);
      const kops = (args: string[]) => shellCommand(client.kopsPath, kopsArgv(target.state, args));
      const roll = kops(rollingUpdateArgs(cluster, roles));
      status = withCheck(status, {
        id: 'rolled-out',
        title: 'the control plane runs this spec',
        ok: !unapplied.update && !unapplied.rollingUpdate,
        detail: unapplied.update
          ? `kops has changes to apply to the cloud; run \`${kops(updateArgs(cluster))}\`, then \`${roll}\``
          : unapplied.rollingUpdate
            ? `the control plane has not been rolled yet, so kube-apiserver still runs the old settings; run \`${roll}\``
            : 'kops reports nothing left to apply or roll',
      });
    }
    ctx.io.stdout.write(
      json ? statusJson(status, source) : statusText(status, source, useColor(ctx.io.stdout, ctx.env)),
    );
    return status.ok ? ExitCode.OK : ExitCode.ERROR;
  } finally {
    stop?.();
  }
}

function withCheck(status: AuditStatus, check: AuditStatus['checks'][number]): AuditStatus {
  return { ...status, checks: [...status.checks, check], ok: status.ok && check.ok };
}
