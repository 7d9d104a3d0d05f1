/**
 * The files of the log shipper `enable --ship-to` adds: a fluent-bit static pod on every node that
 * runs kube-apiserver, its configuration, its parser and, when the destination takes one, its
 * credentials, each as a kops file asset. Pure: the destination, the audit log path and the
 * cluster name in, file contents out (same input, same bytes: a re-run changes nothing).
 *
 * fluent-bit facts used here, from its documentation (fluent/fluent-bit-docs; the option lists
 * checked by test/unit/spec/ship-fluent-bit-options.test.ts are in test/fixtures/fluent-bit-options.json
 * with the page each comes from):
 * - tail (pipeline/inputs/tail.md): `db` keeps the offset of each file by inode, so a restart goes on
 *   where it stopped; rotation is followed by inode and the rotated file is read `rotate_wait` more
 *   seconds; `read_from_head` reads a file found at start without a database entry from its start;
 *   the path must not match rotated files, or they are read twice. `skip_long_lines` keeps a line
 *   over `buffer_max_size` from stopping the file.
 * - buffering (administration/buffering-and-storage.md): `mem_buf_limit` alone pauses the input
 *   and can lose a file rotated meanwhile; with `storage.type filesystem` the excess goes to disk
 *   chunks instead, at most `storage.max_chunks_up` of them in memory; `storage.total_limit_size`
 *   bounds the disk queue of an output (the oldest chunk goes first).
 * - retries (administration/scheduling-and-retries.md): `retry_limit no_limits`, exponential backoff
 *   with jitter between `scheduler.base` and `scheduler.cap` seconds.
 * - variables (administration/configuring-fluent-bit/classic-mode/variables.md, commands.md):
 *   `${NAME}` in any value, from the environment or from `@SET NAME=VALUE`, which an `@INCLUDE`d
 *   file may hold; that keeps the secret in its own file (mode 0400), out of the configuration.
 * - parsers (pipeline/parsers/configuring-parser.md) must live in a parsers file, not in the main
 *   configuration: hence a fourth file.
 */
import path from 'node:path/posix';
import { stringify } from 'yaml';
import { SHIPPER_CONFIG_DIR, SHIPPER_STATE_DIR, STATIC_POD_DIR } from './compat.js';
import type { ShipCredentials, ShipTarget } from './ship-target.js';

/** kops-audit knows its shipper by these file-asset names, as it knows its policy. */
export const SHIP_MANIFEST_ASSET = 'kops-audit-shipper-manifest';
export const SHIP_CONFIG_ASSET = 'kops-audit-shipper-config';
export const SHIP_PARSERS_ASSET = 'kops-audit-shipper-parsers';
export const SHIP_CREDENTIALS_ASSET = 'kops-audit-shipper-credentials';
export const SHIP_ASSETS: readonly string[] = [
  SHIP_MANIFEST_ASSET,
  SHIP_CONFIG_ASSET,
  SHIP_PARSERS_ASSET,
  SHIP_CREDENTIALS_ASSET,
];

export const SHIP_PATHS = {
  manifest: `${STATIC_POD_DIR}/kops-audit-shipper.manifest`,
  config: `${SHIPPER_CONFIG_DIR}/fluent-bit.conf`,
  parsers: `${SHIPPER_CONFIG_DIR}/parsers.conf`,
  credentials: `${SHIPPER_CONFIG_DIR}/credentials.conf`,
  tailDb: `${SHIPPER_STATE_DIR}/tail.db`,
  buffer: `${SHIPPER_STATE_DIR}/buffer`,
} as const;

/**
 * The fluent-bit image of the static pod (`--ship-image` overrides it; it must keep the binary at
 * /fluent-bit/bin/fluent-bit, as the official and the AWS for Fluent Bit images do). Pinned to one
 * release, so that a re-run writes the same manifest and nodes never pull a moving tag.
 */
export const DEFAULT_SHIP_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:4.0.3';

const TAG = 'kube-apiserver-audit';
/** fluent-bit's `${NAME}` reference to the node name the pod gets from the downward API. */
const NODE_NAME_VAR = `\${NODE_NAME}`;
const PARSER = 'kube-apiserver-audit';
/** Disk the shipper may queue per node while the destination is away (then the oldest goes). */
export const SHIP_DISK_LIMIT = '1G';

/** What the shipper ships, and as what: the settings behind the four files. */
export interface ShipPlan {
  target: ShipTarget;
  image: string;
  credentials?: ShipCredentials;
  /** The audit log kube-apiserver writes (spec.kubeAPIServer.auditLogPath): tailed as it is. */
  logPath: string;
  /** Events are tagged with it (field `cluster`, a Loki label). */
  clusterName: string;
}

