/**
 * Apply and remove kops-audit's settings, text to text. `applyAuditSettings` is what `enable`
 * writes; `removeAuditSettings` is what `disable` writes. Both re-parse their result and check it
 * before returning it, and never touch a byte outside the Cluster document.
 */

import path from 'node:path/posix';
import { isMap } from 'yaml';
import { ConflictError, InternalError, SpecError, UsageError } from '../errors.js';
import type { Backend } from './backends.js';
import {
  apiServerLayouts,
  apiServerRoles,
  DEFAULT_LOG_PATH,
  DEFAULT_POLICY_PATH,
  type KopsRules,
  kopsRules as rulesFor,
  unmountedReason,
  webhookPathFor,
} from './compat.js';
import { type ParsedSpec, parseSpec } from './document.js';
import { Literal, SpecEditor, type YamlEntries } from './edit.js';
import { AUDIT_FIELDS, type AuditField, isInt32 } from './fields.js';
import type { KopsVersion } from './kops-version.js';
import {
  type AuditSetup,
  type FileAssetView,
  type ForeignSetup,
  fieldString,
  foreignSetup,
  ownershipRecord,
  POLICY_ASSET,
  readAuditSetup,
  WEBHOOK_ASSET,
} from './read.js';
import {
  editShipper,
  othersStatementsKept,
  readShipSetup,
  resolveShipPlan,
  type ShipEdit,
  type ShipSettings,
} from './ship.js';
import { SHIP_ASSETS, SHIP_PATHS } from './ship-render.js';
import { firstUnrelatedChange } from './unrelated.js';

export type { Backend } from './backends.js';

/** CIS Kubernetes Benchmark values (1.2.17-1.2.19 in CIS 1.9-1.12), the defaults of enable. */
export const CIS_ROTATION = { auditLogMaxAge: 30, auditLogMaxBackups: 10, auditLogMaxSize: 100 } as const;

/** Text of a file kops-audit ships to the nodes: where it came from (for messages) and what it says. */
export interface SourcedText {
  source: string;
  text: string;
}

/** What `enable` should make true. Fields left undefined keep what the spec has (or the default). */
export interface AuditSettings {
  /** The audit policy, already validated (policy/load.ts). */
  policy: SourcedText;
  backend: Backend;
  /** Undefined: write what works on every kops version. */
  kopsVersion?: KopsVersion;
  /** Where nodes get the policy (`--policy-path`); default: where it is now, else DEFAULT_POLICY_PATH. */
  policyPath?: string;
  /** `--log-path`; default: what the spec has, else DEFAULT_LOG_PATH. */
  logPath?: string;
  /** `--max-age`, `--max-backups`, `--max-size`: a value already in the spec is kept unless given. */
  maxAge?: number;
  maxBackups?: number;
  maxSize?: number;
  /** `--log-format` (json or legacy). */
  logFormat?: string;
  /** The webhook kubeconfig (`--webhook-config FILE`); needed for a webhook backend unless already shipped. */
  webhookConfig?: SourcedText;
  /** Webhook flags the user gave, by kops field name (auditWebhookBatchMaxWait: '5s', ...). */
  webhookFields?: Partial<Record<AuditField, string | number | boolean>>;
  /** Replace a hand-written setup (its fields and the assets they point at). */
  force?: boolean;
  /**
   * `--ship-to`: ship the audit log with a fluent-bit static pod (ship.ts); `none` removes the
   * shipper; undefined keeps the one an earlier run added (rendered again for the new settings).
   */
  ship?: ShipSettings | 'none';
}

export interface SpecEdit {
  /** The new spec text (equal to the input when nothing changes). */
  text: string;
  /** Things the user should know that do not stop the change. */
  warnings: string[];
  /** Hand-written assets removed by --force. */
  removedForeign: FileAssetView[];
  /** Where the Cluster is, for summaries. */
  cluster: { name: string; apiVersion: string };
  /** The input and the result, parsed (and checked), for whoever needs to read them again. */
  parsedBefore: ParsedSpec;
  parsedAfter: ParsedSpec;
}

