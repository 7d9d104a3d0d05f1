/**
 * What audit setup a spec has, and a check list: the CIS benchmark items (shared/research/audit.md)
 * and the kops rules that decide whether kube-apiserver can actually read the policy
 * (shared/research/kops.md §2, §3). Pure: a parsed spec in, a report out.
 */
import path from 'node:path/posix';
import { loadPolicy } from '../policy/load.js';
import {
  apiServerGroups,
  apiServerLayouts,
  apiServerRoles,
  type KopsFamily,
  kopsRules,
  roleFamily,
  unmountedReason,
} from './compat.js';
import type { ParsedSpec } from './document.js';
import { isInt32 } from './fields.js';
import type { KopsVersion } from './kops-version.js';
import { type AuditSetup, type FileAssetView, fieldString, POLICY_ASSET, readAuditSetup } from './read.js';
import { type ShippingSummary, shipStatus } from './ship-status.js';

export interface StatusCheck {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
}

export interface PolicySummary {
  rules: number;
  /** Levels the rules use, in order of first use. */
  levels: string[];
  omitStages: string[];
}

export interface AuditStatus {
  cluster: { name: string; apiVersion: string };
  /** `kops 1.28.4`, `kops 1.26 and newer (the roles kops-audit wrote)` or `any kops version`. */
  kops: string;
  backend: 'off' | 'log' | 'webhook' | 'log,webhook';
  logPath?: string;
  maxAge?: number;
  maxBackups?: number;
  maxSize?: number;
  logFormat?: string;
  policyFile?: string;
  /** The file asset that delivers the policy, if any. */
  policyAsset?: AssetSummary;
  policy?: PolicySummary;
  webhookConfigFile?: string;
  webhookAsset?: AssetSummary;
  /** Where `enable --ship-to` ships the log file, when it did. */
  shipping?: ShippingSummary;
  /** True when the policy asset is kops-audit's own. */
  managedByKopsAudit: boolean;
  checks: StatusCheck[];
  /** Every check passes. */
  ok: boolean;
}

export interface AssetSummary {
  name?: string;
  path?: string;
  /** Absent: every role. */
  roles?: string[];
  line: number;
}

const summarize = (asset: FileAssetView): AssetSummary => ({
  ...(asset.name !== undefined ? { name: asset.name } : {}),
  ...(asset.path !== undefined ? { path: asset.path } : {}),
  ...(asset.roles !== undefined ? { roles: asset.roles } : {}),
  line: asset.line,
});

function numberField(setup: AuditSetup, field: 'auditLogMaxAge' | 'auditLogMaxBackups' | 'auditLogMaxSize') {
  const value = setup.fields[field]?.value;
  return isInt32(value) ? value : undefined;
}

/** The policy an instance group that runs kube-apiserver writes itself, when no Cluster asset does. */
function groupPolicy(parsed: ParsedSpec, file: string): { group: string; content: string } | undefined {
  for (const g of apiServerGroups(parsed.instanceGroups)) {
    const content = g.fileAssets?.find((a) => a.path === file)?.content;
    if (content !== undefined) return { group: g.name, content };
  }
  return undefined;
}

/** Instance groups that run kube-apiserver and write `file` with their own file assets. */
function groupsWithOwnAsset(parsed: ParsedSpec, file: string): string[] {
  return apiServerGroups(parsed.instanceGroups)
    .filter((g) => g.fileAssets?.some((a) => a.path === file))
    .map((g) => g.name);
}

/** An instance group's role as written (v1alpha2 says Master) against a file asset role name. */
function sameRoleFamily(groupRole: string, assetRole: string): boolean {
  const family = (role: string) => (role === 'Master' || role === 'ControlPlane' ? 'control-plane' : role);
  return family(groupRole) === family(assetRole);
}

function assetAt(setup: AuditSetup, file: string | undefined): FileAssetView | undefined {
  if (file === undefined) return undefined;
  return setup.assets.find((a) => (a.path ?? `/srv/kubernetes/assets/${a.name}`) === file);
}

function missingRoles(asset: FileAssetView, needed: readonly string[]): string[] {
  if (asset.roles === undefined || asset.roles.length === 0) return [];
  return needed.filter((role) => !asset.roles!.includes(role));
}

