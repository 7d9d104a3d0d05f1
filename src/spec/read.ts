/**
 * What audit setup a Cluster has now: the audit fields of spec.kubeAPIServer, the file assets, which
 * of them kops-audit wrote (by name), and which fields it added (recorded in its policy asset).
 */
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { ParsedSpec } from './document.js';
import { AUDIT_FIELD_NAMES, type AuditField, isAuditField, misspeltAuditField } from './fields.js';
import { lineNumberOf } from './text.js';

/** kops-audit knows its own setup by these file-asset names. */
export const POLICY_ASSET = 'kops-audit-policy';
export const WEBHOOK_ASSET = 'kops-audit-webhook-config';

export interface FileAssetView {
  /** Position in spec.fileAssets. */
  index: number;
  name?: string;
  path?: string;
  roles?: string[];
  mode?: string;
  content?: string;
  isBase64?: boolean;
  /** 1-based line of the item. */
  line: number;
}

export interface FieldView {
  value: unknown;
  line: number;
}

export interface MisspeltField {
  key: string;
  /** The field it probably means, when one is close. */
  meant?: AuditField;
  line: number;
}

export interface AuditSetup {
  /** Audit fields present in spec.kubeAPIServer. */
  fields: Partial<Record<AuditField, FieldView>>;
  misspelt: MisspeltField[];
  assets: FileAssetView[];
  ourPolicy?: FileAssetView;
  ourWebhook?: FileAssetView;
  /** Fields kops-audit added (not the ones it found), from the record in its policy asset. */
  ownedFields: AuditField[];
  /** Whether the policy asset carries that record (absent when someone rewrote its content). */
  hasOwnershipRecord: boolean;
  /** Values that were there before kops-audit changed them on request (--max-age 60 over 90): disable puts them back. */
  restores: Partial<Record<AuditField, string | number | boolean>>;
}

/**
 * The first line of the policy asset's content records which kubeAPIServer fields kops-audit added,
 * so that `disable` removes exactly those and keeps values that were there before. It lives in the
 * content because that is the one place kops keeps byte for byte through `kops replace` and
 * `kops get` (comments elsewhere are dropped); to kube-apiserver it is a YAML comment.
 */
const RECORD =
  /^# Managed by kops-audit: `kops-audit disable` removes this file and the fields it added:\n# +kubeAPIServer: ([A-Za-z, ]*|none)\n(?:# +and restores: (\{.*\})\n)?/;

export function ownershipRecord(
  fields: readonly AuditField[],
  restores: AuditSetup['restores'] = {},
): string {
  const list = fields.length > 0 ? [...fields].sort().join(', ') : 'none';
  const sorted = Object.fromEntries(Object.entries(restores).sort(([a], [b]) => a.localeCompare(b)));
  const restoreLine = Object.keys(sorted).length > 0 ? `#   and restores: ${JSON.stringify(sorted)}\n` : '';
  return `# Managed by kops-audit: \`kops-audit disable\` removes this file and the fields it added:\n#   kubeAPIServer: ${list}\n${restoreLine}`;
}

/** The policy text, the recorded fields and the values to restore of a policy asset's content. */
export function splitOwnershipRecord(content: string): {
  policy: string;
  fields: AuditField[] | undefined;
  restores: AuditSetup['restores'];
} {
  const match = RECORD.exec(content);
  if (!match) return { policy: content, fields: undefined, restores: {} };
  const fields =
    match[1] === 'none'
      ? []
      : match[1]!
          .split(',')
          .map((f) => f.trim())
          .filter(isAuditField);
  return { policy: content.slice(match[0].length), fields, restores: parseRestores(match[2]) };
}

