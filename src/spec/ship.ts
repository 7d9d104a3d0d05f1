/**
 * `enable --ship-to`: decide what the shipper should be (from the flags, or from what an earlier run
 * recorded), and write or remove its file assets and IAM statement with the spec editor. Pure, like
 * the rest of spec/: values in, edits of a SpecEditor out.
 */
import { isMap, isScalar } from 'yaml';
import { SpecError, UsageError } from '../errors.js';
import { API_SERVER_POLICY_KEY, controlPlanePolicyKey, type KopsRules } from './compat.js';
import type { ParsedSpec } from './document.js';
import { Literal, type SpecEditor, type YamlEntries } from './edit.js';
import type { AuditSetup, FileAssetView } from './read.js';
import {
  type IamStatement,
  ourStatements,
  parseStatementList,
  shipStatements,
  withOurStatements,
  withoutOurStatements,
} from './ship-iam.js';
import {
  DEFAULT_SHIP_IMAGE,
  manifestImage,
  readCredentials,
  recordedShipTo,
  renderShipFiles,
  SHIP_CONFIG_ASSET,
  SHIP_CREDENTIALS_ASSET,
  SHIP_MANIFEST_ASSET,
  SHIP_PARSERS_ASSET,
  SHIP_PATHS,
  type ShipFiles,
  type ShipPlan,
} from './ship-render.js';
import {
  CREDENTIALS_REQUIRED,
  parseShipTarget,
  type ShipCredentials,
  type ShipKind,
  type ShipTarget,
} from './ship-target.js';

/** The destinations that only work on one cloud: they sign with that cloud's node identity. */
const CLOUD_OF: Partial<Record<ShipKind, { cloud: string; why: string }>> = {
  cloudwatch: { cloud: 'aws', why: 'signs with the AWS instance role' },
  s3: { cloud: 'aws', why: 'signs with the AWS instance role' },
  stackdriver: { cloud: 'gce', why: "sends with the GCE node's service account" },
};

/** What `--ship-to`, `--ship-credentials` and `--ship-image` ask for. */
export interface ShipSettings {
  target: ShipTarget;
  credentials?: ShipCredentials;
  image?: string;
}

/** kops-audit's shipper in a spec: its file assets by name, and the destination it recorded. */
export interface ShipSetup {
  manifest?: FileAssetView;
  config?: FileAssetView;
  parsers?: FileAssetView;
  credentials?: FileAssetView;
  /** The `--ship-to` URL recorded in the configuration. */
  shipTo?: string;
}

export function readShipSetup(setup: AuditSetup): ShipSetup {
  const byName = (name: string) => setup.assets.find((asset) => asset.name === name);
  const found: ShipSetup = {};
  const manifest = byName(SHIP_MANIFEST_ASSET);
  const config = byName(SHIP_CONFIG_ASSET);
  const parsers = byName(SHIP_PARSERS_ASSET);
  const credentials = byName(SHIP_CREDENTIALS_ASSET);
  if (manifest) found.manifest = manifest;
  if (config) found.config = config;
  if (parsers) found.parsers = parsers;
  if (credentials) found.credentials = credentials;
  const shipTo = recordedShipTo(config?.content);
  if (shipTo !== undefined) found.shipTo = shipTo;
  return found;
}

export const hasShipper = (ship: ShipSetup) =>
  ship.manifest !== undefined ||
  ship.config !== undefined ||
  ship.parsers !== undefined ||
  ship.credentials !== undefined;

/** The spec's cloud, when it says (v1alpha2 `cloudProvider: aws`, v1alpha3 `cloudProvider: {aws: {}}`). */
export function cloudOf(parsed: ParsedSpec): string | undefined {
  const cloud = parsed.cluster.spec.get('cloudProvider', true);
  if (isScalar(cloud) && typeof cloud.value === 'string') return cloud.value;
  if (isMap(cloud)) {
    const first = cloud.items[0]?.key;
    return isScalar(first) ? String(first.value) : undefined;
  }
  return undefined;
}

/**
 * The shipper enable should leave in the spec: from the flags; without `--ship-to`, the one an
 * earlier run wrote, rendered again (so that a new log path or kops version reaches it); or none.
 * A value not given again (the image, the credentials for the same destination) is kept.
 */