const sameValue = (a: unknown, b: unknown) => a !== undefined && a !== null && String(a) === String(b);

function describeForeign(source: string, setup: AuditSetup, foreign: ForeignSetup): string {
  const parts: string[] = [];
  for (const field of foreign.fields) {
    parts.push(
      `spec.kubeAPIServer.${field}: ${fieldString(setup, field)} (line ${setup.fields[field]?.line})`,
    );
  }
  for (const asset of foreign.assets) {
    parts.push(`file asset ${asset.name ?? '(no name)'} at ${asset.path} (line ${asset.line})`);
  }
  return `${source} already has an audit setup that kops-audit did not write: ${parts.join('; ')}.`;
}

function refuseMisspelt(parsed: ParsedSpec, setup: AuditSetup): void {
  if (setup.misspelt.length === 0) return;
  const list = setup.misspelt
    .map(
      (m) =>
        `${parsed.source}:${m.line}: spec.kubeAPIServer.${m.key}${m.meant ? ` (did you mean ${m.meant}?)` : ''}`,
    )
    .join('; ');
  const fix = setup.misspelt.find((m) => m.meant);
  throw new SpecError(
    `${parsed.source} has an audit field kops does not know, which kops accepts and then silently ignores: ${list}.`,
    {
      hint: fix
        ? `Rename ${fix.key} to ${fix.meant} (field names are case-sensitive), or remove it, then run the command again.`
        : 'Remove the field or correct its name (see the kops cluster spec docs), then run the command again.',
    },
  );
}

/** Audit fields with a value kops cannot decode (a quoted number, a list...) would fail `kops replace`. */
function refuseBadValues(parsed: ParsedSpec, setup: AuditSetup): void {
  for (const [field, view] of Object.entries(setup.fields) as [
    AuditField,
    { value: unknown; line: number },
  ][]) {
    const type = AUDIT_FIELDS[field];
    const value = view.value;
    const ok =
      value === null ||
      (type === 'int32'
        ? isInt32(value)
        : type === 'bool'
          ? typeof value === 'boolean'
          : type === 'quantity'
            ? typeof value === 'number' || typeof value === 'string'
            : typeof value === 'string');
    if (!ok) {
      const want = {
        int32: 'a whole number (int32)',
        bool: 'true or false',
        quantity: 'a number',
        string: 'a string',
        duration: 'a duration such as 5s',
      }[type];
      throw new SpecError(
        `${parsed.source}:${view.line}: spec.kubeAPIServer.${field} must be ${want}, not ${JSON.stringify(value)}; kops would refuse the spec.`,
        {
          hint: `Write ${field} as ${want}${type === 'int32' ? ' without quotes' : ''}, then run the command again.`,
        },
      );
    }
  }
}

/**
 * nodeup writes an InstanceGroup's own file assets before the Cluster's, and the first writer of a
 * path wins (kops.md §2): one at the policy's path would silently replace kops-audit's policy on
 * that group's nodes. kops-audit edits only the Cluster, so --force cannot help: refuse, and say how.
 */
function refuseInstanceGroupAssets(parsed: ParsedSpec, source: string, paths: readonly string[]): void {
  for (const group of parsed.instanceGroups) {
    const clash = group.fileAssets?.find((asset) => paths.includes(asset.path))?.path;
    if (clash === undefined) continue;
    throw new ConflictError(
      `${source}: instance group ${group.name} has its own file asset at ${clash}; nodeup writes it before the Cluster's, so on ${group.name}'s nodes it would replace kops-audit's file.`,
      {
        hint: `Remove that file asset from instance group ${group.name} (kops edit instancegroup ${group.name}), or give --policy-path another file.`,
      },
    );
  }
}

