/** The flags of every command, and the checks that need nothing but the flags. */
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
    new Option(
      '--ship-to <url>',
      'ship the audit log with a fluent-bit static pod: cloudwatch://REGION/GROUP, s3://BUCKET/PREFIX?region=REGION, loki://HOST, elasticsearch://HOST/INDEX, splunk://HOST, logdna://, https://HOST/PATH, stackdriver:// (GCE), or none to remove it',
    ),
    new Option(
      '--ship-credentials <file>',
      "the destination's secret, one line: a token, HEC token or Mezmo ingestion key, USER:PASSWORD (Loki, Elasticsearch) or an Elasticsearch API key",
    ),
    new Option(
      '--ship-image <image>',
      'fluent-bit image of the shipper (default: cr.fluentbit.io/fluent/fluent-bit:4.0.3)',
    ),
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

/**
 * `-f` and a cluster name are two ways to say what to change: exactly one is needed. Returns the
 * file, or undefined for cluster mode.
 */
export function requireTarget(
  command: 'enable' | 'disable' | 'status',
  filename: string | undefined,
  cluster: string | undefined,
): string | undefined {
  if (filename !== undefined && cluster !== undefined) {
    throw new UsageError(`kops-audit ${command} takes either -f FILE or a cluster name, not both.`, {
      hint: `Use \`kops-audit ${command} -f cluster.yaml\` for a spec file or \`kops-audit ${command} CLUSTER\` for a cluster.`,
    });
  }
  if (filename === undefined && cluster === undefined) {
    // status reads and never writes, so it has no --dry-run.
    const example =
      command === 'status'
        ? 'kops-audit status -f cluster.yaml'
        : `kops-audit ${command} -f cluster.yaml --dry-run`;
    throw new UsageError(
      `kops-audit ${command} needs a spec: -f FILE (or -f - for stdin), or a cluster name.`,
      {
        hint: `For example: ${example}`,
      },
    );
  }
  return filename;
}

/**
 * The `Examples:` section of a command's --help, as kubectl and kops print it: what each does, then
 * the command line. Every line here is parsed by a test, so an example cannot name a flag that is gone.
 */
export function examplesHelp(examples: readonly (readonly [what: string, command: string])[]): string {
  return `\nExamples:\n${examples.map(([what, command]) => `  # ${what}\n  ${command}\n`).join('\n')}`;
}

/** Every command's examples, in one place so that a test can parse each of them. */
export const EXAMPLES = {
  render: [
    ["Print the recommended policy (kube-up's GCE policy)", 'kops-audit render --policy gce'],
    [
      'Check your own policy as kube-apiserver would read it, and print it as JSON',
      'kops-audit render --policy my-policy.yaml -o json',
    ],
  ],
  enable: [
    [
      'Turn audit logging on in a live cluster: show the plan, ask, then run kops',
      'kops-audit enable prod.example.com',
    ],
    [
      'Ship a policy whose most specific rule decides, compiled into first-match order',
      'kops-audit enable prod.example.com --policy my-policy.yaml --order specific',
    ],
    ['The same in a pipeline: no questions', 'kops-audit enable prod.example.com --policy gce --yes'],
    ['Review the change to a spec file without writing it', 'kops-audit enable -f cluster.yaml --dry-run'],
    [
      'Write exactly what kops 1.28 needs, and also send events to a webhook',
      'kops-audit enable -f cluster.yaml --kops-version 1.28.4 --backend log,webhook --webhook-config webhook.kubeconfig',
    ],
    [
      'Edit a spec in a pipe',
      'kops get all --name prod.example.com -o yaml | kops-audit enable -f - --policy gce',
    ],
  ],
  disable: [
    [
      'Remove what enable added from a live cluster, without questions',
      'kops-audit disable prod.example.com --yes',
    ],
    ['Review the removal from a spec file', 'kops-audit disable -f cluster.yaml --dry-run'],
  ],
  status: [
    ['Check a live cluster (exit 1 when a check fails)', 'kops-audit status prod.example.com'],
    [
      'Check a spec file for the kops version that will apply it',
      'kops-audit status -f cluster.yaml --kops-version 1.28.4',
    ],
  ],
  explain: [
    [
      'Which rule decides the level of reading a Secret?',
      'kops-audit explain --policy gce --user alice --verb get --resource secrets --namespace default',
    ],
    [
      'A health check (a non-resource URL)',
      'kops-audit explain --policy gce --user system:anonymous --verb get --path /healthz',
    ],
    [
      'The level each event of a recorded log would get',
      'kops-audit explain --policy my-policy.yaml --events audit.log -o json',
    ],
  ],
  lint: [
    [
      'What kube-apiserver would refuse, and rules that never apply or log secrets',
      'kops-audit lint my-policy.yaml',
    ],
    ['In CI: warnings fail too', 'kops-audit lint my-policy.yaml --strict -o json'],
  ],
  order: [
    [
      'Write the rules in any order: the most specific one decides; print them in first-match order',
      'kops-audit order my-policy.yaml',
    ],
    [
      'Overlaps logged at the higher level instead, as the Policy object',
      'kops-audit order my-policy.yaml --prefer verbose -o json',
    ],
    [
      'Make every disagreement between equally specific rules an error instead',
      'kops-audit order my-policy.yaml --prefer none',
    ],
  ],
  simulate: [
    [
      'What the GCE policy would log on a recorded log, and what it would cost',
      'kops-audit simulate --policy gce --events audit.log',
    ],
    [
      'Compare two policies side by side on a gzipped log',
      'kops-audit simulate --policy basic --policy gce --events audit.log.gz',
    ],
    [
      "What shipping the GCE policy's log to CloudWatch Logs would cost a day (list price, named)",
      'kops-audit simulate --policy gce --events audit.log --ship-to cloudwatch://us-east-1/kube-apiserver-audit',
    ],
    [
      'The per-rule counts as one SQL query for DuckDB, to run where the logs are',
      'kops-audit simulate --policy gce --emit-sql duckdb --from audit.log.gz',
    ],
    [
      'The same for Athena (Trino) over a table of the logs in S3',
      'kops-audit simulate --policy gce --emit-sql trino --from audit_db.audit_events',
    ],
  ],
} as const satisfies Record<string, readonly (readonly [string, string])[]>;
