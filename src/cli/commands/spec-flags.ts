import { UsageError } from '../../errors.js';
import type { AuditSettings, Backend } from '../../spec/apply.js';
import type { AuditField } from '../../spec/fields.js';
import { type KopsVersion, parseKopsVersion } from '../../spec/kops-version.js';
import { parseShipTarget, SHIP_TO_NONE } from '../../spec/ship-target.js';

/** How the result of enable/disable leaves the command. */
export type OutputMode = 'write' | 'dry-run' | 'stdout' | 'pipe';

export interface OutputChoice {
  mode: OutputMode;
  json: boolean;
  detailedExitcode: boolean;
}

export interface RawOutputFlags {
  filename?: string;
  dryRun?: boolean;
  stdout?: boolean;
  detailedExitcode?: boolean;
  output?: string;
}

export function parseOutputChoice(raw: RawOutputFlags): OutputChoice {
  if (raw.dryRun && raw.stdout) {
    throw new UsageError(
      '--dry-run and --stdout cannot be combined: one prints the diff, the other the new spec.',
      {
        hint: 'Choose one of them.',
      },
    );
  }
  const json = raw.output === 'json';
  const pipe = raw.filename === '-';
  let mode: OutputMode = raw.dryRun ? 'dry-run' : raw.stdout ? 'stdout' : pipe ? 'pipe' : 'write';
  if (json && (mode === 'stdout' || mode === 'pipe')) {
    throw new UsageError(
      `--output json cannot be combined with ${mode === 'pipe' ? '-f - (stdout carries the new spec)' : '--stdout'}.`,
      { hint: 'Add --dry-run for a JSON summary of what would change, or drop --output json.' },
    );
  }
  if (mode === 'stdout' && pipe) mode = 'pipe';
  return { mode, json, detailedExitcode: raw.detailedExitcode === true };
}

export function parseKopsVersionFlag(value: string | undefined): KopsVersion | undefined {
  if (value === undefined) return undefined;
  const version = parseKopsVersion(value);
  if (!version) {
    throw new UsageError(`--kops-version ${JSON.stringify(value)} is not a kops version.`, {
      hint: 'Give it as `kops version --short` prints it, e.g. --kops-version 1.28.4.',
    });
  }
  return version;
}

export interface RawEnableFlags extends RawOutputFlags {
  backend?: string;
  logPath?: string;
  maxAge?: string;
  maxBackups?: string;
  maxSize?: string;
  logFormat?: string;
  policyPath?: string;
  webhookConfig?: string;
  webhookMode?: string;
  webhookBatchMaxWait?: string;
  webhookBatchMaxSize?: string;
  webhookBatchBufferSize?: string;
  webhookBatchThrottleQps?: string;
  webhookBatchThrottleBurst?: string;
  webhookInitialBackoff?: string;
  kopsVersion?: string;
  force?: boolean;
  policy?: string;
  shipTo?: string;
  shipCredentials?: string;
  shipImage?: string;
  /** `--order written|specific` and `--prefer`: ship the policy compiled most specific first. */
  order?: string;
  prefer?: string;
}

/** Flags of `enable` that describe the audit setup (file mode and cluster mode alike). */

const INT32_MAX = 2_147_483_647;

function wholeNumber(flag: string, value: string | undefined, unit: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) > INT32_MAX) {
    throw new UsageError(
      `${flag} must be a whole number of ${unit}, 0 or more; got ${JSON.stringify(value)}.`,
      {
        hint: `For example ${flag} ${flag === '--max-age' ? 30 : flag === '--max-backups' ? 10 : 100}.`,
      },
    );
  }
  return Number(value);
}

/**
 * Go's time.ParseDuration, which kops uses to read these fields, without the sign (a negative wait
 * is a mistake): "0", or numbers with units, e.g. 1m30s, 1.5h, .5s, 100us (also with U+00B5 or U+03BC
 * for "u"). Written with escapes, so the bundle stays ASCII (see scripts/build.mjs).
 */
