import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverage, regionOfRule } from '../../../src/policy/coverage.js';
import { compilePolicy } from '../../../src/policy/evaluate.js';
import { lintPolicy, lintPolicyText } from '../../../src/policy/lint.js';
import type { Policy, PolicyRule, RequestAttributes } from '../../../src/policy/types.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/**
 * Lint warnings. Shadowing follows checker.go's first-match semantics; the credential, exec and
 * volume checks follow research/audit.md (levels, kubernetes#88926, kubernetes#97795).
 */

const HEAD =
  'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nomitManagedFields: true\n';

/** Warnings as `lint --strict` reports them (EXEC_LOGGED is otherwise information, tested below). */
function warnings(text: string): Array<[string, string | undefined]> {
  return lintPolicyText(`${HEAD}${text}`, 'p.yaml', { strict: true }).warnings.map((w) => [w.code, w.field]);
}

interface Case {
  name: string;
  rule: string;
  text: string;
  expected: Array<[string, string | undefined]>;
}

const cases: Case[] = [
  {
    name: 'a single Metadata catch-all after a None rule is clean',
    rule: 'checker.go first match; research/audit.md levels',
    text: 'rules:\n- level: None\n  nonResourceURLs: ["/healthz*"]\n- level: None\n  resources: [{group: "", resources: [pods/exec, pods/attach, pods/portforward]}]\n- level: Metadata\n',
    expected: [],
  },
  {
    name: 'later rule covered by one earlier rule is shadowed',
    rule: 'checker.go LevelAndStages returns on the first match',
    text: 'rules:\n- level: None\n  resources: [{group: ""}]\n- level: Metadata\n  resources: [{group: "", resources: [pods]}]\n- level: None\n',
    expected: [['RULE_SHADOWED', 'rules[1]']],
  },
  {
    name: 'later rule covered by the union of two earlier rules (verbs split) is shadowed',
    rule: 'checker.go first match over each request',
    text: 'rules:\n- level: None\n  verbs: [get]\n- level: None\n  verbs: [list]\n- level: None\n  verbs: [get, list]\n  resources: [{group: "", resources: [pods]}]\n- level: None\n',
    expected: [['RULE_SHADOWED', 'rules[2]']],
  },
  {
    name: 'an earlier rule limited to some users does not shadow a rule for every user',
    rule: 'checker.go users selector',
    text: 'rules:\n- level: None\n  users: [alice]\n- level: None\n  verbs: [get]\n- level: None\n',
    expected: [],
  },
  {
    name: 'pods/* covers pods/log',
    rule: 'checker.go "resource/*" matches every subresource',
    text: 'rules:\n- level: None\n  resources: [{group: "", resources: ["pods/*"]}]\n- level: None\n  resources: [{group: "", resources: ["pods/log", pods]}]\n- level: None\n',
    expected: [['RULE_SHADOWED', 'rules[1]']],
  },
  {
    name: 'pods does not cover pods/log',
    rule: 'checker.go combinedResource',
    text: 'rules:\n- level: None\n  resources: [{group: "", resources: [pods]}]\n- level: None\n  resources: [{group: "", resources: ["pods/log"]}]\n- level: None\n',
    expected: [],
  },
  {
    name: '*/scale covers deployments/scale',
    rule: 'checker.go "*/subresource"',
    text: 'rules:\n- level: None\n  resources: [{group: apps, resources: ["*/scale"]}]\n- level: None\n  resources: [{group: apps, resources: ["deployments/scale"]}]\n- level: None\n',
    expected: [['RULE_SHADOWED', 'rules[1]']],
  },
  {
    name: 'resourceNames narrow the earlier rule: no shadowing',
    rule: 'checker.go resourceNames',
    text: 'rules:\n- level: None\n  resources: [{group: "", resources: [configmaps], resourceNames: [a]}]\n- level: None\n  resources: [{group: "", resources: [configmaps]}]\n- level: None\n',
    expected: [],
  },
  {
    name: 'nonResourceURLs prefix covers a longer exact path',
    rule: 'checker.go pathMatches trailing *',
    text: 'rules:\n- level: None\n  nonResourceURLs: ["/healthz*"]\n- level: None\n  nonResourceURLs: ["/healthz/etcd", "/healthz*"]\n- level: None\n',
    expected: [['RULE_SHADOWED', 'rules[1]']],
  },
  {
    name: 'group "*" plus nonResourceURLs "*" together cover a final catch-all',
    rule: 'checker.go resource vs non-resource split; group "*" 1.36+',
    text: 'rules:\n- level: Metadata\n  resources: [{group: "*"}]\n- level: Metadata\n  nonResourceURLs: ["*"]\n- level: None\n',
    expected: [
      ['EXEC_LOGGED', 'rules[0]'],
      ['RULE_SHADOWED', 'rules[2]'],
    ],
  },
  {
    name: 'catch-all in the middle',
    rule: 'checker.go: an empty rule matches everything',
    text: 'rules:\n- level: None\n- level: Metadata\n  verbs: [get]\n',
    expected: [
      ['CATCH_ALL_NOT_LAST', 'rules[0]'],
      ['RULE_SHADOWED', 'rules[1]'],
    ],
  },
  {
    name: 'no catch-all',
    rule: 'checker.go: no match → level None',
    text: 'rules:\n- level: None\n  verbs: [get]\n',
    expected: [['NO_CATCH_ALL', 'rules[0]']],
  },
  {
    name: 'secrets at RequestResponse',
    rule: 'research/audit.md levels; kubernetes#88926',
    text: 'rules:\n- level: None\n  resources: [{group: "", resources: [pods/exec, pods/attach, pods/portforward]}]\n- level: RequestResponse\n  resources: [{group: "", resources: [secrets]}]\n- level: None\n',
    // list/watch of secrets return whole collections of them: also a volume problem.
    expected: [
      ['CREDENTIALS_LOGGED', 'rules[1]'],
      ['HIGH_VOLUME_RESPONSES', 'rules[1]'],
    ],
  },
  {
    name: 'secrets reads at Request carry no body: clean',
    rule: 'research/audit.md: Request logs the request body only',
    text: 'rules:\n- level: Request\n  verbs: [get, list, watch, delete]\n  resources: [{group: "", resources: [secrets]}]\n- level: None\n',
    expected: [],
  },
  {
    name: 'tokenreviews created at Request',
    rule: 'research/audit.md: Request logs requestObject (the token)',
    text: 'rules:\n- level: Request\n  resources: [{group: authentication.k8s.io, resources: [tokenreviews]}]\n- level: None\n',
    expected: [['CREDENTIALS_LOGGED', 'rules[0]']],
  },
  {
    // The token subresource serves only create; a rule for other verbs never sees a token.
    name: 'serviceaccounts/token at RequestResponse for get only: clean; for create: logged',
    rule: 'research/audit.md: RequestResponse logs responseObject (the token of a TokenRequest)',
    text: 'rules:\n- level: RequestResponse\n  verbs: [get]\n  resources: [{group: "", resources: [serviceaccounts/token]}]\n- level: RequestResponse\n  verbs: [create]\n  resources: [{group: "", resources: [serviceaccounts/token]}]\n- level: None\n',
    expected: [['CREDENTIALS_LOGGED', 'rules[1]']],
  },
  {
    // TokenReviews are cluster-scoped (namespace ""); secrets with namespace "" are only lists and
    // watches across namespaces, which have no request body (research/audit.md request attributes).
    name: 'namespace scopes that never see a credential at Request',
    rule: 'requestinfo.go namespaces; Request logs the request body only',
    text: 'rules:\n- level: Request\n  namespaces: [kube-system]\n  resources: [{group: authentication.k8s.io, resources: [tokenreviews]}]\n- level: Request\n  namespaces: [""]\n  resources: [{group: "", resources: [secrets, configmaps]}]\n- level: None\n',
    expected: [],
  },
  {
    name: 'secrets with namespace "" at RequestResponse: lists across namespaces return them',
    rule: 'research/audit.md: RequestResponse logs responseObject',
    text: 'rules:\n- level: None\n  resources: [{group: "", resources: [pods/exec, pods/attach, pods/portforward]}]\n- level: RequestResponse\n  namespaces: [""]\n  resources: [{group: "", resources: [secrets]}]\n- level: None\n',
    expected: [
      ['CREDENTIALS_LOGGED', 'rules[1]'],
      ['HIGH_VOLUME_RESPONSES', 'rules[1]'],
    ],
  },
  {
    name: 'secrets taken at Metadata by an earlier rule: a later RequestResponse catch-all is fine',
    rule: 'checker.go first match',
    text: 'rules:\n- level: Metadata\n  resources: [{group: "", resources: [secrets, configmaps, serviceaccounts/token]}, {group: authentication.k8s.io, resources: [tokenreviews]}]\n- level: None\n  resources: [{group: "", resources: [pods/exec, pods/attach, pods/portforward]}]\n- level: None\n  verbs: [list, watch]\n- level: RequestResponse\n',
    // No credential warning. (Lists of secrets go to rule 0 as written; rule 2, as specific there and
    // quieter, would take them in the most-specific order: issue 12.)
    expected: [['RULE_OVERRIDDEN', 'rules[2]']],
  },
  {
    name: 'pods/exec logged at Metadata',
    rule: 'kubernetes#97795: the command is in requestURI',
    text: 'rules:\n- level: Metadata\n  resources: [{group: "", resources: ["pods/*"]}]\n- level: None\n',
    expected: [['EXEC_LOGGED', 'rules[0]']],
  },
  {
    name: 'RequestReceived omitted at the top of the policy counts for every rule',
    rule: 'checker.go NewChecker unions policy omitStages into every rule',
    text: 'rules:\n- level: None\n  resources: [{group: "", resources: [pods/exec, pods/attach, pods/portforward]}]\n- level: Metadata\n',
    expected: [],
  },
  {
    name: 'list/watch of pods at RequestResponse',
    rule: 'research/audit.md: RequestResponse adds responseObject',
    text: 'rules:\n- level: None\n  resources: [{group: "", resources: [secrets, configmaps, serviceaccounts/token, pods/exec, pods/attach, pods/portforward]}]\n- level: RequestResponse\n  resources: [{group: "", resources: [pods]}]\n- level: None\n',
    expected: [['HIGH_VOLUME_RESPONSES', 'rules[1]']],
  },
  {
    name: 'upper-case verb, "*" verb and user, v1 group',
    rule: 'checker.go exact, case-sensitive comparisons; "" is the core group',
    text: 'rules:\n- level: None\n  verbs: [GET, "*"]\n  users: ["*"]\n  resources: [{group: v1}]\n- level: None\n',
    expected: [
      ['SELECTOR_NEVER_MATCHES', 'rules[0].verbs[0]'],
      ['SELECTOR_NEVER_MATCHES', 'rules[0].verbs[1]'],
      ['SELECTOR_NEVER_MATCHES', 'rules[0].users[0]'],
      ['SELECTOR_NEVER_MATCHES', 'rules[0].resources[0].group'],
    ],
  },
  {
    name: 'a typo in a selector is an unknown field',
    rule: 'reader.go strict decoding falls back to lenient (1.26+)',
    text: 'rules:\n- level: None\n  verb: [get]\n- level: Metadata\n  verbs: [get]\n',
    expected: [
      ['CATCH_ALL_NOT_LAST', 'rules[0]'],
      ['UNKNOWN_FIELD', 'rules[0].verb'],
      ['RULE_SHADOWED', 'rules[1]'],
    ],
  },
];

describe('lint warnings', () => {
  it.each(cases)('$name ($rule)', ({ text, expected }) => {
    expect(warnings(text)).toEqual(expected);
  });

  it('RequestReceived and managedFields warnings name every rule concerned, once', () => {
    const text =
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  resources: [{group: "", resources: [secrets, configmaps, pods/exec, pods/attach, pods/portforward]}]\n- level: Request\n  verbs: [create]\n- level: Metadata\n';
    const result = lintPolicyText(text, 'p.yaml');
    expect(result.warnings.map((w) => [w.code, w.field, w.line])).toEqual([
      // create at Request also logs TokenReview bodies, which carry the token.
      ['CREDENTIALS_LOGGED', 'rules[1]', 6],
      ['REQUEST_RECEIVED_LOGGED', 'rules[1]', 6],
      ['MANAGED_FIELDS_LOGGED', 'rules[1]', 6],
    ]);
    expect(result.warnings[1]!.message).toMatch(
      /^rules\[1\] and rules\[2\] do not omit the RequestReceived stage/,
    );
  });

  it('a refused policy gets its errors and decoding warnings, but no rule checks', () => {
    const result = lintPolicyText(
      `${HEAD}rules:\n- level: metadata\n  verb: [get]\n- level: None\n`,
      'p.yaml',
    );
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.code)).toEqual(['LEVEL_UNSUPPORTED']);
    // Not CATCH_ALL_NOT_LAST / RULE_SHADOWED: rules of a policy kube-apiserver never runs.
    expect(result.warnings.map((w) => w.code)).toEqual(['UNKNOWN_FIELD']);
  });

  it('omitManagedFields: an explicit false is a choice (no warning); true or unset decide as expected', () => {
    const policyWith = (top: string, rule: string) =>
      `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\n${top}rules:\n- level: None\n  resources: [{group: "", resources: [secrets, configmaps, pods/exec, pods/attach, pods/portforward]}, {group: authentication.k8s.io, resources: [tokenreviews]}]\n- level: Request\n  verbs: [update]\n${rule}- level: Metadata\n`;
    const managed = (top: string, rule: string) =>
      lintPolicyText(policyWith(top, rule), 'p.yaml').warnings.filter(
        (w) => w.code === 'MANAGED_FIELDS_LOGGED',
      ).length;
    expect(managed('', '')).toBe(1);
    expect(managed('omitManagedFields: false\n', '')).toBe(0);
    expect(managed('', '  omitManagedFields: false\n')).toBe(0);
    expect(managed('omitManagedFields: true\n', '')).toBe(0);
    expect(managed('omitManagedFields: true\n', '  omitManagedFields: null\n')).toBe(0);
  });

  it('no omitManagedFields advice for a kube-apiserver older than 1.23, which lacks the field', () => {
    const gce = readFileSync(path.join(REPO_ROOT, 'templates', 'gce.yaml'), 'utf8');
    const codes = (v: string) =>
      lintPolicyText(gce, 'gce', { kubernetesVersion: v }).warnings.map((w) => w.code);
    expect(codes('1.22')).not.toContain('MANAGED_FIELDS_LOGGED');
    expect(codes('1.23')).toContain('MANAGED_FIELDS_LOGGED');
  });

  it('group "*" is an error for --kubernetes-version 1.35 and fine for 1.36', () => {
    const text = `${HEAD}rules:\n- level: Metadata\n  resources: [{group: "*"}]\n- level: Metadata\n`;
    expect(lintPolicyText(text, 'p.yaml', { kubernetesVersion: '1.35' }).valid).toBe(false);
    expect(lintPolicyText(text, 'p.yaml', { kubernetesVersion: '1.36' }).valid).toBe(true);
  });
});