function checkPolicyPath(rules: KopsRules, policyPath: string, flagGiven: boolean, logPath?: string): void {
  const flag = flagGiven ? '--policy-path' : 'the policy path already in the spec';
  const fallback = rules.defaultPolicyPath ?? DEFAULT_POLICY_PATH;
  if (!policyPath.startsWith('/')) {
    throw new UsageError(`${flag} must be an absolute path on the node, not ${JSON.stringify(policyPath)}.`, {
      hint: `Use e.g. --policy-path ${fallback}.`,
    });
  }
  const reason = unmountedReason(rules, policyPath, logPath);
  if (reason) {
    throw new UsageError(`${flag} ${policyPath} would not reach kube-apiserver: ${reason}.`, {
      hint: rules.defaultPolicyPath
        ? `Use a file in a sub-directory of ${path.dirname(path.dirname(rules.defaultPolicyPath))}/ (the default, ${rules.defaultPolicyPath}, works on every kops version), or give the exact --kops-version.`
        : MIXED_LAYOUT_HINT,
    });
  }
}

const MIXED_LAYOUT_HINT =
  'Before kops 1.26.6 no path suits both (each mounts only its own <srv>/kubernetes/kube-apiserver): run the control plane on one kind of image, or give --kops-version (1.27 or newer) and a --policy-path under /etc, which both can write, e.g. /etc/kubernetes/audit/policy-config.yaml.';

/**
 * The rules for the nodes that run kube-apiserver: ContainerOS keeps kops' files under
 * /etc/srv/kubernetes. A control plane that mixes ContainerOS with other images has no default path.
 */
function rulesForSpec(
  parsed: ParsedSpec,
  version: KopsVersion | undefined,
  policyPathGiven: boolean,
): KopsRules {
  const { layouts, containerOS, other } = apiServerLayouts(parsed.instanceGroups);
  const rules = rulesFor(version, layouts);
  if (layouts.length > 1 && !policyPathGiven) {
    throw new UsageError(
      `${parsed.source}: the control plane mixes ContainerOS (${containerOS.join(', ')}) with other images (${other.join(', ')}), which keep kops' files in different places; kops-audit has no policy path that suits both by default.`,
      { hint: MIXED_LAYOUT_HINT },
    );
  }
  return rules;
}

/** The kubeAPIServer values enable wants; `null` removes a field kops-audit added before. */
function desiredFields(
  settings: AuditSettings,
  setup: AuditSetup,
  policyPath: string,
  webhookPath: string,
  warnings: string[],
): Map<AuditField, string | number | boolean | null> {
  const want = new Map<AuditField, string | number | boolean | null>();
  const owned = new Set(setup.ownedFields);
  const log = settings.backend.includes('log');
  const webhook = settings.backend.includes('webhook');
  const keepOr = (field: AuditField, flag: string | number | undefined, fallback: string | number) =>
    flag ?? (setup.fields[field] !== undefined ? (setup.fields[field]!.value as string | number) : fallback);
  const rotation: [AuditField, number | undefined, string][] = [
    ['auditLogMaxAge', settings.maxAge, '--max-age'],
    ['auditLogMaxBackups', settings.maxBackups, '--max-backups'],
    ['auditLogMaxSize', settings.maxSize, '--max-size'],
  ];
  if (log) {
    want.set('auditLogPath', keepOr('auditLogPath', settings.logPath, DEFAULT_LOG_PATH));
    for (const [field, flag, name] of rotation) {
      const value = keepOr(field, flag, CIS_ROTATION[field as keyof typeof CIS_ROTATION]);
      want.set(field, value);
      const minimum = CIS_ROTATION[field as keyof typeof CIS_ROTATION];
      if (flag === undefined && typeof value === 'number' && value < minimum && value !== 0) {
        warnings.push(
          `spec.kubeAPIServer.${field} is ${value}, kept as it was; the CIS benchmark asks for at least ${minimum} (pass ${name} ${minimum} to raise it).`,
        );
      }
    }
  } else {
    for (const field of [
      'auditLogPath',
      'auditLogMaxAge',
      'auditLogMaxBackups',
      'auditLogMaxSize',
      'auditLogFormat',
    ] as const) {
      if (owned.has(field)) want.set(field, null);
    }
    if (setup.fields.auditLogPath !== undefined && !owned.has('auditLogPath')) {
      warnings.push(
        `spec.kubeAPIServer.auditLogPath was set before kops-audit (${fieldString(setup, 'auditLogPath')}), so the log backend stays on; remove it by hand for webhook only.`,
      );
    }
  }
  if (settings.logFormat !== undefined) want.set('auditLogFormat', settings.logFormat);
  want.set('auditPolicyFile', policyPath);
  if (webhook) {
    want.set('auditWebhookConfigFile', webhookPath);
    for (const [field, value] of Object.entries(settings.webhookFields ?? {})) {
      if (value !== undefined) want.set(field as AuditField, value);
    }
  } else {
    const current = fieldString(setup, 'auditWebhookConfigFile');
    if (current !== undefined && (current === setup.ourWebhook?.path || settings.force))
      want.set('auditWebhookConfigFile', null);
    for (const field of owned) {
      if (field.startsWith('auditWebhook') && !want.has(field)) want.set(field, null);
    }
  }
  return want;
}

