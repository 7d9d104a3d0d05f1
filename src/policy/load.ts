import { type Diagnostic, PolicyError } from '../errors.js';
import { editDistance } from '../text-distance.js';
import type { GroupResources, LoadedPolicy, Policy, PolicyRule, PolicySourceMap } from './types.js';
import { type ValidateOptions, validatePolicy } from './validate.js';
import { versionRules } from './version.js';
import { childPath, type Plain, type PlainMap, readPlainTree } from './yaml-tree.js';

/**
 * Read an audit policy as kube-apiserver does (k8s.io/apiserver pkg/audit/policy/reader.go): decode,
 * check apiVersion and kind, validate, and refuse a policy without rules. Value types that do not fit
 * are errors (the decoder fails); unknown fields and duplicate keys are warnings, because kube-apiserver
 * drops them after a strict-decoding warning in its log.
 */

export type LoadOptions = ValidateOptions;

export interface LoadResult {
  /** Present when kube-apiserver would accept the policy (warnings allowed). */
  loaded?: LoadedPolicy;
  /** Every error and warning, each with its field path and line when known. */
  diagnostics: Diagnostic[];
}

/** Like LoadResult, but with the decoded model even when validation fails (lint reads it). */
export interface DecodeResult {
  /** Present when the text decodes into a Policy shape (it may still fail validation). */
  policy?: Policy;
  map: PolicySourceMap;
  diagnostics: Diagnostic[];
}

export const API_VERSION = 'audit.k8s.io/v1';
const BETA_API_VERSIONS = ['audit.k8s.io/v1beta1', 'audit.k8s.io/v1alpha1'];

const POLICY_FIELDS = ['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields'];
const RULE_FIELDS = [
  'level',
  'users',
  'userGroups',
  'verbs',
  'resources',
  'namespaces',
  'nonResourceURLs',
  'omitStages',
  'omitManagedFields',
];
const GROUP_RESOURCE_FIELDS = ['group', 'resources', 'resourceNames'];

/** Before 1.23 kube-apiserver has no omitManagedFields: it is an unknown field, dropped. */
const policyFields = (omitManagedFields: boolean) =>
  omitManagedFields ? POLICY_FIELDS : POLICY_FIELDS.filter((f) => f !== 'omitManagedFields');
const ruleFields = (omitManagedFields: boolean) =>
  omitManagedFields ? RULE_FIELDS : RULE_FIELDS.filter((f) => f !== 'omitManagedFields');

/** What an ignored selector typo does to a rule: it no longer restricts anything. */
const SELECTOR_MEANING: Record<string, string> = {
  users: 'every user',
  userGroups: 'every group',
  verbs: 'every verb',
  resources: 'every resource',
  namespaces: 'every namespace',
  nonResourceURLs: 'every URL',
  resourceNames: 'every name',
};

export function loadPolicy(text: string, source: string, options: LoadOptions = {}): LoadResult {
  const decoded = decodePolicy(text, source, options);
  const failed = decoded.diagnostics.some((d) => d.severity === 'error');
  if (failed || !decoded.policy) return { diagnostics: decoded.diagnostics };
  return { loaded: { policy: decoded.policy, map: decoded.map, text }, diagnostics: decoded.diagnostics };
}

/** loadPolicy, throwing a PolicyError that carries every diagnostic when kube-apiserver would refuse it. */
export function loadPolicyOrThrow(text: string, source: string, options: LoadOptions = {}): LoadedPolicy {
  const result = loadPolicy(text, source, options);
  if (result.loaded) return result.loaded;
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const where = first?.line === undefined ? source : `${source}:${first.line}`;
  const count = errors.length === 1 ? '1 error' : `${errors.length} errors`;
  throw new PolicyError(
    `${where}: kube-apiserver would refuse this audit policy (${count}).`,
    result.diagnostics,
    { hint: `Fix ${source} as listed above; \`kops-audit lint ${source}\` checks it again.`, source },
  );
}