// checker.go: resourceNames limit an entry to those names, so the credentials at risk are theirs only.
describe('CREDENTIALS_LOGGED names the resourceNames a rule is limited to (issue 11)', () => {
  const credentials = (resources: string) => {
    const text = `${HEAD}rules:\n- level: RequestResponse\n  resources:\n${resources}- level: Metadata\n`;
    const found = lintPolicyText(text, 'p.yaml').warnings.filter((w) => w.code === 'CREDENTIALS_LOGGED');
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('secrets limited to two names: both named, in the message and the fix', () => {
    const d = credentials(
      '  - group: ""\n    resources: [secrets]\n    resourceNames: [db-password, api-token]\n',
    );
    expect(d.message).toMatch(
      /^rules\[0\] logs secrets named "db-password" and "api-token" at RequestResponse: /,
    );
    expect(d.fix).toBe(
      'add a rule above rules[0] that logs secrets named "db-password" and "api-token" at Metadata',
    );
  });

  it('each credential with its own scope; one entry without names leaves secrets unlimited', () => {
    const scoped = credentials(
      '  - group: ""\n    resources: [secrets]\n    resourceNames: [a]\n  - group: ""\n    resources: [configmaps]\n',
    );
    expect(scoped.message).toMatch(/^rules\[0\] logs secrets named "a" and configmaps at RequestResponse/);
    const open = credentials(
      '  - group: ""\n    resources: [secrets]\n    resourceNames: [a]\n  - group: ""\n    resources: [secrets]\n',
    );
    expect(open.message).toMatch(/^rules\[0\] logs secrets at RequestResponse/);
  });

  it('many names: the first three and how many more', () => {
    const d = credentials('  - group: ""\n    resources: [secrets]\n    resourceNames: [a, b, c, d, e]\n');
    expect(d.message).toMatch(/^rules\[0\] logs secrets named "a", "b", "c" and 2 more at RequestResponse/);
  });
});

describe('EXEC_LOGGED: exec command lines in the log (kubernetes#97795)', () => {
  const lint = (rules: string, strict = false) => lintPolicyText(`${HEAD}${rules}`, 'p.yaml', { strict });
  const execAtMetadata = 'rules:\n- level: Metadata\n';

  it('is information, not a warning, without --strict: logging exec is what CIS 3.2.2 asks for', () => {
    const result = lint(execAtMetadata);
    expect(result.warnings).toEqual([]);
    expect(result.info).toEqual([
      expect.objectContaining({ severity: 'info', code: 'EXEC_LOGGED', field: 'rules[0]', line: 6 }),
    ]);
  });

  it('is a warning with --strict', () => {
    const result = lint(execAtMetadata, true);
    expect(result.info).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ severity: 'warning', code: 'EXEC_LOGGED' })]);
  });

  it('says that exec URIs carry the command (command=), and claims nothing of attach or portforward', () => {
    const [note] = lint(execAtMetadata).info;
    expect(note!.message).toMatch(
      /^pods\/exec requests are logged by rules\[0\] \(Metadata\): .*`\?command=\.\.\.`/,
    );
    expect(`${note!.message} ${note!.fix}`).not.toMatch(/attach|portforward/);
  });

  it('attach and portforward logged, exec not: nothing to say (their URIs carry no command)', () => {
    const rules =
      'rules:\n- level: None\n  resources: [{group: "", resources: [pods/exec]}]\n- level: Request\n  resources: [{group: "", resources: [pods/attach, pods/portforward]}]\n- level: None\n';
    for (const strict of [false, true]) {
      const result = lint(rules, strict);
      expect([...result.warnings, ...result.info].map((d) => d.code)).not.toContain('EXEC_LOGGED');
    }
  });
});