function assetMatches(asset: FileAssetView | undefined, entries: YamlEntries): boolean {
  if (!asset) return false;
  const want = new Map(entries);
  const roles = want.get('roles') as string[];
  const content = want.get('content') as Literal;
  return (
    asset.path === want.get('path') &&
    asset.mode === want.get('mode') &&
    asset.isBase64 !== true &&
    asset.content === content.text &&
    asset.roles !== undefined &&
    asset.roles.length === roles.length &&
    roles.every((r) => asset.roles!.includes(r))
  );
}

/** File content as written into the spec: \n line endings (readable as a block literal), a final newline. */
const withNewline = (text: string) => {
  const lf = text.replace(/\r\n/g, '\n');
  return lf.endsWith('\n') ? lf : `${lf}\n`;
};
const OUR_ASSETS: ReadonlySet<string> = new Set([POLICY_ASSET, WEBHOOK_ASSET, ...SHIP_ASSETS]);
const byName = (name: string) => (item: unknown) => isMap(item) && item.get('name') === name;
const byPaths = (paths: ReadonlySet<string>, keep: ReadonlySet<string>) => (item: unknown) => {
  if (!isMap(item)) return false;
  const path = item.get('path');
  const name = item.get('name');
  return typeof path === 'string' && paths.has(path) && !(typeof name === 'string' && keep.has(name));
};