export interface ShipFiles {
  manifest: string;
  config: string;
  parsers: string;
  /** Absent when the destination takes no credentials. */
  credentials?: string;
}

const CONFIG_RECORD =
  /^# Managed by kops-audit: `kops-audit disable` removes this shipper\.\n# ship-to: (\S+)\n/;

/** The first lines of the configuration: who wrote it and where it ships (read back by enable and status). */
function configRecord(url: string): string {
  return `# Managed by kops-audit: \`kops-audit disable\` removes this shipper.\n# ship-to: ${url}\n`;
}

/** The `--ship-to` URL recorded in a configuration kops-audit wrote, if it is one. */
export function recordedShipTo(config: string | undefined): string | undefined {
  return config === undefined ? undefined : CONFIG_RECORD.exec(config)?.[1];
}

/** Lines `key value` of one section, keys padded to one column as fluent-bit's docs write them. */
function section(name: string, entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return `[${name}]\n${entries.map(([key, value]) => `    ${key.padEnd(width)} ${value}`).join('\n')}\n`;
}

const VAR = {
  token: 'KOPS_AUDIT_SHIP_TOKEN',
  user: 'KOPS_AUDIT_SHIP_USER',
  password: 'KOPS_AUDIT_SHIP_PASSWORD',
  apiKey: 'KOPS_AUDIT_SHIP_API_KEY',
} as const;

const ref = (name: string) => `\${${name}}`;

/** The S3 output's own buffer (it keeps files there until they are uploaded, across restarts). */
export const S3_STORE_DIR = `${SHIPPER_STATE_DIR}/s3`;
/**
 * Upload attempts per buffered file for the S3 output. It does not take `no_limits`: it reads it
 * as 5 (MAX_UPLOAD_ERRORS, plugins/out_s3/s3.c). A file that fails them all stays in store_dir,
 * from which the next start of fluent-bit uploads it.
 */
export const S3_RETRY_LIMIT = '1000';

/**
 * `tls on` with the certificate checked and its host name too: fluent-bit's `tls.verify` alone accepts
 * a certificate issued for another host (`tls.verify_hostname` is off by default), which would let
 * anyone with some valid certificate receive the audit log.
 */
function tlsEntries(tls: boolean): [string, string][] {
  if (!tls) return [['tls', 'off']];
  return [
    ['tls', 'on'],
    ['tls.verify', 'on'],
    ['tls.verify_hostname', 'on'],
  ];
}

