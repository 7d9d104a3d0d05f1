import type { Diagnostic } from '../errors.js';
import { coverage, isUniversal, type Region, regionOfRule, restrictRegion } from './coverage.js';
import { decodePolicy, type LoadOptions } from './load.js';
import { firstMatchDifferences, type Prefer } from './order.js';
import { describeOutcome } from './order-text.js';
import type { Policy, PolicyRule, PolicySourceMap, RequestAttributes } from './types.js';
import { versionRules } from './version.js';

/**
 * Lint: the problems kube-apiserver does not refuse but a reviewer would flag. Every "can this rule
 * see these requests" question goes through coverage.ts, which only answers "covered" when that is
 * certain, so a warning about a rule is never issued for requests that earlier rules always take.
 */

export interface LintOptions extends LoadOptions {
  /**
   * `lint --strict`: what is otherwise only information (EXEC_LOGGED, often a deliberate choice) is a
   * warning too.
   */
  strict?: boolean;
  /** How the most-specific reading settles equally specific rules (RULE_OVERRIDDEN); default quiet. */
  prefer?: Prefer;
}

export interface LintResult {
  /** kube-apiserver would accept the policy. */
  valid: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Worth knowing, but no warning: never fails, not even with --strict. */
  info: Diagnostic[];
}

export function lintPolicyText(text: string, source: string, options: LintOptions = {}): LintResult {
  const decoded = decodePolicy(text, source, options);
  const diagnostics = [...decoded.diagnostics];
  // Rule checks need a policy kube-apiserver would run; on a refused one they mostly restate the errors.
  const refused = diagnostics.some((d) => d.severity === 'error');
  if (decoded.policy && !refused) diagnostics.push(...lintPolicy(decoded.policy, decoded.map, options));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning').sort(byLine);
  const info = diagnostics.filter((d) => d.severity === 'info').sort(byLine);
  return { valid: errors.length === 0, errors, warnings, info };
}

function byLine(a: Diagnostic, b: Diagnostic): number {
  return (a.line ?? 0) - (b.line ?? 0);
}

/** Verbs that exist only in RBAC authorization checks; no request is ever audited with them. */
const AUTHORIZATION_ONLY_VERBS = ['impersonate', 'bind', 'escalate', 'use', 'approve', 'sign'];

/** Resources whose bodies carry credentials, and the verbs whose Request-level body holds them. */
const CREDENTIALS = [
  {
    label: 'secrets',
    scope: 'namespaced',
    target: { group: '', resource: 'secrets' },
    requestVerbs: ['create', 'update', 'patch'],
  },
  {
    label: 'configmaps',
    scope: 'namespaced',
    target: { group: '', resource: 'configmaps' },
    requestVerbs: ['create', 'update', 'patch'],
  },
  // TokenReviews and TokenRequests exist only as creates (the API serves no other verb on them).
  {
    label: 'tokenreviews',
    scope: 'cluster',
    target: { group: 'authentication.k8s.io', resource: 'tokenreviews' },
    requestVerbs: ['create'],
    responseVerbs: ['create'],
  },
  // A TokenRequest carries no secret; the token is in the response.
  {
    label: 'serviceaccounts/token',
    scope: 'namespaced',
    target: { group: '', resource: 'serviceaccounts', subresource: 'token' },
    requestVerbs: [],
    responseVerbs: ['create'],
  },
] as const satisfies readonly {
  label: string;
  /** Cluster-scoped requests have namespace ""; a write to a namespaced object never has. */
  scope: 'namespaced' | 'cluster';
  target: { group: string; resource: string; subresource?: string };
  /** Verbs whose request bodies hold the credential (logged from Request level). */
  requestVerbs: readonly string[];
  /** Verbs whose responses hold it (logged at RequestResponse); absent: every verb. */
  responseVerbs?: readonly string[];
}[];

/**
 * The one subresource whose requestURI carries a command line: pods/exec (`?command=...&command=...`,
 * kubernetes#97795). attach's carries only the container and stream flags, portforward's the ports.
 */
const EXEC = [{ group: '', resource: 'pods', subresource: 'exec' }];
/** POST (create) over SPDY, GET (get) over WebSocket. */
const EXEC_VERBS = ['create', 'get'];

/** Collections that are large or change constantly: list/watch responses of them dominate a log. */
const HIGH_VOLUME = [
  { group: '', resource: 'pods' },
  { group: '', resource: 'nodes' },
  { group: '', resource: 'events' },
  { group: 'events.k8s.io', resource: 'events' },
  { group: '', resource: 'endpoints' },
  { group: 'discovery.k8s.io', resource: 'endpointslices' },
  { group: 'coordination.k8s.io', resource: 'leases' },
  { group: '', resource: 'configmaps' },
  { group: '', resource: 'secrets' },
  { group: 'apps', resource: 'replicasets' },
];

