/** `status` for people (a short report and a check list) and for scripts (one JSON object). */
import pc from 'picocolors';
import type { AuditStatus } from '../../spec/status.js';
import { toJsonLine } from '../output.js';

export function statusText(status: AuditStatus, source: string, color: boolean): string {
  const c = pc.createColors(color);
  const where = source === '-' ? 'stdin' : source;
  const lines = [`Cluster ${status.cluster.name || '(unnamed)'} (${where}), checked for ${status.kops}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(9)}${value}`);
  row('backend', status.backend === 'off' ? 'off (no audit log path or webhook)' : status.backend);
  if (status.logPath !== undefined) {
    const rotation = [
      status.maxAge !== undefined ? `max age ${status.maxAge} days` : 'max age not set',
      status.maxBackups !== undefined ? `${status.maxBackups} backups` : 'backups not set',
      status.maxSize !== undefined ? `max size ${status.maxSize} MB` : 'max size not set',
    ];
    row(
      'log',
      `${status.logPath}${status.logFormat ? ` (${status.logFormat})` : ''}; ${rotation.join(', ')}`,
    );
  }
  if (status.policyFile !== undefined) {
    const asset = status.policyAsset
      ? `file asset ${status.policyAsset.name ?? '(no name)'} for ${status.policyAsset.roles?.join(', ') ?? 'every role'}`
      : 'no file asset';
    const policy = status.policy
      ? `; ${status.policy.rules} rule${status.policy.rules === 1 ? '' : 's'}, levels ${status.policy.levels.join(', ')}`
      : '';
    row(
      'policy',
      `${status.policyFile}: ${asset}${policy}${status.managedByKopsAudit ? ' (written by kops-audit)' : ''}`,
    );
  }
  if (status.webhookConfigFile !== undefined) {
    const asset = status.webhookAsset
      ? `file asset ${status.webhookAsset.name ?? '(no name)'} for ${status.webhookAsset.roles?.join(', ') ?? 'every role'}`
      : 'no file asset';
    row('webhook', `${status.webhookConfigFile}: ${asset}`);
  }
  if (status.shipping !== undefined) {
    const ship = status.shipping;
    row(
      'ships',
      `${ship.tails ?? 'the audit log'} to ${ship.to ?? '(destination not recorded)'} with ${ship.image ?? 'fluent-bit'} (a static pod on each node that runs kube-apiserver)${ship.credentials ? '; credentials hidden' : ''}`,
    );
  }
  lines.push('Checks:');
  for (const check of status.checks) {
    const mark = check.ok ? c.green('ok  ') : c.red('FAIL');
    lines.push(`  ${mark}  ${check.title}: ${check.detail}`);
  }
  const passed = status.checks.filter((check) => check.ok).length;
  lines.push(`${passed} of ${status.checks.length} checks pass.`);
  return `${lines.join('\n')}\n`;
}

export function statusJson(status: AuditStatus, source: string): string {
  return toJsonLine({ source, ...status });
}