const GO_DURATION = /^(0|((\d+(\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/;

function duration(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!GO_DURATION.test(value)) {
    throw new UsageError(
      `${flag} must be a duration such as 5s, 500ms or 1m30s; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function absolutePath(flag: string, value: string | undefined, allowDash = false): string | undefined {
  if (value === undefined) return undefined;
  if (allowDash && value === '-') return value;
  if (!value.startsWith('/')) {
    throw new UsageError(
      `${flag} must be an absolute path on the control-plane nodes, not ${JSON.stringify(value)}.`,
      {
        hint: `Start it with /, e.g. ${flag === '--log-path' ? '/var/log/kube-apiserver-audit.log' : '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml'}.`,
      },
    );
  }
  return value;
}

/** Everything of AuditSettings that comes from flags (the policy, webhook and ship credential files are read later). */
export type FlagSettings = Omit<AuditSettings, 'policy' | 'webhookConfig'>;

/** A container image reference as a pod manifest takes it: no spaces, quotes or shell characters. */
const IMAGE = /^[a-z0-9][a-z0-9._/-]*(:\d+\/[a-z0-9._/-]+)?(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;

/** `--ship-to`, `--ship-credentials`, `--ship-image`: checked here; the credentials file is read later. */
function parseShipFlags(raw: RawEnableFlags, settings: FlagSettings): void {
  if (raw.shipTo === undefined) {
    const stray =
      raw.shipCredentials !== undefined
        ? '--ship-credentials'
        : raw.shipImage !== undefined
          ? '--ship-image'
          : undefined;
    if (stray) {
      throw new UsageError(`${stray} goes with --ship-to URL.`, {
        hint: 'Add --ship-to with the destination, e.g. --ship-to cloudwatch://us-east-1/kube-apiserver-audit.',
      });
    }
    return;
  }
  if (raw.shipCredentials === '-') {
    throw new UsageError(
      '--ship-credentials - is refused: a secret should not come from a pipe that a log may record.',
      {
        hint: 'Write the secret to a file only you can read (chmod 600) and give its path.',
      },
    );
  }
  if (raw.shipTo === SHIP_TO_NONE) {
    if (raw.shipCredentials !== undefined || raw.shipImage !== undefined) {
      throw new UsageError(
        '--ship-to none removes the shipper; --ship-credentials and --ship-image do not go with it.',
      );
    }
    settings.ship = SHIP_TO_NONE;
    return;
  }
  const target = parseShipTarget(raw.shipTo);
  if (raw.shipImage !== undefined && !IMAGE.test(raw.shipImage)) {
    throw new UsageError(
      `--ship-image ${JSON.stringify(raw.shipImage)} is not a container image reference.`,
      {
        hint: 'For example --ship-image cr.fluentbit.io/fluent/fluent-bit:4.0.3 (the image must run /fluent-bit/bin/fluent-bit).',
      },
    );
  }
  settings.ship = { target, ...(raw.shipImage !== undefined ? { image: raw.shipImage } : {}) };
}

export function parseAuditSettingFlags(raw: RawEnableFlags): FlagSettings {
  const backend = (raw.backend ?? 'log') as Backend;
  const settings: FlagSettings = { backend };
  const kopsVersion = parseKopsVersionFlag(raw.kopsVersion);
  if (kopsVersion) settings.kopsVersion = kopsVersion;
  const logPath = absolutePath('--log-path', raw.logPath, true);
  const policyPath = absolutePath('--policy-path', raw.policyPath);
  const maxAge = wholeNumber('--max-age', raw.maxAge, 'days');
  const maxBackups = wholeNumber('--max-backups', raw.maxBackups, 'files');
  const maxSize = wholeNumber('--max-size', raw.maxSize, 'megabytes');
  const logOnly: [string, unknown][] = [
    ['--log-path', logPath],
    ['--max-age', maxAge],
    ['--max-backups', maxBackups],
    ['--max-size', maxSize],
    ['--log-format', raw.logFormat],
  ];
  if (!backend.includes('log')) {
    const given = logOnly.find(([, v]) => v !== undefined);
    if (given) {
      throw new UsageError(`${given[0]} is for the log backend, but --backend is ${backend}.`, {
        hint: 'Use --backend log,webhook for both, or drop the flag.',
      });
    }
  }
  if (logPath !== undefined) settings.logPath = logPath;
  if (policyPath !== undefined) settings.policyPath = policyPath;
  if (maxAge !== undefined) settings.maxAge = maxAge;
  if (maxBackups !== undefined) settings.maxBackups = maxBackups;
  if (maxSize !== undefined) settings.maxSize = maxSize;
  if (raw.logFormat !== undefined) settings.logFormat = raw.logFormat;

  const webhookFields: Partial<Record<AuditField, string | number | boolean>> = {};
  const qps = raw.webhookBatchThrottleQps;
  if (qps !== undefined && !/^\d+(\.\d+)?$/.test(qps)) {
    throw new UsageError(
      `--webhook-batch-throttle-qps must be a number such as 10 or 3.5; got ${JSON.stringify(qps)}.`,
    );
  }
  const entries: [string, AuditField, unknown][] = [
    ['--webhook-mode', 'auditWebhookMode', raw.webhookMode],
    [
      '--webhook-batch-max-wait',
      'auditWebhookBatchMaxWait',
      duration('--webhook-batch-max-wait', raw.webhookBatchMaxWait),
    ],
    [
      '--webhook-batch-max-size',
      'auditWebhookBatchMaxSize',
      wholeNumber('--webhook-batch-max-size', raw.webhookBatchMaxSize, 'events'),
    ],
    [
      '--webhook-batch-buffer-size',
      'auditWebhookBatchBufferSize',
      wholeNumber('--webhook-batch-buffer-size', raw.webhookBatchBufferSize, 'events'),
    ],
    [
      '--webhook-batch-throttle-qps',
      'auditWebhookBatchThrottleQps',
      qps === undefined ? undefined : Number(qps),
    ],
    [
      '--webhook-batch-throttle-burst',
      'auditWebhookBatchThrottleBurst',
      wholeNumber('--webhook-batch-throttle-burst', raw.webhookBatchThrottleBurst, 'requests'),
    ],
    [
      '--webhook-initial-backoff',
      'auditWebhookInitialBackoff',
      duration('--webhook-initial-backoff', raw.webhookInitialBackoff),
    ],
  ];
  const webhook = backend.includes('webhook');
  for (const [flag, field, value] of entries) {
    if (value === undefined) continue;
    if (!webhook) {
      throw new UsageError(`${flag} is for the webhook backend, but --backend is ${backend}.`, {
        hint: 'Add --backend webhook or --backend log,webhook.',
      });
    }
    webhookFields[field] = value as string | number;
  }
  if (raw.webhookConfig !== undefined && !webhook) {
    throw new UsageError(`--webhook-config is for the webhook backend, but --backend is ${backend}.`, {
      hint: 'Add --backend webhook or --backend log,webhook.',
    });
  }
  if (Object.keys(webhookFields).length > 0) settings.webhookFields = webhookFields;
  if (raw.force) settings.force = true;
  parseShipFlags(raw, settings);
  return settings;
}