function decodedContent(asset: FileAssetView): string | undefined {
  if (asset.content === undefined) return undefined;
  if (!asset.isBase64) return asset.content;
  try {
    return new TextDecoder().decode(
      Uint8Array.from(atob(asset.content.replace(/\s+/g, '')), (c) => c.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
}

/**
 * The kops releases kops-audit wrote its own policy asset for: given --kops-version, it names only
 * that family's control-plane role (compat.ts). Only an asset that still carries kops-audit's record
 * counts: one whose content someone rewrote may have had its roles rewritten too.
 */
function writtenFor(setup: AuditSetup): KopsFamily | undefined {
  const ours = setup.ourPolicy;
  if (!ours || !setup.hasOwnershipRecord || ours.roles === undefined) return undefined;
  return roleFamily(ours.roles);
}

/**
 * Why an asset that names one control-plane role fails on every version, and the flag that checks
 * the family it was written for instead.
 */
function versionFlagHint(roles: readonly string[] | undefined): string {
  const family = roleFamily(roles ?? []);
  if (!family) return '';
  const role = family.min ? 'ControlPlane' : 'Master';
  return `; it names ${role}, as ${family.label} call the control plane: if the cluster runs one of those, add --kops-version with its version (e.g. --kops-version ${family.example})`;
}

export function auditStatus(parsed: ParsedSpec, version: KopsVersion | undefined): AuditStatus {
  const setup = readAuditSetup(parsed);
  const inferred = version === undefined ? writtenFor(setup) : undefined;
  const rules = kopsRules(version ?? inferred, apiServerLayouts(parsed.instanceGroups).layouts);
  const line = (field: keyof AuditSetup['fields']) => setup.fields[field]?.line;
  const at = (field: keyof AuditSetup['fields']) => (line(field) ? ` (${parsed.source}:${line(field)})` : '');
  const logPath = fieldString(setup, 'auditLogPath');
  const policyFile = fieldString(setup, 'auditPolicyFile');
  const webhookFile = fieldString(setup, 'auditWebhookConfigFile');
  const maxAge = numberField(setup, 'auditLogMaxAge');
  const maxBackups = numberField(setup, 'auditLogMaxBackups');
  const maxSize = numberField(setup, 'auditLogMaxSize');
  const policyAsset = assetAt(setup, policyFile);
  const webhookAsset = assetAt(setup, webhookFile);
  const neededRoles = apiServerRoles(rules, parsed.instanceGroupRoles);

  let policy: PolicySummary | undefined;
  let policyProblem: string | undefined;
  const fromGroup = policyAsset || policyFile === undefined ? undefined : groupPolicy(parsed, policyFile);
  const policyText = policyAsset ? decodedContent(policyAsset) : fromGroup?.content;
  if (policyText !== undefined) {
    const result = loadPolicy(
      policyText,
      policyAsset
        ? `spec.fileAssets[${policyAsset.name ?? policyAsset.index}]`
        : `instance group ${fromGroup!.group}'s file asset`,
    );
    if (result.loaded) {
      const { policy: p } = result.loaded;
      policy = {
        rules: p.rules.length,
        levels: [...new Set(p.rules.map((r) => r.level))],
        omitStages: p.omitStages ?? [],
      };
    } else {
      const first = result.diagnostics.find((d) => d.severity === 'error');
      policyProblem = first ? `${first.field ? `${first.field}: ` : ''}${first.message}` : 'it does not load';
    }
  }

  const checks: StatusCheck[] = [];
  const check = (id: string, title: string, ok: boolean, detail: string) =>
    checks.push({ id, title, ok, detail });
  const atLeast = (
    id: string,
    cis: string,
    field: string,
    value: number | undefined,
    minimum: number,
    unit: string,
  ) => {
    const f = field as keyof AuditSetup['fields'];
    const raw = setup.fields[f]?.value;
    const detail =
      value !== undefined
        ? `${field} is ${value} ${unit}${at(f)}`
        : raw !== undefined && raw !== null
          ? `${field} is ${JSON.stringify(raw)}, not a whole number (int32): kops refuses it${at(f)}`
          : `${field} is not set`;
    check(id, `${cis}: ${field} is at least ${minimum}`, value !== undefined && value >= minimum, detail);
  };
  check(
    'cis-log-path',
    'CIS 1.2.16: audit log path is set',
    logPath !== undefined,
    logPath ?? 'auditLogPath is not set (no log backend)',
  );
  atLeast('cis-max-age', 'CIS 1.2.17', 'auditLogMaxAge', maxAge, 30, 'days');
  atLeast('cis-max-backups', 'CIS 1.2.18', 'auditLogMaxBackups', maxBackups, 10, 'files');
  atLeast('cis-max-size', 'CIS 1.2.19', 'auditLogMaxSize', maxSize, 100, 'MB');
  check(
    'cis-policy-file',
    'CIS 3.2.1: audit policy file is set',
    policyFile !== undefined,
    policyFile === undefined
      ? 'auditPolicyFile is not set: kube-apiserver logs no events at all'
      : `${policyFile}${at('auditPolicyFile')}`,
  );
  let delivered: string;
  let deliveredOk = false;
  // Roles the Cluster's asset misses may still get the file from their instance groups' own assets.
  const byGroups = policyFile === undefined ? [] : groupsWithOwnAsset(parsed, policyFile);
  const coveredByGroups = (roles: readonly string[]) =>
    roles.every((role) => {
      const groups = parsed.instanceGroups.filter((g) => sameRoleFamily(g.role, role));
      return groups.length > 0 && groups.every((g) => byGroups.includes(g.name));
    });
  const groupNote =
    byGroups.length > 0
      ? `; instance group${byGroups.length > 1 ? 's' : ''} ${byGroups.join(', ')} write it with their own file assets`
      : '';
  if (policyFile === undefined) delivered = 'no auditPolicyFile';
  else if (!policyAsset) {
    deliveredOk = coveredByGroups(neededRoles);
    delivered = deliveredOk
      ? `instance group${byGroups.length > 1 ? 's' : ''} ${byGroups.join(', ')} write${byGroups.length > 1 ? '' : 's'} ${policyFile} with ${byGroups.length > 1 ? 'their' : 'its'} own file asset${byGroups.length > 1 ? 's' : ''}`
      : `no file asset writes ${policyFile}${groupNote}: kube-apiserver will not start`;
  } else {
    const missing = missingRoles(policyAsset, neededRoles);
    deliveredOk = missing.length === 0 || coveredByGroups(missing);
    delivered =
      missing.length === 0
        ? `file asset ${policyAsset.name} reaches ${policyAsset.roles ? policyAsset.roles.join(', ') : 'every role'} (line ${policyAsset.line})${groupNote}`
        : `file asset ${policyAsset.name} (line ${policyAsset.line}) lacks role${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${deliveredOk ? '' : `, needed on ${rules.label}`}${groupNote}${deliveredOk || rules.version || rules.family ? '' : versionFlagHint(policyAsset.roles)}`;
  }
  check(
    'policy-delivered',
    'policy reaches every node role that runs kube-apiserver',
    deliveredOk,
    delivered,
  );
  check(
    'policy-valid',
    'policy is one kube-apiserver accepts',
    policy !== undefined,
    policy
      ? `${policy.rules} rule${policy.rules === 1 ? '' : 's'} (${policy.levels.join(', ')})`
      : (policyProblem ?? (policyAsset ? 'the file asset has no content' : 'no policy file asset')),
  );
  const unmounted =
    policyFile === undefined ? 'no auditPolicyFile' : unmountedReason(rules, policyFile, logPath);
  check(
    'policy-mounted',
    'policy path is mounted into kube-apiserver',
    unmounted === undefined,
    unmounted ??
      `${path.dirname(policyFile!)} is mounted on ${rules.label}${rules.layouts.includes('containeros') ? ' (ContainerOS control plane)' : ''}`,
  );
  if (webhookFile === undefined) {
    check('webhook-beside-policy', 'webhook config sits beside the policy', true, 'no webhook backend');
  } else {
    const sameDir = policyFile !== undefined && path.dirname(webhookFile) === path.dirname(policyFile);
    const missing = webhookAsset ? missingRoles(webhookAsset, neededRoles) : neededRoles;
    const ok = sameDir && webhookAsset !== undefined && missing.length === 0;
    const detail = !sameDir
      ? `${webhookFile} is not in the policy's directory; kops 1.27+ rejects that and only that directory is mounted`
      : !webhookAsset
        ? `no file asset writes ${webhookFile}`
        : missing.length > 0
          ? `file asset ${webhookAsset.name} lacks role${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`
          : `${webhookFile} (file asset ${webhookAsset.name}, line ${webhookAsset.line})`;
    check('webhook-beside-policy', 'webhook config sits beside the policy', ok, detail);
  }
  check(
    'fields-known',
    'no misspelt audit fields (kops ignores them)',
    setup.misspelt.length === 0,
    setup.misspelt.length === 0
      ? 'all audit fields are kops fields'
      : setup.misspelt
          .map((m) => `${m.key} (line ${m.line})${m.meant ? `: did you mean ${m.meant}?` : ''}`)
          .join('; '),
  );
  if (setup.fields.auditDynamicConfiguration !== undefined) {
    check(
      'no-dynamic-configuration',
      'auditDynamicConfiguration is not set',
      false,
      `removed from kube-apiserver in Kubernetes 1.19; it will not start with it${at('auditDynamicConfiguration')}`,
    );
  }

  const shipping = shipStatus(parsed, setup, neededRoles, logPath, rules.fileAssetMode);
  if (shipping) checks.push(...shipping.checks);

  const log = logPath !== undefined;
  const webhook = webhookFile !== undefined;
  const status: AuditStatus = {
    cluster: { name: parsed.cluster.name, apiVersion: parsed.cluster.apiVersion },
    kops: inferred ? `${rules.label} (the roles kops-audit wrote)` : rules.label,
    backend: log && webhook ? 'log,webhook' : log ? 'log' : webhook ? 'webhook' : 'off',
    managedByKopsAudit: policyAsset?.name === POLICY_ASSET,
    checks,
    ok: checks.every((c) => c.ok),
  };
  if (logPath !== undefined) status.logPath = logPath;
  if (maxAge !== undefined) status.maxAge = maxAge;
  if (maxBackups !== undefined) status.maxBackups = maxBackups;
  if (maxSize !== undefined) status.maxSize = maxSize;
  const logFormat = fieldString(setup, 'auditLogFormat');
  if (logFormat !== undefined) status.logFormat = logFormat;
  if (policyFile !== undefined) status.policyFile = policyFile;
  if (policyAsset) status.policyAsset = summarize(policyAsset);
  if (policy) status.policy = policy;
  if (webhookFile !== undefined) status.webhookConfigFile = webhookFile;
  if (webhookAsset) status.webhookAsset = summarize(webhookAsset);
  if (shipping) status.shipping = shipping.summary;
  return status;
}