describe('our templates: no errors, and only warnings a reviewer agrees with', () => {
  const lint = (name: string) =>
    lintPolicyText(readFileSync(path.join(REPO_ROOT, 'templates', `${name}.yaml`), 'utf8'), name);

  it('basic: exec commands reach the log at Metadata (kubernetes#97795), as information; nothing else', () => {
    const result = lint('basic');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.info.map((w) => [w.code, w.field])).toEqual([['EXEC_LOGGED', 'rules[0]']]);
  });

  it('gce: managedFields in bodies (it predates omitManagedFields), exec logged with bodies, and the one order difference', () => {
    const result = lint('gce');
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => [w.code, w.field])).toEqual([
      ['MANAGED_FIELDS_LOGGED', 'rules[10]'],
      ['RULE_OVERRIDDEN', 'rules[13]'],
    ]);
    expect(result.info.map((w) => [w.code, w.field])).toEqual([['EXEC_LOGGED', 'rules[14]']]);
    // Update bodies of node/pod status (10, 11) and every RequestResponse body (15); not the
    // deletecollection (12) or get/list/watch (14) rules at Request, whose logged requests carry no object.
    expect(result.warnings[0]!.message).toMatch(
      /^rules\[10\], rules\[11\] and rules\[15\] log object bodies/,
    );
    expect(result.info[0]!.message).toContain('rules[14] (Request) and rules[15] (RequestResponse)');
  });
});

