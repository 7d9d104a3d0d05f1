/**
 * `enable|disable|status CLUSTER`: the commands on a live cluster, through kops. Their own module, so
 * that file mode (-f) never loads the code that runs kops.
 */
import type { Ctx } from '../../io.js';
import { parsePolicyOrder } from '../define/flags.js';
import { runClusterChange } from './cluster-change.js';
import {
  parseClusterChangeOptions,
  parseKopsTarget,
  type RawClusterChangeFlags,
  type RawClusterFlags,
} from './cluster-options.js';
import { runClusterStatus } from './cluster-status.js';
import { resolveAuditSettings } from './enable.js';
import { parseAuditSettingFlags } from './spec-flags.js';

export async function runEnableOnCluster(
  cluster: string,
  raw: RawClusterChangeFlags,
  ctx: Ctx,
): Promise<number> {
  const options = parseClusterChangeOptions('enable', cluster, raw);
  const settings = await resolveAuditSettings(
    parseAuditSettingFlags(raw),
    {
      ...(raw.policy !== undefined ? { policy: raw.policy } : {}),
      ...(raw.webhookConfig !== undefined ? { webhookConfigFile: raw.webhookConfig } : {}),
      ...(raw.shipCredentials !== undefined ? { shipCredentialsFile: raw.shipCredentials } : {}),
      mayPrompt: !options.json,
      order: parsePolicyOrder(raw),
    },
    ctx,
  );
  return runClusterChange({ action: 'enable', settings }, options, ctx);
}

export function runDisableOnCluster(cluster: string, raw: RawClusterChangeFlags, ctx: Ctx): Promise<number> {
  return runClusterChange({ action: 'disable' }, parseClusterChangeOptions('disable', cluster, raw), ctx);
}

export function runStatusOnCluster(
  cluster: string,
  raw: RawClusterFlags & { output?: string },
  ctx: Ctx,
): Promise<number> {
  return runClusterStatus(parseKopsTarget(cluster, raw), raw.output === 'json', ctx);
}