/** `enable`: the spec text with kops-audit's audit setup in place. */
export function applyAuditSettings(text: string, source: string, settings: AuditSettings): SpecEdit {
  const parsed = parseSpec(text, source);
  const setup = readAuditSetup(parsed);
  refuseMisspelt(parsed, setup);
  refuseBadValues(parsed, setup);
  const rules = rulesForSpec(
    parsed,
    settings.kopsVersion,
    (settings.policyPath ?? setup.ourPolicy?.path) !== undefined,
  );
  const warnings: string[] = [];
  const policyPath = settings.policyPath ?? setup.ourPolicy?.path ?? rules.defaultPolicyPath!;
  checkPolicyPath(rules, policyPath, settings.policyPath !== undefined);
  const webhook = settings.backend.includes('webhook');
  const webhookPath = webhookPathFor(policyPath);
  refuseInstanceGroupAssets(parsed, source, webhook ? [policyPath, webhookPath] : [policyPath]);
  const foreign = foreignSetup(setup, webhook ? [policyPath, webhookPath] : [policyPath]);
  if (foreign && !settings.force) {
    throw new ConflictError(describeForeign(source, setup, foreign), {
      hint: "kops-audit leaves a setup it did not write alone. Re-run with --force to replace it (the file assets its audit fields point at are removed and kops-audit's are added), or remove it by hand.",
    });
  }
  // --force removes the fields of the setup it replaces; a webhook the new backend lacks goes with
  // them, and the events it received stop. Say so, in case the user meant to keep it.
  const handWrittenWebhook = foreign?.fields.includes('auditWebhookConfigFile')
    ? fieldString(setup, 'auditWebhookConfigFile')
    : undefined;
  if (handWrittenWebhook !== undefined && !webhook) {
    warnings.push(
      `--force removes the hand-written webhook backend (auditWebhookConfigFile ${handWrittenWebhook}); add --backend log,webhook --webhook-config FILE to keep sending events to a webhook.`,
    );
  }
  let webhookContent = settings.webhookConfig?.text;
  if (webhook && webhookContent === undefined) {
    if (setup.ourWebhook?.content === undefined) {
      throw new UsageError(
        `--backend ${settings.backend} needs the webhook's kubeconfig: --webhook-config FILE.`,
        {
          hint: 'Give the kubeconfig kube-apiserver should use to reach your audit webhook, e.g. --webhook-config webhook.kubeconfig.',
        },
      );
    }
    webhookContent = setup.ourWebhook.content;
  }
  if (setup.fields.auditDynamicConfiguration !== undefined) {
    warnings.push(
      'spec.kubeAPIServer.auditDynamicConfiguration is set; kube-apiserver removed that flag in Kubernetes 1.19 and will not start with it. Remove it.',
    );
  }

  const editor = new SpecEditor(parsed);
  const removedForeign = foreign?.assets ?? [];
  const want = desiredFields(settings, setup, policyPath, webhookPath, warnings);
  // Again with the log path the spec will have: kops mounts its directory too (compat.ts).
  const logPath = want.has('auditLogPath') ? want.get('auditLogPath') : fieldString(setup, 'auditLogPath');
  checkPolicyPath(
    rules,
    policyPath,
    settings.policyPath !== undefined,
    typeof logPath === 'string' ? logPath : undefined,
  );
  const owned = new Set<AuditField>();
  const toSet: [AuditField, string | number | boolean][] = [];
  const toRemove: AuditField[] = [];
  for (const field of [...want.keys()].sort()) {
    const value = want.get(field)!;
    const present = setup.fields[field] !== undefined;
    if (value === null) {
      toRemove.push(field);
      continue;
    }
    if (!present || setup.ownedFields.includes(field)) owned.add(field);
    if (present && sameValue(setup.fields[field]!.value, value)) continue;
    toSet.push([field, value]);
  }
  // Fields added by an earlier run and not named this time (--log-format, the webhook batch flags)
  // stay as they are, and stay ours: disable must still remove them.
  for (const field of setup.ownedFields) {
    if (!want.has(field) && setup.fields[field] !== undefined) owned.add(field);
  }
  // A value that was there before kops-audit and that a flag changes (--max-age 60 over 90) is
  // recorded, first value kept, so that disable gives it back. Not the policy or webhook file of a
  // setup --force replaced: their file assets are gone.
  const restores = { ...setup.restores };
  for (const [field] of toSet) {
    const before = setup.fields[field];
    if (!before || owned.has(field) || field in restores) continue;
    if (field === 'auditPolicyFile' || field === 'auditWebhookConfigFile') continue;
    const value = before.value;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      restores[field] = value;
  }
  const roles = apiServerRoles(rules, parsed.instanceGroupRoles);
  const policyContent = ownershipRecord([...owned], restores) + withNewline(settings.policy.text);
  const policyEntries: YamlEntries = [
    ['name', POLICY_ASSET],
    ['path', policyPath],
    ['roles', roles],
    ['content', new Literal(policyContent)],
  ];
  // The policy asset and the audit fields in one batch (one parse): they edit disjoint parts of the
  // spec. The asset goes first so that, when both keys are new and meet at one place, fileAssets
  // comes before kubeAPIServer, in sorted order.
  editor.batch(() => {
    if (!assetMatches(setup.ourPolicy, policyEntries))
      editor.upsertItem(['fileAssets'], byName(POLICY_ASSET), policyEntries);
    editor.setValues(['kubeAPIServer'], toSet);
  });
  // Set before removing, so that a map is never emptied and re-created somewhere else.
  editor.removeKeys(['kubeAPIServer'], toRemove);
  if (webhook) {
    if (!rules.fileAssetMode) {
      warnings.push(
        rules.version
          ? `${rules.label} has no \`mode\` for file assets (added in 1.24), so nodes get the webhook kubeconfig with kops' default 0440.`
          : "The webhook kubeconfig is written without `mode` (kops 1.24 added it); nodes get kops' default 0440. Give --kops-version 1.24 or newer to restrict it to 0400.",
      );
    }
    const webhookEntries: YamlEntries = [
      ['name', WEBHOOK_ASSET],
      ['path', webhookPath],
      ['roles', roles],
      ...(rules.fileAssetMode ? ([['mode', '0400']] as const) : []),
      ['content', new Literal(withNewline(webhookContent!))],
    ];
    // Earlier edits touch only kubeAPIServer and the policy asset, so the setup read first still holds.
    if (!assetMatches(setup.ourWebhook, webhookEntries))
      editor.upsertItem(['fileAssets'], byName(WEBHOOK_ASSET), webhookEntries);
  } else if (setup.ourWebhook) {
    editor.removeItems(['fileAssets'], byName(WEBHOOK_ASSET));
  }
  const shipSetup = readShipSetup(setup);
  const shipPlan = resolveShipPlan(settings.ship, parsed, shipSetup, logPath);
  if (shipPlan) {
    const shipPaths = Object.values(SHIP_PATHS) as string[];
    refuseInstanceGroupAssets(parsed, source, shipPaths);
    const clash = setup.assets.find(
      (asset) =>
        asset.path !== undefined && shipPaths.includes(asset.path) && !OUR_ASSETS.has(asset.name ?? ''),
    );
    if (clash) {
      throw new ConflictError(
        `${source}:${clash.line}: file asset ${clash.name ?? '(no name)'} already writes ${clash.path}, where the audit log shipper goes.`,
        { hint: 'Remove or move that file asset, then run the command again.' },
      );
    }
  }
  const shipEdit = editShipper(editor, parsed, shipSetup, shipPlan, roles, rules, warnings);
  // Hand-written assets go last, so that the list is never emptied and re-created elsewhere.
  if (removedForeign.length > 0) {
    const paths = new Set(removedForeign.map((a) => a.path!));
    editor.removeItems(['fileAssets'], byPaths(paths, new Set([POLICY_ASSET, WEBHOOK_ASSET])));
  }

  const result = editor.text;
  const parsedAfter = verifyEnabled(text, result, parsed, {
    want,
    removedForeign,
    policyPath,
    webhookPath,
    webhook,
    roles,
    policyContent,
    webhookContent: webhook ? withNewline(webhookContent!) : undefined,
    ship: shipEdit,
  });
  return {
    parsedBefore: parsed,
    parsedAfter,
    text: result,
    warnings,
    removedForeign,
    cluster: { name: parsed.cluster.name, apiVersion: parsed.cluster.apiVersion },
  };
}