const label = (t: { group: string; resource: string; subresource?: string }) =>
  `${t.group === '' ? '' : `${t.group}/`}${t.resource}${t.subresource ? `/${t.subresource}` : ''}`;

export function lintPolicy(policy: Policy, map?: PolicySourceMap, options: LintOptions = {}): Diagnostic[] {
  const version = versionRules(options.kubernetesVersion);
  const rules = policy.rules ?? [];
  const regions = rules.map(regionOfRule);
  const lineOf = (field: string) => map?.lineOf(field);
  const out: Diagnostic[] = [];
  const report =
    (severity: Diagnostic['severity']) => (code: string, field: string, message: string, fix: string) => {
      const line = lineOf(field);
      out.push({ severity, code, field, message, fix, ...(line === undefined ? {} : { line }) });
    };
  const warn = report('warning');
  /** Requests in `region` that no earlier rule takes first; false when rule `i` never sees any. */
  const reaches = (i: number, region: Region | undefined) =>
    region !== undefined && !coverage(region, regions.slice(0, i)).covered;
  const shadowed = new Set<number>();

  rules.forEach((rule, i) => {
    neverMatchingSelectors(rule, i, warn);
    const region = regions[i]!;
    if (i > 0) {
      const result = coverage(region, regions.slice(0, i));
      if (result.covered) {
        shadowed.add(i);
        const names = result.by.map((j) => `rules[${j}]`);
        warn(
          'RULE_SHADOWED',
          `rules[${i}]`,
          `rules[${i}] (${rule.level}) never matches: ${joinWords(names)} ${names.length === 1 ? 'matches' : 'match'} every request it could match first`,
          `move it above ${names[0]}, narrow the earlier rule, or remove it`,
        );
      }
    }
    if (isUniversal(region) && i < rules.length - 1) {
      warn(
        'CATCH_ALL_NOT_LAST',
        `rules[${i}]`,
        `rules[${i}] matches every request, so the ${rules.length - 1 - i === 1 ? 'rule after it never applies' : `${rules.length - 1 - i} rules after it never apply`}`,
        'make the catch-all the last rule',
      );
    }
  });

  // Where the written order gives requests another outcome than the most specific rules would:
  // `kops-audit order` writes the policy so that they do (issue 12).
  const prefer = options.prefer ?? 'quiet';
  const differences = prefer === 'none' ? [] : (firstMatchDifferences(policy, { prefer }) ?? []);
  const byDecider = new Map<number, (typeof differences)[number]>();
  for (const d of differences) if (!byDecider.has(d.decider)) byDecider.set(d.decider, d);
  for (const [i, d] of byDecider) {
    const example = describeExample(d.request);
    const change = `${describeOutcome(d.meant)} instead of ${describeOutcome(d.written)}`;
    if (shadowed.has(i)) {
      const warning = out.find((w) => w.code === 'RULE_SHADOWED' && w.field === `rules[${i}]`);
      if (warning) {
        warning.message += `. Most specific first, as \`kops-audit order\` writes the policy, it would decide requests such as ${example}: ${change} (from rules[${d.first}])`;
        warning.fix = `write the policy with \`kops-audit order\`, or ${warning.fix}`;
      }
      continue;
    }
    const why =
      d.reason === 'narrower'
        ? `rules[${i}] is more specific for them`
        : d.reason === 'prefer'
          ? `the two are equally specific there, and --prefer ${prefer} gives them rules[${i}]'s outcome`
          : `rules[${d.inside}] lies inside rules[${d.first}] and is more specific for them, and the most specific rules give them rules[${i}]'s outcome`;
    warn(
      'RULE_OVERRIDDEN',
      `rules[${i}]`,
      `rules[${d.first}], written above, takes requests such as ${example} from rules[${i}] (${rules[i]!.level}), although ${why}: \`kops-audit order\` would put rules[${i}] first and log them at ${change}`,
      `write the policy with \`kops-audit order\` (the most specific rule first), or narrow rules[${i}] or rules[${d.first}] if the first match is what you want`,
    );
  }

  if (rules.length > 0 && !coverage({ kind: 'any' }, regions).covered) {
    warn(
      'NO_CATCH_ALL',
      `rules[${rules.length - 1}]`,
      'some requests match no rule and are not logged at all (level None), with nothing in the policy saying so',
      'end with a catch-all rule, e.g. `- level: Metadata` (or `- level: None` to make the choice explicit)',
    );
  }

  const live = (i: number) => !shadowed.has(i);
  const logged = (rule: PolicyRule) => rule.level !== 'None';
  const bodies = (rule: PolicyRule) => rule.level === 'Request' || rule.level === 'RequestResponse';

  // Credentials in request or response bodies (kubernetes#88926).
  rules.forEach((rule, i) => {
    if (!live(i) || !bodies(rule)) return;
    const namespaces = regions[i]!.namespaces;
    const leaking = CREDENTIALS.filter((c) => {
      // namespaces: [kube-system] never sees a cluster-scoped TokenReview; namespaces: [""] sees
      // a namespaced resource only in lists and watches across namespaces, which carry no request body.
      if (namespaces && c.scope === 'cluster' && !namespaces.includes('')) return false;
      if (
        namespaces &&
        c.scope === 'namespaced' &&
        rule.level === 'Request' &&
        namespaces.every((n) => n === '')
      )
        return false;
      const verbs =
        rule.level === 'RequestResponse'
          ? 'responseVerbs' in c
            ? [...c.responseVerbs]
            : undefined
          : [...c.requestVerbs];
      if (verbs && verbs.length === 0) return false;
      return reaches(i, restrictRegion(regions[i]!, [c.target], verbs));
    }).map((c) => c.label + namedScope(restrictRegion(regions[i]!, [c.target])));
    if (leaking.length === 0) return;
    warn(
      'CREDENTIALS_LOGGED',
      `rules[${i}]`,
      `rules[${i}] logs ${joinWords(leaking)} at ${rule.level}: their ${rule.level === 'Request' ? 'request bodies' : 'request and response bodies'} hold credentials, which then sit in the audit log (kubernetes#88926)`,
      `add a rule above rules[${i}] that logs ${joinWords(leaking)} at Metadata`,
    );
  });

  // exec: the command line is in requestURI, logged even at Metadata (kubernetes#97795). Logging exec
  // is what the CIS benchmark asks for (3.2.2), so this is information, a warning only with --strict.
  const execs = rules.flatMap((rule, i) =>
    live(i) && logged(rule) && reaches(i, restrictRegion(regions[i]!, EXEC, EXEC_VERBS))
      ? [`rules[${i}] (${rule.level})`]
      : [],
  );
  if (execs.length > 0) {
    const first = execs[0]!.replace(/ .*/, '');
    report(options.strict ? 'warning' : 'info')(
      'EXEC_LOGGED',
      first,
      `pods/exec requests are logged by ${joinWords(execs)}: an exec's requestURI carries the command and its arguments (\`?command=...\`), so a secret typed on a command line lands in the log at any level (kubernetes#97795)`,
      `keep it if you audit exec (CIS 3.2.2 asks for it) and restrict who reads the log, or add a \`level: None\` rule for pods/exec above ${first}`,
    );
  }

  // Every request logged twice: at RequestReceived and again when it completes.
  const twice = rules.flatMap((rule, i) => {
    if (!live(i) || !logged(rule)) return [];
    const stages = new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])]);
    return stages.has('RequestReceived') ? [] : [i];
  });
  if (twice.length > 0) {
    const names = twice.map((i) => `rules[${i}]`);
    warn(
      'REQUEST_RECEIVED_LOGGED',
      names[0]!,
      `${joinWords(names)} ${names.length === 1 ? 'does' : 'do'} not omit the RequestReceived stage, so every request ${names.length === 1 ? 'it logs' : 'they log'} is written twice (when it arrives and when it completes)`,
      'add `omitStages: [RequestReceived]` at the top of the policy',
    );
  }

  // list/watch responses of big, busy collections at RequestResponse.
  rules.forEach((rule, i) => {
    if (!live(i) || rule.level !== 'RequestResponse') return;
    const heavy = HIGH_VOLUME.filter((t) => reaches(i, restrictRegion(regions[i]!, [t], ['list', 'watch'])));
    if (heavy.length === 0) return;
    warn(
      'HIGH_VOLUME_RESPONSES',
      `rules[${i}]`,
      `rules[${i}] logs list and watch of ${joinWords(heavy.map(label))} at RequestResponse: every response body (whole collections, every watch event) goes into the log`,
      `add a rule above rules[${i}] that logs list and watch at Metadata (or Request)`,
    );
  });

  // managedFields in logged objects: large and useless for auditing (omitManagedFields, 1.23+).
  const managed = rules.flatMap((rule, i) => {
    // Nothing to suggest to a kube-apiserver that has no omitManagedFields.
    if (!version.omitManagedFields || !live(i) || !bodies(rule)) return [];
    // Only when nobody chose: an explicit false (rule or policy) is a decision, not an oversight.
    if ((rule.omitManagedFields ?? policy.omitManagedFields) !== undefined) return [];
    const region = regions[i]!;
    if (region.kind === 'nonResource') return [];
    // At Request only create and update carry whole objects; at RequestResponse every response does.
    const withObjects =
      rule.level === 'RequestResponse' ? region : restrictVerbs(region, ['create', 'update']);
    return reaches(i, withObjects) ? [i] : [];
  });
  if (managed.length > 0) {
    const names = managed.map((i) => `rules[${i}]`);
    warn(
      'MANAGED_FIELDS_LOGGED',
      names[0]!,
      `${joinWords(names)} ${names.length === 1 ? 'logs' : 'log'} object bodies with their metadata.managedFields, which are large and say nothing about who changed what`,
      'set `omitManagedFields: true` at the top of the policy (Kubernetes 1.23+)',
    );
  }
  return out;
}