export function resolveShipPlan(
  requested: ShipSettings | 'none' | undefined,
  parsed: ParsedSpec,
  ship: ShipSetup,
  logPath: string | number | boolean | null | undefined,
): ShipPlan | undefined {
  if (requested === 'none') return undefined;
  let settings: ShipSettings;
  if (requested === undefined) {
    if (!hasShipper(ship)) return undefined;
    if (ship.shipTo === undefined) {
      throw new SpecError(
        `${parsed.source}: file asset ${SHIP_CONFIG_ASSET} no longer records where it ships (its first lines were changed), so kops-audit cannot update the shipper.`,
        { hint: 'Give --ship-to URL again (or --ship-to none to remove the shipper).' },
      );
    }
    settings = { target: parseShipTarget(ship.shipTo) };
  } else {
    settings = requested;
  }
  const sameDestination = ship.shipTo === settings.target.url;
  const credentials =
    settings.credentials ?? (sameDestination ? readCredentials(ship.credentials?.content) : undefined);
  if (typeof logPath !== 'string' || logPath === '-') {
    throw new UsageError(
      `--ship-to needs the audit log in a file on the nodes, but ${logPath === '-' ? 'auditLogPath is - (kube-apiserver stdout)' : 'the spec has no auditLogPath (webhook backend only)'}.`,
      {
        hint: 'Use --backend log (or log,webhook) and a --log-path file, e.g. /var/log/kube-apiserver-audit.log.',
      },
    );
  }
  const target = settings.target;
  const cloud = cloudOf(parsed);
  const needs = CLOUD_OF[target.kind];
  if (needs !== undefined && cloud !== undefined && cloud !== needs.cloud) {
    throw new UsageError(
      `--ship-to ${target.url} ${needs.why}, but ${parsed.source} is a ${cloud} cluster.`,
      { hint: 'Ship to loki://HOST or https://HOST/PATH instead.' },
    );
  }
  const required = CREDENTIALS_REQUIRED[target.kind];
  if (required !== undefined && credentials === undefined) {
    throw new UsageError(`--ship-to ${target.url} needs ${required}, and no --ship-credentials was given.`, {
      hint: `Write ${required} on one line in a file only you can read (chmod 600) and add --ship-credentials FILE.`,
    });
  }
  const image = settings.image ?? manifestImage(ship.manifest?.content) ?? DEFAULT_SHIP_IMAGE;
  if (credentials?.kind === 'apiKey' && image === DEFAULT_SHIP_IMAGE) {
    throw new UsageError(
      `An Elasticsearch API key needs fluent-bit's http_api_key, which ${DEFAULT_SHIP_IMAGE} does not have (it came in a 4.0 patch release in 2025, and crashed until fluent/fluent-bit#10948 was fixed).`,
      {
        hint: 'Write USER:PASSWORD in the --ship-credentials file instead, or add --ship-image with a fluent-bit release that has the fix.',
      },
    );
  }
  const plan: ShipPlan = {
    target,
    image,
    logPath,
    clusterName: parsed.cluster.name,
  };
  if (credentials) plan.credentials = credentials;
  return plan;
}

/** What the shipper edit wrote, for the check of the result. */
export interface ShipEdit {
  files: ShipFiles | undefined;
  /** spec.additionalPolicies keys the edit may have changed. */
  policyKeys: Set<string>;
}

const withNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

function assetMatches(asset: FileAssetView | undefined, entries: YamlEntries): boolean {
  if (!asset) return false;
  const want = new Map(entries);
  const roles = want.get('roles') as string[];
  return (
    asset.path === want.get('path') &&
    asset.mode === want.get('mode') &&
    asset.isBase64 !== true &&
    asset.content === (want.get('content') as Literal).text &&
    asset.roles !== undefined &&
    asset.roles.length === roles.length &&
    roles.every((role) => asset.roles!.includes(role))
  );
}

const byName = (name: string) => (item: unknown) => isMap(item) && item.get('name') === name;

/**
 * The additionalPolicies keys that can hold kops-audit's statement in this spec. A v1alpha2 spec that
 * already says `control-plane` (kops 1.26+ takes it) keeps it: adding `master` beside it would give
 * two keys that kops converts to one, and keeps one of them at random.
 */
function policyKeysOf(parsed: ParsedSpec): string[] {
  const own = controlPlanePolicyKey(parsed.cluster.apiVersion);
  const keys = [own === 'master' && policyValues(parsed).has('control-plane') ? 'control-plane' : own];
  if (parsed.instanceGroupRoles.includes('APIServer')) keys.push(API_SERVER_POLICY_KEY);
  return keys;
}

function policyValues(parsed: ParsedSpec): Map<string, string> {
  const map = parsed.cluster.spec.get('additionalPolicies', true);
  const values = new Map<string, string>();
  if (!isMap(map)) return values;
  for (const pair of map.items) {
    if (isScalar(pair.key) && isScalar(pair.value) && typeof pair.value.value === 'string') {
      values.set(String(pair.key.value), pair.value.value);
    }
  }
  return values;
}

