/**
 * A plan is a value: the before and after text of a spec, the changes in words, the unified diff a
 * person reviews (credentials masked), and whether anything changes. Dry run, --stdout, JSON output,
 * --detailed-exitcode, the in-place write and cluster mode all read the same Plan.
 *
 * API (stable; cluster mode builds on it):
 *   planEnable(specText, options: EnableOptions): Plan
 *     EnableOptions = AuditSettings (spec/apply.ts: policy {source, text} already validated, backend,
 *     kopsVersion?, policyPath?, logPath?, maxAge?, maxBackups?, maxSize?, logFormat?,
 *     webhookConfig? {source, text}, webhookFields?, force?) & { source }
 *   planDisable(specText, options: { source }): Plan
 *   Plan = { action: 'enable'|'disable', source, cluster: {name, apiVersion}, before, after,
 *            changed, changes: Change[], diff, warnings: string[] }
 *   Change = { action: 'add'|'update'|'remove', target, before?, after? } (never holds secrets)
 * `source` names the spec in messages and diff headers (a file name, `-`, or e.g. `cluster/NAME`).
 * Both functions are pure (no I/O) and throw KopsAuditError subclasses on bad input: SpecError
 * (spec), ConflictError (hand-written setup without force), UsageError (paths, missing kubeconfig).
 * `after` keeps the input's line endings. A Plan is a plain value: no getters, nothing computed late.
 */
import { type AuditSettings, applyAuditSettings, removeAuditSettings } from '../spec/apply.js';
import type { ParsedSpec } from '../spec/document.js';
import { AUDIT_FIELD_NAMES } from '../spec/fields.js';
import { maskSecrets, secretAssetKeys } from '../spec/mask.js';
import {
  type AuditSetup,
  type FileAssetView,
  fieldString,
  readAuditSetup,
  splitOwnershipRecord,
} from '../spec/read.js';
import { shipStatementsInSpec } from '../spec/ship.js';
import type { IamStatement } from '../spec/ship-iam.js';
import { unifiedDiff } from './unified-diff.js';

export interface Change {
  action: 'add' | 'update' | 'remove';
  /** `spec.kubeAPIServer.auditLogPath` or `spec.fileAssets[kops-audit-policy]`. */
  target: string;
  /** Short, secret-free descriptions of the value before and after. */
  before?: string;
  after?: string;
}

export interface Plan {
  action: 'enable' | 'disable';
  source: string;
  cluster: { name: string; apiVersion: string };
  /** The spec as given. */
  before: string;
  /** The spec to write (holds real credentials: never print it except on --stdout). */
  after: string;
  changed: boolean;
  changes: Change[];
  /** Unified diff of before -> after with webhook credentials masked; '' when nothing changes. */
  diff: string;
  warnings: string[];
}

export interface EnableOptions extends AuditSettings {
  /** The spec's name in messages and diff headers. */
  source: string;
}

export interface DisableOptions {
  source: string;
}

function describeAsset(asset: FileAssetView, secret: boolean): string {
  const roles = asset.roles ? asset.roles.join(', ') : 'all roles';
  const lines = asset.content === undefined ? 0 : asset.content.split('\n').filter(Boolean).length;
  const what = secret ? 'content hidden' : `${lines} lines`;
  return `${asset.path ?? '(default path)'} for ${roles}${asset.mode ? `, mode ${asset.mode}` : ''} (${what})`;
}

/** The differences between two audit setups, in words (fields, then file assets). */
export function describeChanges(
  before: AuditSetup,
  after: AuditSetup,
  secrets: ReadonlySet<string>,
): Change[] {
  const changes: Change[] = [];
  for (const field of AUDIT_FIELD_NAMES) {
    const a = fieldString(before, field);
    const b = fieldString(after, field);
    const target = `spec.kubeAPIServer.${field}`;
    if (a === undefined && b !== undefined) changes.push({ action: 'add', target, after: b });
    else if (a !== undefined && b === undefined) changes.push({ action: 'remove', target, before: a });
    else if (a !== b) changes.push({ action: 'update', target, before: a!, after: b! });
  }
  const key = (asset: FileAssetView) => asset.name ?? asset.path ?? String(asset.index);
  const beforeAssets = new Map(before.assets.map((asset) => [key(asset), asset]));
  const afterAssets = new Map(after.assets.map((asset) => [key(asset), asset]));
  for (const [name, asset] of beforeAssets) {
    const target = `spec.fileAssets[${name}]`;
    const other = afterAssets.get(name);
    const secret = secrets.has(name);
    if (!other) changes.push({ action: 'remove', target, before: describeAsset(asset, secret) });
    else if (JSON.stringify(comparable(asset)) !== JSON.stringify(comparable(other))) {
      const contentChanged =
        splitOwnershipRecord(asset.content ?? '').policy !== splitOwnershipRecord(other.content ?? '').policy;
      const after = describeAsset(other, secret) + (contentChanged ? ', new content' : '');
      changes.push({ action: 'update', target, before: describeAsset(asset, secret), after });
    }
  }
  for (const [name, asset] of afterAssets) {
    if (!beforeAssets.has(name)) {
      changes.push({
        action: 'add',
        target: `spec.fileAssets[${name}]`,
        after: describeAsset(asset, secrets.has(name)),
      });
    }
  }
  return changes;
}