/** ` named "a" and "b"` when the rule sees the resource only under those resourceNames, else "". */
function namedScope(region: Region | undefined): string {
  const atoms = region?.resources;
  if (!atoms || atoms.length === 0 || !atoms.every((a) => a.names)) return '';
  const names = [...new Set(atoms.flatMap((a) => a.names ?? []))].map((n) => JSON.stringify(n));
  const shown = names.length > 4 ? [...names.slice(0, 3), `${names.length - 3} more`] : names;
  return ` named ${joinWords(shown)}`;
}

/** A request in a message: `get secrets in namespace default`, `get /healthz`. */
function describeExample(r: RequestAttributes): string {
  const who = r.user === null ? ' with no user' : r.user === 'someone' ? '' : ` by ${r.user}`;
  const groups = r.groups.length > 0 ? ` (groups ${r.groups.join(', ')})` : '';
  if (!r.resourceRequest) return `${r.verb} ${r.path}${who}${groups}`;
  const group = r.apiGroup ? `${r.apiGroup}/` : '';
  const sub = r.subresource ? `/${r.subresource}` : '';
  const name = r.name ? ` "${r.name}"` : '';
  const where = r.namespace ? ` in namespace ${r.namespace}` : ' (cluster-wide)';
  return `${r.verb} ${group}${r.resource}${sub}${name}${where}${who}${groups}`;
}