export function decodePolicy(text: string, source: string, options: LoadOptions = {}): DecodeResult {
  const tree = readPlainTree(text);
  const diagnostics: Diagnostic[] = [...tree.diagnostics];
  const lineOf = (field: string): number | undefined => {
    let path = field;
    for (;;) {
      const line = tree.lines.get(path);
      if (line !== undefined) return line;
      const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      if (cut <= 0) return undefined;
      path = path.slice(0, cut);
    }
  };
  const ruleLines: number[] = [];
  const map: PolicySourceMap = {
    source,
    ruleLines,
    lineOf,
    spanOf: (field) => tree.spans.get(field),
  };
  const fail = (): DecodeResult => ({ map, diagnostics: withLines(diagnostics, lineOf) });

  if (tree.diagnostics.some((d) => d.code === 'YAML_SYNTAX')) return fail();
  const root = tree.value;
  if (root === undefined || root === null) {
    diagnostics.push({
      severity: 'error',
      code: 'EMPTY_POLICY',
      message: 'the policy file is empty',
      fix: `write a Policy: apiVersion: ${API_VERSION}, kind: Policy, and at least one rule`,
    });
    return fail();
  }
  if (!isPlainMap(root)) {
    diagnostics.push({
      severity: 'error',
      code: 'WRONG_TYPE',
      message: `expected a Policy object, found ${describe(root)}`,
      line: 1,
      fix: `write a Policy: apiVersion: ${API_VERSION}, kind: Policy, rules: [...]`,
    });
    return fail();
  }

  const version = versionRules(options.kubernetesVersion);
  // The text a value was written as, for fixes that quote it (`no` is false to YAML 1.1: "no").
  const sourceOf = (field: string) => {
    const span = tree.spans.get(field);
    return span ? text.slice(span[0], span[1]) : undefined;
  };
  // kube-apiserver's decoder reads apiVersion and kind first, and refuses the file there when they are
  // wrong: nothing after them is read (no unknown fields, no rules), so nothing more is reported.
  const typeProblems: Diagnostic[] = [];
  checkTypeMeta(root, options, typeProblems);
  const typeErrors = typeProblems.filter((d) => d.severity === 'error');
  if (typeErrors.length > 0) return { map, diagnostics: withLines(typeErrors, lineOf) };

  const decoder = new Decoder(diagnostics, version.omitManagedFields, sourceOf);
  decoder.unknownFields(root, '', policyFields(version.omitManagedFields));
  diagnostics.push(...typeProblems);

  if ('metadata' in root && root.metadata !== null && !isPlainMap(root.metadata)) {
    decoder.wrongType('metadata', 'an object', root.metadata);
  } else if (isPlainMap(root.metadata)) {
    decoder.objectMeta(root.metadata);
  }
  const policy: Policy = {
    apiVersion: stringOr(typeMeta(root, 'apiVersion')),
    kind: stringOr(typeMeta(root, 'kind')),
    rules: [],
  };
  const omitStages = decoder.stringList(root.omitStages, 'omitStages');
  if (omitStages) policy.omitStages = omitStages as Policy['omitStages'];
  if (version.omitManagedFields) {
    const omitManagedFields = decoder.bool(root.omitManagedFields, 'omitManagedFields');
    if (omitManagedFields !== undefined && omitManagedFields !== null)
      policy.omitManagedFields = omitManagedFields;
  }

  const rules = decoder.list(root.rules, 'rules') ?? [];
  rules.forEach((raw, i) => {
    const at = `rules[${i}]`;
    ruleLines.push(lineOf(at) ?? 0);
    policy.rules.push(decoder.rule(raw, at));
  });

  // Validate what did decode, so every error shows in one pass, but say nothing more about a field
  // whose value already has the wrong type.
  const undecodable = decoder.failedFields;
  const covered = (field: string | undefined) =>
    field !== undefined &&
    undecodable.some(
      (f) =>
        field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`) || f.startsWith(`${field}[`),
    );
  diagnostics.push(...validatePolicy(policy, options).filter((d) => !covered(d.field)));
  if (undecodable.length > 0) return fail();
  return { policy, map, diagnostics: withLines(diagnostics, lineOf) };
}

/**
 * apiVersion or kind as kube-apiserver finds them: its decoder reads them with encoding/json, which
 * matches keys without regard to case (`Kind:` counts; the last matching key wins), although the
 * policy itself is then decoded case-sensitively (`Kind` is also an unknown field, with a warning).
 */
function typeMeta(root: PlainMap, field: 'apiVersion' | 'kind'): Plain | undefined {
  let value: Plain | undefined;
  for (const key of Object.keys(root)) {
    if (key.toLowerCase() === field.toLowerCase()) value = root[key];
  }
  return value;
}

const stringOr = (value: Plain | undefined): string => (typeof value === 'string' ? value : '');

function checkTypeMeta(root: PlainMap, options: LoadOptions, diagnostics: Diagnostic[]): void {
  const error = (code: string, field: string, message: string, fix: string) =>
    diagnostics.push({ severity: 'error', code, field, message, fix });
  const apiVersion = typeMeta(root, 'apiVersion');
  const version = versionRules(options.kubernetesVersion);
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') {
    error(
      'API_VERSION_MISSING',
      'apiVersion',
      "Object 'apiVersion' is missing: kube-apiserver refuses a policy without it",
      `add \`apiVersion: ${API_VERSION}\``,
    );
  } else if (typeof apiVersion !== 'string') {
    error(
      'WRONG_TYPE',
      'apiVersion',
      `expected a string, found ${describe(apiVersion)}`,
      `write \`apiVersion: ${API_VERSION}\``,
    );
  } else if (BETA_API_VERSIONS.includes(apiVersion)) {
    if (version.betaPolicyVersions) {
      diagnostics.push({
        severity: 'warning',
        code: 'API_VERSION_DEPRECATED',
        field: 'apiVersion',
        message: `${apiVersion} is deprecated since Kubernetes 1.21 and removed from kube-apiserver in 1.24`,
        fix: `change apiVersion to ${API_VERSION} (the fields are the same)`,
      });
    } else {
      error(
        'API_VERSION_REMOVED',
        'apiVersion',
        `${apiVersion} is no longer accepted: audit.k8s.io/v1alpha1 and v1beta1 policies were deprecated in Kubernetes 1.21 and removed from kube-apiserver in 1.24 (checked for ${version.version})`,
        `change apiVersion to ${API_VERSION} (the fields are the same)`,
      );
    }
  } else if (apiVersion === API_VERSION && !version.v1Policy) {
    error(
      'API_VERSION_UNKNOWN',
      'apiVersion',
      `${API_VERSION} policies exist from Kubernetes 1.12; kube-apiserver ${version.version} knows only audit.k8s.io/v1beta1 and v1alpha1`,
      'write `apiVersion: audit.k8s.io/v1beta1` for this version (the fields are the same)',
    );
  } else if (apiVersion !== API_VERSION) {
    error(
      'API_VERSION_UNKNOWN',
      'apiVersion',
      `unknown group version "${apiVersion}" for an audit policy`,
      `write \`apiVersion: ${API_VERSION}\``,
    );
  }

  const kind = typeMeta(root, 'kind');
  if (kind === undefined || kind === null || kind === '') {
    // The decoder fills an empty kind from the type it decodes into (apimachinery json.go
    // gvkWithDefaults), and reader.go checks only the group and version.
    diagnostics.push({
      severity: 'warning',
      code: 'KIND_MISSING',
      field: 'kind',
      message: 'kind is missing; kube-apiserver takes the file as a Policy all the same',
      fix: 'add `kind: Policy`, so that tools and readers know what the file is',
    });
  } else if (typeof kind !== 'string') {
    error('WRONG_TYPE', 'kind', `expected a string, found ${describe(kind)}`, 'write `kind: Policy`');
  } else if (kind !== 'Policy') {
    error(
      'KIND_UNKNOWN',
      'kind',
      `no kind "${kind}" is registered for the audit.k8s.io group`,
      kind.toLowerCase() === 'policy'
        ? 'write `kind: Policy` (kinds are case-sensitive)'
        : 'write `kind: Policy`',
    );
  }
}