/** The recorded values, keeping only audit fields with scalar values (the record is plain text). */
function parseRestores(json: string | undefined): AuditSetup['restores'] {
  if (json === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: AuditSetup['restores'] = {};
  for (const [key, v] of Object.entries(value)) {
    if (isAuditField(key) && ['string', 'number', 'boolean'].includes(typeof v))
      out[key] = v as string | number | boolean;
  }
  return out;
}

function stringList(node: unknown): string[] | undefined {
  if (!isSeq(node)) return undefined;
  return node.items.map((item) => (isScalar(item) ? String(item.value) : String(item)));
}

function readAsset(text: string, node: unknown, index: number): FileAssetView {
  const range = (node as { range?: [number, number, number] }).range;
  const view: FileAssetView = { index, line: range ? lineNumberOf(text, range[0]) : 0 };
  if (!isMap(node)) return view;
  const str = (key: string) => {
    const value = node.get(key);
    return typeof value === 'string'
      ? value
      : value === undefined || value === null
        ? undefined
        : String(value);
  };
  const name = str('name');
  const path = str('path');
  const mode = str('mode');
  const content = str('content');
  const roles = stringList(node.get('roles', true));
  if (name !== undefined) view.name = name;
  if (path !== undefined) view.path = path;
  if (mode !== undefined) view.mode = mode;
  if (content !== undefined) view.content = content;
  if (roles !== undefined) view.roles = roles;
  if (node.get('isBase64') === true) view.isBase64 = true;
  return view;
}

export function readAuditSetup(parsed: ParsedSpec): AuditSetup {
  const { text, cluster } = parsed;
  const fields: AuditSetup['fields'] = {};
  const misspelt: MisspeltField[] = [];
  const kubeAPIServer = cluster.spec.get('kubeAPIServer', true);
  if (isMap(kubeAPIServer)) {
    for (const pair of (kubeAPIServer as YAMLMap).items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const line = pair.key.range ? lineNumberOf(text, pair.key.range[0]) : 0;
      if (isAuditField(key)) {
        const value = isScalar(pair.value) ? pair.value.value : pair.value;
        fields[key] = { value, line };
        continue;
      }
      const slip = misspeltAuditField(key);
      if (slip) misspelt.push({ key, line, ...(slip.meant ? { meant: slip.meant } : {}) });
    }
  }
  const assetsNode = cluster.spec.get('fileAssets', true);
  const assets = isSeq(assetsNode) ? assetsNode.items.map((item, i) => readAsset(text, item, i)) : [];
  const ourPolicy = assets.find((a) => a.name === POLICY_ASSET);
  const ourWebhook = assets.find((a) => a.name === WEBHOOK_ASSET);
  const split = ourPolicy?.content === undefined ? undefined : splitOwnershipRecord(ourPolicy.content);
  const record = split?.fields;
  const setup: AuditSetup = {
    fields,
    misspelt,
    assets,
    ownedFields: (record ?? []).filter((f) => AUDIT_FIELD_NAMES.includes(f)),
    hasOwnershipRecord: record !== undefined,
    restores: split?.restores ?? {},
  };
  if (ourPolicy) setup.ourPolicy = ourPolicy;
  if (ourWebhook) setup.ourWebhook = ourWebhook;
  return setup;
}

/** A field's value as a string, when it is set to something. */
export function fieldString(setup: AuditSetup, field: AuditField): string | undefined {
  const value = setup.fields[field]?.value;
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/**
 * The parts of an audit setup that kops-audit did not write: audit fields pointing at files other
 * than its own assets, and the file assets they point at. `targets` are the paths enable is about to
 * write; a foreign asset already there is in the way too.
 */
export interface ForeignSetup {
  fields: AuditField[];
  assets: FileAssetView[];
}

export function foreignSetup(setup: AuditSetup, targets: readonly string[] = []): ForeignSetup | undefined {
  const fields: AuditField[] = [];
  const pointedAt = new Set<string>();
  const policyFile = fieldString(setup, 'auditPolicyFile');
  if (policyFile !== undefined && policyFile !== setup.ourPolicy?.path) {
    fields.push('auditPolicyFile');
    pointedAt.add(policyFile);
  }
  const webhookFile = fieldString(setup, 'auditWebhookConfigFile');
  if (webhookFile !== undefined && webhookFile !== setup.ourWebhook?.path) {
    fields.push('auditWebhookConfigFile');
    pointedAt.add(webhookFile);
  }
  for (const target of targets) pointedAt.add(target);
  const assets = setup.assets.filter(
    (a) =>
      a.name !== POLICY_ASSET && a.name !== WEBHOOK_ASSET && a.path !== undefined && pointedAt.has(a.path),
  );
  if (fields.length === 0 && assets.length === 0) return undefined;
  return { fields, assets };
}