describe('where the written order and the most specific rule part', () => {
  const find = (text: string, code: string) =>
    lintPolicyText(`${HEAD}${text}`, 'p.yaml').warnings.find((w) => w.code === code);

  it('a shadowed narrow rule: RULE_SHADOWED says what kops-audit order would change', () => {
    const shadowed = find(
      'rules:\n- level: RequestResponse\n  resources: [{group: ""}]\n- level: Metadata\n  resources: [{group: "", resources: [secrets]}]\n- level: Metadata\n',
      'RULE_SHADOWED',
    );
    expect(shadowed?.field).toBe('rules[1]');
    expect(shadowed?.message).toContain(
      'as `kops-audit order` writes the policy, it would decide requests such as',
    );
    expect(shadowed?.message).toMatch(
      /: Metadata \(omitting RequestReceived\) instead of RequestResponse \(omitting RequestReceived.*\) \(from rules\[0\]\)$/,
    );
    expect(shadowed?.fix).toMatch(/^write the policy with `kops-audit order`, or move it above rules\[0\]/);
  });

  it('a rule partly taken by a broader one written above: RULE_OVERRIDDEN, with the change', () => {
    // Secrets go to the core-group rule as written; the Secrets-and-events.k8s.io rule is as specific
    // there (neither contains the other) and quieter.
    const overridden = find(
      'rules:\n- level: RequestResponse\n  resources: [{group: ""}]\n- level: Metadata\n  resources: [{group: "", resources: [secrets]}, {group: events.k8s.io}]\n- level: Metadata\n',
      'RULE_OVERRIDDEN',
    );
    expect(overridden?.field).toBe('rules[1]');
    expect(overridden?.message).toMatch(
      /^rules\[0\], written above, takes requests such as get secrets in namespace default from rules\[1\] \(Metadata\), although the two are equally specific there/,
    );
    expect(overridden?.message).toContain(
      '`kops-audit order` would put rules[1] first and log them at Metadata',
    );
  });

  it('nothing when the written order already decides as the most specific rules', () => {
    expect(
      find(
        'rules:\n- level: Metadata\n  resources: [{group: "", resources: [secrets]}]\n- level: RequestResponse\n',
        'RULE_OVERRIDDEN',
      ),
    ).toBeUndefined();
  });
});