/** Go's time.RFC3339 layout as time.Parse accepts it (fractional seconds allowed). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Typed decoding of plain values into the Policy model, one diagnostic per mismatch. */
class Decoder {
  readonly failedFields: string[] = [];
  constructor(
    private readonly diagnostics: Diagnostic[],
    /** Whether this kube-apiserver version knows omitManagedFields (1.23+). */
    private readonly knowsOmitManagedFields = true,
    /** The text a field's value was written as, when known. */
    private readonly sourceOf: (field: string) => string | undefined = () => undefined,
  ) {}

  wrongType(field: string, expected: string, found: Plain, fix?: string): void {
    this.failedFields.push(field);
    this.diagnostics.push({
      severity: 'error',
      code: 'WRONG_TYPE',
      field,
      message: `expected ${expected}, found ${describe(found)}; kube-apiserver cannot decode the policy`,
      ...(fix ? { fix } : {}),
    });
  }

  /**
   * A warning per unknown field. `explain` may say better than the generic words what dropping the
   * field does (its consequence, after "kube-apiserver drops it with only a log warning") and how to
   * fix it.
   */
  unknownFields(
    map: PlainMap,
    path: string,
    known: readonly string[],
    explain?: (key: string) => { consequence?: string; fix?: string } | undefined,
  ): void {
    for (const key of Object.keys(map)) {
      if (known.includes(key)) continue;
      if (key === 'omitManagedFields') {
        this.diagnostics.push({
          severity: 'warning',
          code: 'UNKNOWN_FIELD',
          field: childPath(path, key),
          message:
            'omitManagedFields exists from Kubernetes 1.23; this kube-apiserver drops it as an unknown field, so managedFields are logged',
          fix: 'remove it, or upgrade to 1.23 or later',
        });
        continue;
      }
      const suggestion = suggestField(key, known);
      // Only when the selector it was meant to be is absent does the rule match everything.
      const alsoWritten = suggestion !== undefined && suggestion in map;
      const meaning = suggestion && !alsoWritten ? SELECTOR_MEANING[suggestion] : undefined;
      const better = explain?.(key);
      const consequence =
        better?.consequence ?? (meaning ? `, so this rule is not limited by it and matches ${meaning}` : '');
      this.diagnostics.push({
        severity: 'warning',
        code: 'UNKNOWN_FIELD',
        field: childPath(path, key),
        message: `unknown field "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: kube-apiserver drops it with only a log warning${consequence}`,
        fix:
          better?.fix ??
          (alsoWritten
            ? `remove "${key}" (${suggestion} is already given)`
            : suggestion
              ? `rename "${key}" to "${suggestion}"`
              : `remove "${key}" (known fields: ${known.join(', ')})`),
      });
    }
  }