/** Re-read what we wrote: the intended values are there and nothing outside the Cluster moved. */
function verifyEnabled(
  before: string,
  after: string,
  original: ParsedSpec,
  expect: {
    want: Map<AuditField, string | number | boolean | null>;
    /** Hand-written file assets replaced with --force. */
    removedForeign: readonly FileAssetView[];
    policyPath: string;
    webhookPath: string;
    webhook: boolean;
    roles: string[];
    /** What the file assets must hold, read back as kops will read them. */
    policyContent: string;
    webhookContent: string | undefined;
    ship: ShipEdit;
  },
): ParsedSpec {
  const fail = (what: string): never => {
    throw new InternalError(
      `kops-audit produced a spec that does not check out (${what}); nothing was written.`,
      {
        hint: 'This is a bug in kops-audit; please report it with the spec (credentials removed).',
      },
    );
  };
  const reparsed = reparseEdited(before, after, original, fail);
  const unrelated = firstUnrelatedChange(original.cluster.doc, reparsed.cluster.doc, {
    fields: new Set(expect.want.keys()),
    assetNames: OUR_ASSETS,
    assetPaths: new Set(expect.removedForeign.map((asset) => asset.path!)),
    policyKeys: expect.ship.policyKeys,
  });
  if (unrelated) fail(`${unrelated} changed, which kops-audit does not own`);
  verifyShipper(original, reparsed, expect.ship, fail);
  const setup = readAuditSetup(reparsed);
  for (const [field, value] of expect.want) {
    const got = setup.fields[field]?.value;
    if (value === null ? got !== undefined : !sameValue(got, value)) fail(`spec.kubeAPIServer.${field}`);
  }
  if (setup.ourPolicy?.path !== expect.policyPath) fail('the policy file asset');
  const roles = setup.ourPolicy?.roles ?? [];
  if (roles.length !== expect.roles.length || !expect.roles.every((r) => roles.includes(r))) {
    fail('the roles of the policy file asset');
  }
  // A block literal written at the wrong indentation reads back as other text: compare it whole.
  if (setup.ourPolicy?.content !== expect.policyContent) fail('the content of the policy file asset');
  if (expect.webhook !== (setup.ourWebhook !== undefined)) fail('the webhook file asset');
  if (expect.webhook && setup.ourWebhook?.content !== expect.webhookContent) {
    fail('the content of the webhook file asset');
  }
  if (fieldString(setup, 'auditPolicyFile') !== expect.policyPath) fail('auditPolicyFile');
  for (const [field, value] of expect.want) {
    if (value !== null && AUDIT_FIELDS[field] === 'int32' && typeof setup.fields[field]?.value !== 'number') {
      fail(`${field} is not a number`);
    }
  }
  return reparsed;
}