function outputEntries(plan: ShipPlan): [string, string][] {
  const { target, credentials } = plan;
  const common: [string, string][] = [
    ['retry_limit', 'no_limits'],
    ['storage.total_limit_size', SHIP_DISK_LIMIT],
  ];
  if (target.kind === 'cloudwatch') {
    return [
      ['name', 'cloudwatch_logs'],
      ['match', TAG],
      ['region', target.region],
      ['log_group_name', target.logGroup],
      // One stream per node: streams are named after the node the event was written on.
      ['log_stream_name', NODE_NAME_VAR],
      ['auto_create_group', target.createGroup ? 'true' : 'false'],
      ...common,
    ];
  }
  if (target.kind === 's3') {
    return [
      ['name', 's3'],
      ['match', TAG],
      ['region', target.region],
      ['bucket', target.bucket],
      // PREFIX/CLUSTER/NODE/YYYY/MM/DD/HHMMSS-UUID.jsonl.gz, the time of the file's first event.
      [
        's3_key_format',
        `/${target.prefix}${plan.clusterName}/${NODE_NAME_VAR}/%Y/%m/%d/%H%M%S-$UUID.jsonl.gz`,
      ],
      // PutObject only: one request per file, no multipart uploads left behind by a node that dies.
      ['use_put_object', 'on'],
      ['total_file_size', '20M'],
      ['upload_timeout', '5m'],
      ['compression', 'gzip'],
      // The lines are the audit events as written (their own stageTimestamp), plus cluster and node.
      ['json_date_key', 'false'],
      ['store_dir', S3_STORE_DIR],
      // The S3 output buffers in store_dir, not in fluent-bit's storage (storage.total_limit_size).
      ['store_dir_limit_size', SHIP_DISK_LIMIT],
      ['retry_limit', S3_RETRY_LIMIT],
    ];
  }
  if (target.kind === 'stackdriver') {
    return [
      ['name', 'stackdriver'],
      ['match', TAG],
      // The entries belong to the control-plane VM (project, zone and instance id from the metadata
      // server); the log name is the tag.
      ['resource', 'gce_instance'],
      ...common,
    ];
  }
  const basic: [string, string][] = [
    ['http_user', ref(VAR.user)],
    ['http_passwd', ref(VAR.password)],
  ];
  if (target.kind === 'elasticsearch') {
    const auth: [string, string][] =
      credentials === undefined
        ? []
        : credentials.kind === 'basic'
          ? basic
          : [['http_api_key', ref(VAR.apiKey)]];
    return [
      ['name', 'es'],
      ['match', TAG],
      ['host', target.host],
      ['port', String(target.port)],
      ['index', target.index],
      // No mapping types (Elasticsearch 8 refuses them, 7 and OpenSearch take their absence).
      ['suppress_type_name', 'on'],
      ...tlsEntries(target.tls),
      ...auth,
      // fluent-bit's log then says why Elasticsearch refused a document.
      ['trace_error', 'on'],
      ...common,
    ];
  }
  if (target.kind === 'splunk') {
    return [
      ['name', 'splunk'],
      ['match', TAG],
      ['host', target.host],
      ['port', String(target.port)],
      ...tlsEntries(target.tls),
      ['splunk_token', ref(VAR.token)],
      // The event's host is the node that wrote it, its source the audit log file.
      ['event_host', '$node'],
      ['event_source', plan.logPath],
      ...common,
    ];
  }
  if (target.kind === 'logdna') {
    return [
      ['name', 'logdna'],
      ['match', TAG],
      ...(target.host === undefined ? [] : ([['logdna_host', target.host]] as [string, string][])),
      ...(target.port === undefined ? [] : ([['logdna_port', String(target.port)]] as [string, string][])),
      ...tlsEntries(true),
      ['api_key', ref(VAR.token)],
      ['hostname', NODE_NAME_VAR],
      ['app', TAG],
      ['file', plan.logPath],
      ['tags', `${TAG},${plan.clusterName}`],
      ...common,
    ];
  }
  const tls = tlsEntries(target.tls);
  const auth: [string, string][] =
    credentials === undefined
      ? []
      : credentials.kind === 'basic'
        ? basic
        : credentials.kind === 'apiKey'
          ? []
          : target.kind === 'loki'
            ? [['bearer_token', ref(VAR.token)]]
            : [['header', `Authorization Bearer ${ref(VAR.token)}`]];
  if (target.kind === 'loki') {
    return [
      ['name', 'loki'],
      ['match', TAG],
      ['host', target.host],
      ['port', String(target.port)],
      ['uri', target.path],
      ...tls,
      ...auth,
      ['labels', `job=${TAG}, cluster=${plan.clusterName}, node=\${NODE_NAME}`],
      ['line_format', 'json'],
      ...common,
    ];
  }
  return [
    ['name', 'http'],
    ['match', TAG],
    ['host', target.host],
    ['port', String(target.port)],
    ['uri', target.path],
    ...tls,
    ...auth,
    // One JSON object per line (the audit event, plus cluster and node), the time as ISO 8601.
    ['format', 'json_lines'],
    ['json_date_key', 'shipped_at'],
    ['json_date_format', 'iso8601'],
    ...common,
  ];
}

function renderConfig(plan: ShipPlan): string {
  const include = plan.credentials ? `@INCLUDE ${SHIP_PATHS.credentials}\n\n` : '';
  return [
    configRecord(plan.target.url) + include,
    section('SERVICE', [
      ['flush', '5'],
      ['grace', '5'],
      ['log_level', 'info'],
      ['parsers_file', SHIP_PATHS.parsers],
      ['storage.path', SHIP_PATHS.buffer],
      ['storage.sync', 'normal'],
      ['storage.checksum', 'on'],
      ['storage.max_chunks_up', '16'],
      ['storage.backlog.mem_limit', '16M'],
      ['scheduler.base', '5'],
      ['scheduler.cap', '300'],
    ]),
    section('INPUT', [
      ['name', 'tail'],
      ['tag', TAG],
      // Exactly the file kube-apiserver writes; its rotated copies are followed by inode, and a
      // pattern that matched them would read them twice.
      ['path', plan.logPath],
      ['db', SHIP_PATHS.tailDb],
      ['db.sync', 'normal'],
      ['db.locking', 'true'],
      ['read_from_head', 'true'],
      ['refresh_interval', '5'],
      ['rotate_wait', '30'],
      ['buffer_chunk_size', '256k'],
      ['buffer_max_size', '16M'],
      ['skip_long_lines', 'on'],
      ['mem_buf_limit', '16M'],
      ['storage.type', 'filesystem'],
      ['parser', PARSER],
    ]),
    section('FILTER', [
      ['name', 'record_modifier'],
      ['match', TAG],
      ['record', `cluster ${plan.clusterName}`],
      ['record', `node ${NODE_NAME_VAR}`],
    ]),
    section('OUTPUT', outputEntries(plan)),
  ].join('\n');
}