  list(value: Plain | undefined, field: string): Plain[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    const example = typeof value === 'string' ? ` write \`${lastSegment(field)}: ["${value}"]\`` : '';
    this.wrongType(field, 'a list', value, example ? example.trim() : undefined);
    return undefined;
  }

  stringList(value: Plain | undefined, field: string): string[] | undefined {
    const items = this.list(value, field);
    if (!items) return undefined;
    const out: string[] = [];
    items.forEach((item, i) => {
      const s = this.string(item, `${field}[${i}]`);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  /**
   * The policy's metadata is a Kubernetes ObjectMeta, decoded with the same strictness as the rest:
   * a wrong type is an error (a label `version: 1` is a number where a string goes), a timestamp
   * must be RFC 3339 (metav1.Time). Unknown fields are dropped like any other.
   */
  objectMeta(meta: PlainMap): void {
    const at = (key: string) => `metadata.${key}`;
    for (const key of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion']) {
      this.string(meta[key], at(key));
    }
    for (const key of ['generation', 'deletionGracePeriodSeconds']) {
      const value = meta[key];
      if (value !== undefined && value !== null && !Number.isInteger(value)) {
        this.wrongType(at(key), 'a whole number', value);
      }
    }
    for (const key of ['labels', 'annotations']) {
      const value = meta[key];
      if (value === undefined || value === null) continue;
      if (!isPlainMap(value)) this.wrongType(at(key), 'a map of strings', value);
      else for (const [name, text] of Object.entries(value)) this.string(text, `${at(key)}.${name}`);
    }
    this.stringList(meta.finalizers, at('finalizers'));
    for (const key of ['creationTimestamp', 'deletionTimestamp']) {
      const value = meta[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || !RFC3339.test(value)) {
        this.wrongType(at(key), 'an RFC 3339 time such as "2024-05-01T12:00:00Z"', value);
      }
    }
  }

  /** null decodes to "" (Go leaves the zero value). */
  string(value: Plain | undefined, field: string): string | undefined {
    if (value === undefined) return undefined;
    if (value === null) return '';
    if (typeof value === 'string') return value;
    const quoted =
      typeof value === 'number' || typeof value === 'boolean'
        ? `quote it: ${JSON.stringify(this.sourceOf(field) ?? String(value))}`
        : undefined;
    this.wrongType(field, 'a string', value, quoted);
    return undefined;
  }

  bool(value: Plain | undefined, field: string): boolean | null | undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value === 'boolean') return value;
    this.wrongType(
      field,
      'true or false',
      value,
      typeof value === 'string' ? 'remove the quotes' : undefined,
    );
    return undefined;
  }

  rule(raw: Plain, at: string): PolicyRule {
    const rule = { level: '' } as unknown as PolicyRule;
    if (raw === null) return rule;
    if (!isPlainMap(raw)) {
      this.wrongType(at, 'a rule object', raw, 'write each rule as `- level: ...` with its selectors');
      return rule;
    }
    this.unknownFields(raw, at, ruleFields(this.knowsOmitManagedFields));
    const level = this.string(raw.level, `${at}.level`);
    if (level !== undefined) rule.level = level as PolicyRule['level'];
    // Fields in API order (types.go), so the decoded object prints as the API would.
    const strings = (
      key: 'users' | 'userGroups' | 'verbs' | 'namespaces' | 'nonResourceURLs' | 'omitStages',
    ) => {
      const values = this.stringList(raw[key], `${at}.${key}`);
      if (values) (rule as unknown as Record<string, string[]>)[key] = values;
    };
    strings('users');
    strings('userGroups');
    strings('verbs');
    const resources = this.list(raw.resources, `${at}.resources`);
    if (resources)
      rule.resources = resources.map((entry, j) =>
        this.groupResources(entry, `${at}.resources[${j}]`, { at, raw, level: rule.level }),
      );
    strings('namespaces');
    strings('nonResourceURLs');
    strings('omitStages');
    if (this.knowsOmitManagedFields) {
      const omitManagedFields = this.bool(raw.omitManagedFields, `${at}.omitManagedFields`);
      if (omitManagedFields !== undefined) rule.omitManagedFields = omitManagedFields;
    }
    return rule;
  }

  /** One `resources` entry of `rule` (its path, its raw fields and its level, for the warnings). */
  groupResources(raw: Plain, at: string, rule: { at: string; raw: PlainMap; level: string }): GroupResources {
    const entry: GroupResources = {};
    if (raw === null) return entry;
    if (!isPlainMap(raw)) {
      this.wrongType(at, 'an object with group, resources, resourceNames', raw);
      return entry;
    }
    this.unknownFields(raw, at, GROUP_RESOURCE_FIELDS, (key) => entryTypo(key, raw, rule));
    const group = this.string(raw.group, `${at}.group`);
    if (group !== undefined) entry.group = group;
    const resources = this.stringList(raw.resources, `${at}.resources`);
    if (resources) entry.resources = resources;
    const names = this.stringList(raw.resourceNames, `${at}.resourceNames`);
    if (names) entry.resourceNames = names;
    return entry;
  }
}

/**
 * What an unknown field in a `resources` entry does. Without `resources` the entry matches every
 * resource and subresource of its group (checker.go: an empty resources list matches the whole group,
 * the core group when `group` is absent), so the typo (`resource:`, `username:`) sends all of them to
 * the rule's level. A rule field written in the entry (`verbs:`) restricts nothing there.
 */
function entryTypo(
  key: string,
  entry: PlainMap,
  rule: { at: string; raw: PlainMap; level: string },
): { consequence?: string; fix?: string } | undefined {
  const resources = entry.resources;
  if (resources === undefined || resources === null) {
    const group = typeof entry.group === 'string' && entry.group !== '' ? entry.group : '';
    const which =
      group === ''
        ? `the core group${entry.group === undefined || entry.group === null ? ' (no group is given)' : ''}`
        : group === '*'
          ? 'every group'
          : `the ${group} group`;
    const level = rule.level === 'None' ? 'None (not logged)' : rule.level;
    return {
      consequence: `; without \`resources\` this entry matches every resource and subresource of ${which}, so every request for them that reaches ${rule.at} now lands at its level, ${level}`,
    };
  }
  if (RULE_FIELDS.includes(key) && key !== 'level' && !(key in rule.raw)) {
    const meaning = SELECTOR_MEANING[key];
    return {
      consequence: `; it is a field of the rule, not of a resources entry, so ${meaning ? `${rule.at} is not limited by it and matches ${meaning}` : 'it has no effect'}`,
      fix: `move "${key}" up into ${rule.at}, beside its resources`,
    };
  }
  return undefined;
}

function withLines(diagnostics: Diagnostic[], lineOf: (field: string) => number | undefined): Diagnostic[] {
  return diagnostics.map((d) => {
    if (d.line !== undefined || d.field === undefined) return d;
    const line = lineOf(d.field);
    return line === undefined ? d : { ...d, line };
  });
}

function isPlainMap(value: Plain | undefined): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: Plain): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string "${value}"`;
  return `the ${typeof value} ${String(value)}`;
}

function lastSegment(field: string): string {
  return field.slice(field.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
}

/** The known field a typo most likely meant: same letters in another case, a missing "s", or 1–2 edits. */
function suggestField(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower || k.toLowerCase() === `${lower}s`);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