/** The shipper's files read back as written, and nobody else's IAM statements touched. */
function verifyShipper(
  before: ParsedSpec,
  after: ParsedSpec,
  edit: ShipEdit,
  fail: (what: string) => never,
): void {
  const ship = readShipSetup(readAuditSetup(after));
  const files = edit.files;
  const expected: [string, string | undefined, string | undefined][] = [
    ['manifest', ship.manifest?.content, files?.manifest],
    ['configuration', ship.config?.content, files?.config],
    ['parsers', ship.parsers?.content, files?.parsers],
    ['credentials', ship.credentials?.content, files?.credentials],
  ];
  for (const [what, got, want] of expected) {
    if (got !== (want === undefined ? undefined : withNewline(want)))
      fail(`the shipper's ${what} file asset`);
  }
  for (const key of edit.policyKeys) {
    if (!othersStatementsKept(before, after, key))
      fail(`the other statements of spec.additionalPolicies.${key}`);
  }
}

/**
 * Re-read an edited spec. Only the Cluster document can have changed, so only it is parsed again:
 * the bytes around it must be the original's to the letter (they were parsed and checked when they
 * were read), and it must still end with a line break before the next document's `---`. It is
 * parsed with the text before it blanked to spaces, so that offsets and line numbers are those of
 * the whole file, and it must still be one document, the same Cluster. (The other documents are half
 * of a parse's cost in a typical `kops get all` file.)
 */
export function reparseEdited(
  before: string,
  after: string,
  original: ParsedSpec,
  fail: (what: string) => never,
): ParsedSpec {
  const start = original.cluster.doc.range[0];
  const tail = before.length - original.cluster.end;
  const end = after.length - tail;
  if (
    end < start ||
    after.slice(0, start) !== before.slice(0, start) ||
    after.slice(end) !== before.slice(before.length - tail)
  ) {
    fail('a byte outside the Cluster document changed');
  }
  if (tail > 0 && !after.slice(start, end).endsWith('\n')) {
    fail('the Cluster document no longer ends with a line break');
  }
  let reparsed: ParsedSpec;
  try {
    // A byte order mark stays: blanked to a space, it would indent the first line.
    const blanked = after.slice(0, start).replace(/[^\r\n\uFEFF]/g, ' ') + after.slice(start, end);
    reparsed = parseSpec(blanked, original.source);
  } catch (error) {
    return fail(`it does not parse: ${(error as Error).message}`);
  }
  if (reparsed.docs.length !== 1) fail('the documents of the file changed');
  if (
    reparsed.cluster.name !== original.cluster.name ||
    reparsed.cluster.apiVersion !== original.cluster.apiVersion
  ) {
    fail('the Cluster name or apiVersion changed');
  }
  return {
    ...reparsed,
    text: after,
    docs: original.docs.map((doc, i) => (i === original.cluster.index ? reparsed.cluster.doc : doc)),
    cluster: { ...reparsed.cluster, index: original.cluster.index },
    instanceGroupRoles: original.instanceGroupRoles,
    instanceGroups: original.instanceGroups,
  };
}