function renderParsers(): string {
  return `# Managed by kops-audit. Audit events are JSON lines; stageTimestamp is when the event was written.\n${section(
    'PARSER',
    [
      ['name', PARSER],
      ['format', 'json'],
      ['time_key', 'stageTimestamp'],
      ['time_format', '%Y-%m-%dT%H:%M:%S.%LZ'],
      ['time_keep', 'on'],
      ['time_strict', 'off'],
    ],
  )}`;
}

function renderCredentials(credentials: ShipCredentials): string {
  const lines =
    credentials.kind === 'token'
      ? [`@SET ${VAR.token}=${credentials.token}`]
      : credentials.kind === 'apiKey'
        ? [`@SET ${VAR.apiKey}=${credentials.apiKey}`]
        : [`@SET ${VAR.user}=${credentials.user}`, `@SET ${VAR.password}=${credentials.password}`];
  return `# Managed by kops-audit: the shipper's credentials, included by ${SHIP_PATHS.config}.\n${lines.join('\n')}\n`;
}

/** The credentials in a file kops-audit wrote (so that a re-run can keep them without the flag). */
export function readCredentials(content: string | undefined): ShipCredentials | undefined {
  if (content === undefined) return undefined;
  const value = (name: string) => new RegExp(`^@SET ${name}=(.*)$`, 'm').exec(content)?.[1];
  const token = value(VAR.token);
  if (token !== undefined) return { kind: 'token', token };
  const apiKey = value(VAR.apiKey);
  if (apiKey !== undefined) return { kind: 'apiKey', apiKey };
  const user = value(VAR.user);
  const password = value(VAR.password);
  return user !== undefined && password !== undefined ? { kind: 'basic', user, password } : undefined;
}

/** The static pod. Everything it reads is a host path; it needs no API server, CNI or DNS add-on. */
function renderManifest(plan: ShipPlan): string {
  const logDir = path.dirname(plan.logPath);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'kops-audit-shipper',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kops-audit-shipper' },
    },
    spec: {
      // The node's network and resolver: the pod runs before (and without) the cluster's CNI and
      // DNS, and reaches the instance metadata service for the instance role (hop limit 1).
      hostNetwork: true,
      dnsPolicy: 'Default',
      priorityClassName: 'system-node-critical',
      tolerations: [{ operator: 'Exists' }],
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: 'fluent-bit',
          image: plan.image,
          command: ['/fluent-bit/bin/fluent-bit', '-c', SHIP_PATHS.config],
          env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          resources: {
            requests: { cpu: '50m', memory: '64Mi' },
            limits: { memory: '256Mi' },
          },
          securityContext: {
            // Root, to read the audit log kube-apiserver writes and the 0400 credentials file.
            runAsUser: 0,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
          },
          volumeMounts: [
            { name: 'audit-log', mountPath: logDir, readOnly: true },
            { name: 'config', mountPath: SHIPPER_CONFIG_DIR, readOnly: true },
            { name: 'state', mountPath: SHIPPER_STATE_DIR },
          ],
        },
      ],
      volumes: [
        { name: 'audit-log', hostPath: { path: logDir, type: 'DirectoryOrCreate' } },
        { name: 'config', hostPath: { path: SHIPPER_CONFIG_DIR, type: 'Directory' } },
        { name: 'state', hostPath: { path: SHIPPER_STATE_DIR, type: 'DirectoryOrCreate' } },
      ],
    },
  };
  return `# Managed by kops-audit: ships ${plan.logPath} to ${plan.target.url}.\n${stringify(pod, { lineWidth: 0 })}`;
}

export function renderShipFiles(plan: ShipPlan): ShipFiles {
  const files: ShipFiles = {
    manifest: renderManifest(plan),
    config: renderConfig(plan),
    parsers: renderParsers(),
  };
  if (plan.credentials) files.credentials = renderCredentials(plan.credentials);
  return files;
}

/** The image of a shipper manifest kops-audit wrote. */
export function manifestImage(manifest: string | undefined): string | undefined {
  return manifest === undefined ? undefined : /^\s+image: (\S+)$/m.exec(manifest)?.[1];
}

/** The file the configuration tails (status checks it against auditLogPath). */
export function tailedPath(config: string | undefined): string | undefined {
  if (config === undefined) return undefined;
  const input = /^\[INPUT\]\n((?: {4}.*\n)*)/m.exec(config)?.[1] ?? '';
  return /^ {4}path +(\S+)$/m.exec(input)?.[1];
}
