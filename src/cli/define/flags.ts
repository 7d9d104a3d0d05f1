/**
 * The flags of every command, and the checks that need nothing but the flags. This module is loaded
 * at start-up (it feeds --help), so it imports nothing heavier than commander.
 */
import { Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { Prefer } from '../../policy/order.js';
import { BACKENDS } from '../../spec/backends.js';

export const POLICY_ARG_HELP = 'audit policy: basic, gce, or the path of a policy file (- for stdin)';

/** commander's way to take a flag more than once. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--order` and `--prefer`: read the policy as written, or compiled most-specific first (issue 12). */
export function orderOptions(): Option[] {
  return [
    new Option(
      '--order <order>',
      'written: the first matching rule decides, as kube-apiserver reads the file (default); specific: the most specific rule decides, compiled as `kops-audit order` does',
    ).choices(['written', 'specific']),
    new Option(
      '--prefer <outcome>',
      'with --order specific, when the most specific rules disagree: quiet (default), verbose, or none (a conflict)',
    ).choices(['quiet', 'verbose', 'none']),
  ];
}

/** How a command reads a policy: as written (first match), or most specific first. */
export interface PolicyOrder {
  order: 'written' | 'specific';
  prefer: Prefer;
}

export const AS_WRITTEN: PolicyOrder = { order: 'written', prefer: 'quiet' };

/** `--order` and `--prefer` (values already checked by commander) → PolicyOrder, or a UsageError. */
export function parsePolicyOrder(raw: { order?: string; prefer?: string }): PolicyOrder {
  const order = raw.order === 'specific' ? 'specific' : 'written';
  if (raw.prefer !== undefined && order !== 'specific') {
    throw new UsageError('--prefer applies only with --order specific.', {
      hint: 'Add --order specific, or leave --prefer out.',
    });
  }
  return { order, prefer: (raw.prefer as Prefer | undefined) ?? 'quiet' };
}

export function outputOptions(): Option[] {
  return [
    new Option('--dry-run', 'print the unified diff of the change and write nothing'),
    new Option('--stdout', 'print the new spec on stdout instead of writing FILE'),
    new Option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when something does, 1 on errors'),
    new Option('-o, --output <format>', 'text, or json for one machine-readable summary on stdout')
      .choices(['text', 'json'])
      .default('text'),
  ];
}

export function auditSettingOptions(): Option[] {
  return [
    new Option(
      '--policy <basic|gce|PATH>',
      'audit policy: a template or your own file (default: gce; asked at a terminal)',
    ),
    new Option('--backend <backend>', 'where events go').choices([...BACKENDS]).default('log'),
    new Option(
      '--log-path <path>',
      'audit log file on the control-plane nodes (default: /var/log/kube-apiserver-audit.log)',
    ),
    new Option('--max-age <days>', 'days to keep rotated logs (default 30; a value in the spec is kept)'),
    new Option('--max-backups <count>', 'rotated logs to keep (default 10; a value in the spec is kept)'),
    new Option('--max-size <MB>', 'size that triggers rotation (default 100; a value in the spec is kept)'),
    new Option('--log-format <format>', 'audit log format').choices(['json', 'legacy']),
    new Option(
      '--policy-path <path>',
      'where nodes get the policy (default: /srv/kubernetes/kube-apiserver/audit/policy-config.yaml, under /etc/srv on ContainerOS)',
    ),
    new Option('--webhook-config <file>', 'kubeconfig for the webhook backend (shipped beside the policy)'),
    new Option('--webhook-mode <mode>', 'auditWebhookMode').choices(['batch', 'blocking', 'blocking-strict']),
    new Option('--webhook-batch-max-wait <duration>', 'auditWebhookBatchMaxWait, e.g. 5s'),
    new Option('--webhook-batch-max-size <count>', 'auditWebhookBatchMaxSize'),
    new Option('--webhook-batch-buffer-size <count>', 'auditWebhookBatchBufferSize'),
    new Option('--webhook-batch-throttle-qps <qps>', 'auditWebhookBatchThrottleQps'),
    new Option('--webhook-batch-throttle-burst <count>', 'auditWebhookBatchThrottleBurst'),
    new Option('--webhook-initial-backoff <duration>', 'auditWebhookInitialBackoff, e.g. 10s'),
    new Option(
      '--kops-version <version>',
      'write exactly what this kops version needs (default: what works on every version)',
    ),
    new Option('--force', 'replace an audit setup kops-audit did not write'),
  ];
}

/** Extra flags cluster mode adds to a command. */
export function clusterModeOptions(command: 'enable' | 'disable' | 'status'): Option[] {
  const kops = [
    new Option('--kops <path>', 'cluster mode: the kops binary to run (default: kops on PATH)'),
    new Option(
      '--state <store>',
      'cluster mode: kops state store, passed to kops (default: $KOPS_STATE_STORE)',
    ),
  ];
  if (command === 'status') return kops;
  return [
    new Option('-y, --yes', 'cluster mode: apply without asking (needed when not at a terminal)'),
    ...kops,
    new Option(
      '--backup-dir <dir>',
      'cluster mode: where to back up the spec first (default: ~/.local/state/kops-audit/backups)',
    ),
    new Option(
      '--no-rolling-update',
      'cluster mode: stop after `kops update cluster`; roll the control plane later yourself',
    ),
  ];
}