/** kops-audit's IAM statement in words: its actions on its resources. */
function describeStatements(statements: readonly IamStatement[]): string {
  return statements.map((s) => `allow ${s.Action.join(', ')} on ${s.Resource.join(', ')}`).join('; ');
}

/** The IAM statements `--ship-to` added, changed or removed, by additionalPolicies key. */
export function describePolicyChanges(before: ParsedSpec, after: ParsedSpec): Change[] {
  const a = shipStatementsInSpec(before);
  const b = shipStatementsInSpec(after);
  const changes: Change[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const target = `spec.additionalPolicies.${key}[KopsAuditShipAuditLog]`;
    const was = a.get(key);
    const now = b.get(key);
    if (!was) changes.push({ action: 'add', target, after: describeStatements(now!) });
    else if (!now) changes.push({ action: 'remove', target, before: describeStatements(was) });
    else if (JSON.stringify(was) !== JSON.stringify(now)) {
      changes.push({
        action: 'update',
        target,
        before: describeStatements(was),
        after: describeStatements(now),
      });
    }
  }
  return changes;
}

function comparable(asset: FileAssetView): unknown {
  const { index: _index, line: _line, ...rest } = asset;
  return rest;
}

/** Unified diff of two spec texts with webhook credentials masked on both sides. */
export function maskedDiff(source: string, before: ParsedSpec, after: ParsedSpec): string {
  if (before.text === after.text) return '';
  const beforeSecrets = secretAssetKeys(before);
  const afterSecrets = secretAssetKeys(after);
  const label = (side: 'before' | 'after') => (key: string) =>
    beforeSecrets.get(key) === afterSecrets.get(key) ? 'unchanged' : side;
  const name = source === '-' ? 'stdin' : source;
  const absolute = name.startsWith('/');
  return unifiedDiff(
    absolute ? name : `a/${name}`,
    absolute ? name : `b/${name}`,
    maskSecrets(before, label('before')),
    maskSecrets(after, label('after')),
  );
}

function buildPlan(
  action: Plan['action'],
  source: string,
  before: string,
  edit: ReturnType<typeof applyAuditSettings>,
): Plan {
  // A file kept with Windows line endings is edited with \n and written back with \r\n.
  const after = usesCrlf(before) ? edit.text.replace(/\n/g, '\r\n') : edit.text;
  const base = { action, source, cluster: edit.cluster, before, after, warnings: edit.warnings };
  if (after === before) return { ...base, changed: false, changes: [], diff: '' };
  const { parsedBefore, parsedAfter } = edit;
  const secrets = new Set([...secretAssetKeys(parsedBefore).keys(), ...secretAssetKeys(parsedAfter).keys()]);
  return {
    ...base,
    changed: true,
    changes: [
      ...describeChanges(readAuditSetup(parsedBefore), readAuditSetup(parsedAfter), secrets),
      ...describePolicyChanges(parsedBefore, parsedAfter),
    ],
    diff: maskedDiff(source, parsedBefore, parsedAfter),
  };
}

/** What `enable` would do to `specText`. Throws SpecError, ConflictError or UsageError on bad input. */
/** Every line ends in \r\n (a file kept on Windows); mixed endings are edited as they are. */
function usesCrlf(text: string): boolean {
  return text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
}

const withLf = (text: string) => (usesCrlf(text) ? text.replace(/\r\n/g, '\n') : text);

export function planEnable(specText: string, options: EnableOptions): Plan {
  const { source, ...settings } = options;
  return buildPlan('enable', source, specText, applyAuditSettings(withLf(specText), source, settings));
}

/** What `disable` would do to `specText`: remove exactly what enable added. */
export function planDisable(specText: string, options: DisableOptions): Plan {
  return buildPlan(
    'disable',
    options.source,
    specText,
    removeAuditSettings(withLf(specText), options.source),
  );
}