/** `disable`: the spec text without what kops-audit added. Someone else's setup stays untouched. */
export function removeAuditSettings(text: string, source: string): SpecEdit {
  const parsed = parseSpec(text, source);
  const setup = readAuditSetup(parsed);
  const warnings: string[] = [];
  for (const m of setup.misspelt) {
    warnings.push(
      `${source}:${m.line}: spec.kubeAPIServer.${m.key} is not a kops field and is ignored by kops${m.meant ? ` (did you mean ${m.meant}?)` : ''}.`,
    );
  }
  const editor = new SpecEditor(parsed);
  const removed = new Set<string>();
  if (setup.ourPolicy || setup.ourWebhook) {
    const remove = new Set<AuditField>(setup.ownedFields);
    if (
      setup.ourPolicy?.path !== undefined &&
      fieldString(setup, 'auditPolicyFile') === setup.ourPolicy.path
    ) {
      remove.add('auditPolicyFile');
    }
    if (
      setup.ourWebhook?.path !== undefined &&
      fieldString(setup, 'auditWebhookConfigFile') === setup.ourWebhook.path
    ) {
      remove.add('auditWebhookConfigFile');
    }
    if (!setup.hasOwnershipRecord) {
      warnings.push(
        `The ${POLICY_ASSET} file asset has lost kops-audit's record of the fields it added, so only auditPolicyFile and auditWebhookConfigFile are removed; check the other audit fields by hand.`,
      );
    }
    for (const field of remove) removed.add(field);
    editor.removeKeys(['kubeAPIServer'], [...remove].sort());
    // Values enable changed on request go back to what they were, if still there.
    const present = readAuditSetup(editor.parsed).fields;
    const restore = (Object.entries(setup.restores) as [AuditField, string | number | boolean][]).filter(
      ([field]) => !remove.has(field) && present[field] !== undefined,
    );
    for (const [field] of restore) removed.add(field);
    editor.setValues(['kubeAPIServer'], restore);
    editor.removeItems(['fileAssets'], (item) => byName(POLICY_ASSET)(item) || byName(WEBHOOK_ASSET)(item));
  }
  // The shipper goes with the rest, or alone when nothing else of kops-audit's is left.
  const shipEdit = editShipper(
    editor,
    parsed,
    readShipSetup(setup),
    undefined,
    [],
    rulesFor(undefined),
    warnings,
  );
  const foreign = foreignSetup(readAuditSetup(editor.parsed));
  if (foreign) {
    warnings.push(`${describeForeign(source, readAuditSetup(editor.parsed), foreign)} It is left as it is.`);
  }
  const result = editor.text;
  const reparsed = reparseEdited(text, result, parsed, (what) => {
    throw new InternalError(
      `kops-audit produced a spec that does not check out (${what}); nothing was written.`,
    );
  });
  const unrelated = firstUnrelatedChange(parsed.cluster.doc, reparsed.cluster.doc, {
    fields: removed,
    assetNames: OUR_ASSETS,
    assetPaths: new Set(),
    policyKeys: shipEdit.policyKeys,
  });
  if (unrelated) {
    throw new InternalError(
      `kops-audit produced a spec that does not check out (${unrelated} changed, which kops-audit does not own); nothing was written.`,
    );
  }
  const left = readAuditSetup(reparsed);
  for (const key of shipEdit.policyKeys) {
    if (!othersStatementsKept(parsed, reparsed, key)) {
      throw new InternalError(
        `kops-audit produced a spec that does not check out (the other statements of spec.additionalPolicies.${key} changed); nothing was written.`,
      );
    }
  }
  if (
    left.ourPolicy ||
    left.ourWebhook ||
    left.assets.some((asset) => SHIP_ASSETS.includes(asset.name ?? ''))
  )
    throw new InternalError('kops-audit could not remove its file assets; nothing was written.');
  return {
    parsedBefore: parsed,
    parsedAfter: reparsed,
    text: result,
    warnings,
    removedForeign: [],
    cluster: { name: parsed.cluster.name, apiVersion: parsed.cluster.apiVersion },
  };
}