/**
 * Write the shipper `plan` asks for (or remove kops-audit's shipper when it is undefined): the file
 * assets for `roles`, and the IAM statement under every additionalPolicies key that needs it.
 */
export function editShipper(
  editor: SpecEditor,
  parsed: ParsedSpec,
  ship: ShipSetup,
  plan: ShipPlan | undefined,
  roles: readonly string[],
  rules: KopsRules,
  warnings: string[],
): ShipEdit {
  const files = plan ? renderShipFiles(plan) : undefined;
  const asset = (name: string, path: string, content: string, mode?: string): YamlEntries => [
    ['name', name],
    ['path', path],
    ['roles', [...roles]],
    ...(mode ? ([['mode', mode]] as const) : []),
    ['content', new Literal(withNewline(content))],
  ];
  const wanted: [string, FileAssetView | undefined, YamlEntries | undefined][] = [
    [
      SHIP_MANIFEST_ASSET,
      ship.manifest,
      files && asset(SHIP_MANIFEST_ASSET, SHIP_PATHS.manifest, files.manifest),
    ],
    [SHIP_CONFIG_ASSET, ship.config, files && asset(SHIP_CONFIG_ASSET, SHIP_PATHS.config, files.config)],
    [SHIP_PARSERS_ASSET, ship.parsers, files && asset(SHIP_PARSERS_ASSET, SHIP_PATHS.parsers, files.parsers)],
    [
      SHIP_CREDENTIALS_ASSET,
      ship.credentials,
      files?.credentials === undefined
        ? undefined
        : asset(
            SHIP_CREDENTIALS_ASSET,
            SHIP_PATHS.credentials,
            files.credentials,
            rules.fileAssetMode ? '0400' : undefined,
          ),
    ],
  ];
  if (files?.credentials !== undefined && !rules.fileAssetMode) {
    warnings.push(
      rules.version
        ? `${rules.label} has no \`mode\` for file assets (added in 1.24), so nodes get the shipper's credentials with kops' default 0440.`
        : "The shipper's credentials are written without `mode` (kops 1.24 added it); nodes get kops' default 0440. Give --kops-version 1.24 or newer to restrict them to 0400.",
    );
  }
  // The assets first, then the IAM statements: they edit disjoint parts of the spec.
  for (const [name, current, entries] of wanted) {
    if (entries === undefined) {
      if (current) editor.removeItems(['fileAssets'], byName(name));
    } else if (!assetMatches(current, entries)) {
      editor.upsertItem(['fileAssets'], byName(name), entries);
    }
  }
  const statements: IamStatement[] = plan ? shipStatements(plan.target) : [];
  const values = policyValues(parsed);
  const needed = new Set(statements.length > 0 ? policyKeysOf(parsed) : []);
  const policyKeys = new Set<string>();
  for (const key of new Set([...values.keys(), ...needed])) {
    const where = `spec.additionalPolicies.${key}`;
    const current = values.get(key);
    const next = needed.has(key)
      ? withOurStatements(current, statements, where)
      : current === undefined
        ? undefined
        : withoutOurStatements(current, where);
    if (next === current) continue;
    policyKeys.add(key);
    if (next === undefined) editor.removeKeys(['additionalPolicies'], [key]);
    else editor.setValue(['additionalPolicies'], key, new Literal(next));
  }
  return { files, policyKeys };
}

/** The statements of others under `key` are the same before and after (only kops-audit's changed). */
export function othersStatementsKept(before: ParsedSpec, after: ParsedSpec, key: string): boolean {
  const where = `spec.additionalPolicies.${key}`;
  const others = (value: string | undefined) =>
    value === undefined
      ? []
      : parseStatementList(value, where).filter((s) => !ourStatements(JSON.stringify([s]), where).length);
  return (
    JSON.stringify(others(policyValues(before).get(key))) ===
    JSON.stringify(others(policyValues(after).get(key)))
  );
}

/** kops-audit's IAM statements in the spec, by additionalPolicies key. */
export function shipStatementsInSpec(parsed: ParsedSpec): Map<string, IamStatement[]> {
  const found = new Map<string, IamStatement[]>();
  for (const [key, value] of policyValues(parsed)) {
    let ours: IamStatement[] = [];
    try {
      ours = ourStatements(value, `spec.additionalPolicies.${key}`);
    } catch {
      // Not JSON: kops refuses it; status reports the statement as missing.
    }
    if (ours.length > 0) found.set(key, ours);
  }
  return found;
}

export { policyKeysOf };