/**
 * Soundness: whenever lint calls a rule shadowed, no request may ever be decided by it. Random small
 * policies over a tiny vocabulary (so that overlaps are frequent) against every request of the same
 * vocabulary.
 */
describe('shadowing is sound (never claims a rule unreachable when some request reaches it)', () => {
  const USERS = ['alice', 'bob'];
  const GROUPS = ['dev', 'ops'];
  const VERBS = ['get', 'list', 'create'];
  const NAMESPACES = ['', 'default'];
  const RESOURCES: Array<[string, string, string]> = [
    ['', 'pods', ''],
    ['', 'pods', 'log'],
    ['apps', 'deployments', ''],
    ['apps', 'deployments', 'scale'],
  ];
  const NAMES = ['', 'a'];
  const PATHS = ['/healthz', '/healthz/etcd', '/metrics'];
  const PATTERNS = ['pods', 'pods/log', 'pods/*', '*', '*/scale', 'deployments', 'deployments/*'];
  const SPECS = ['/healthz', '/healthz*', '*', '/metrics'];

  function random(seed: number) {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
  }

  function someOf<T>(next: () => number, values: readonly T[]): T[] | undefined {
    if (next() < 0.5) return undefined;
    const picked = values.filter(() => next() < 0.5);
    return picked.length > 0 ? picked : undefined;
  }

  function randomRule(next: () => number): PolicyRule {
    const rule: PolicyRule = { level: 'Metadata' };
    const users = someOf(next, USERS);
    if (users) rule.users = users;
    const groups = someOf(next, GROUPS);
    if (groups) rule.userGroups = groups;
    const verbs = someOf(next, VERBS);
    if (verbs) rule.verbs = verbs;
    const kind = next();
    if (kind < 0.6) {
      const namespaces = someOf(next, NAMESPACES);
      if (namespaces) rule.namespaces = namespaces;
      if (next() < 0.8) {
        const group = next() < 0.5 ? '' : next() < 0.8 ? 'apps' : '*';
        const patterns = someOf(next, PATTERNS);
        const names = patterns ? someOf(next, NAMES) : undefined;
        rule.resources = [
          { group, ...(patterns ? { resources: patterns } : {}), ...(names ? { resourceNames: names } : {}) },
        ];
      }
    } else if (kind < 0.8) {
      rule.nonResourceURLs = someOf(next, SPECS) ?? ['*'];
    }
    return rule;
  }

  const requests: RequestAttributes[] = [];
  for (const user of USERS)
    for (const groups of [[], ['dev'], ['ops'], ['dev', 'ops']])
      for (const verb of VERBS) {
        for (const path of PATHS) requests.push({ user, groups, verb, resourceRequest: false, path });
        for (const namespace of NAMESPACES)
          for (const [apiGroup, resource, subresource] of RESOURCES)
            for (const name of NAMES)
              requests.push({
                user,
                groups,
                verb,
                resourceRequest: true,
                namespace,
                apiGroup,
                resource,
                subresource,
                name,
              });
      }

  it('over 400 random policies', () => {
    let shadowedSeen = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const rules = Array.from({ length: 2 + Math.floor(next() * 4) }, () => randomRule(next));
      const policy: Policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules };
      const shadowed = lintPolicy(policy)
        .filter((d) => d.code === 'RULE_SHADOWED')
        .map((d) => Number(/^rules\[(\d+)\]/.exec(d.field ?? '')![1]));
      shadowedSeen += shadowed.length;
      const compiled = compilePolicy(policy);
      for (const request of requests) {
        const decided = compiled.evaluate(request).rule;
        if (decided !== null && shadowed.includes(decided)) {
          throw new Error(
            `seed ${seed}: rules[${decided}] called shadowed but decides ${JSON.stringify(request)}`,
          );
        }
      }
    }
    // The generator must actually produce shadowed rules, or this test proves nothing.
    expect(shadowedSeen).toBeGreaterThan(50);
  });

  it('coverage of "everything" needs both kinds of request', () => {
    const resourcesOnly = [regionOfRule({ level: 'None', resources: [{ group: '*' }] })];
    expect(coverage({ kind: 'any' }, resourcesOnly).covered).toBe(false);
    const both = [...resourcesOnly, regionOfRule({ level: 'None', nonResourceURLs: ['*'] })];
    expect(coverage({ kind: 'any' }, both)).toEqual({ covered: true, by: [0, 1] });
  });
});