function restrictVerbs(region: Region, verbs: readonly string[]): Region | undefined {
  const kept = region.verbs ? region.verbs.filter((v) => verbs.includes(v)) : [...verbs];
  return kept.length === 0 ? undefined : { ...region, verbs: kept };
}

function neverMatchingSelectors(
  rule: PolicyRule,
  i: number,
  warn: (code: string, field: string, message: string, fix: string) => void,
): void {
  const at = `rules[${i}]`;
  const never = (field: string, message: string, fix: string) =>
    warn('SELECTOR_NEVER_MATCHES', field, message, fix);
  (rule.verbs ?? []).forEach((verb, j) => {
    const field = `${at}.verbs[${j}]`;
    if (verb === '*') {
      never(
        field,
        'verb "*" is compared literally (there is no wildcard, unlike RBAC) and matches no request',
        'remove `verbs` to match every verb',
      );
    } else if (verb !== verb.toLowerCase()) {
      never(
        field,
        `verb "${verb}" never matches: request verbs are lower-case`,
        `write "${verb.toLowerCase()}"`,
      );
    } else if (AUTHORIZATION_ONLY_VERBS.includes(verb)) {
      never(
        field,
        `verb "${verb}" exists only in RBAC checks; no request is audited with it`,
        'use the verb of the request itself (e.g. create, update, patch)',
      );
    }
  });
  for (const key of ['users', 'userGroups', 'namespaces'] as const) {
    (rule[key] ?? []).forEach((value, j) => {
      if (value !== '*') return;
      never(
        `${at}.${key}[${j}]`,
        `"*" in ${key} is compared literally and matches nothing`,
        `remove \`${key}\` to match every value`,
      );
    });
  }
  (rule.resources ?? []).forEach((entry, j) => {
    const group = entry.group ?? '';
    if (/^v\d+((alpha|beta)\d+)?$/.test(group) || group === 'core') {
      never(
        `${at}.resources[${j}].group`,
        `group "${group}" matches nothing: the core API group (pods, secrets, ...) is written ""`,
        'write `group: ""`',
      );
    }
    (entry.resources ?? []).forEach((pattern, k) => {
      const field = `${at}.resources[${j}].resources[${k}]`;
      if (pattern !== pattern.toLowerCase()) {
        never(
          field,
          `resource "${pattern}" never matches: resource names are lower-case plurals`,
          `write "${pattern.toLowerCase()}"`,
        );
      } else if (pattern === '*/*' || pattern.split('/').length > 2) {
        never(
          field,
          `resource "${pattern}" never matches: a pattern is "*", "res", "res/sub", "*/sub" or "res/*"`,
          pattern === '*/*' ? 'write "*"' : 'use one of those forms',
        );
      }
    });
  });
}

function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
