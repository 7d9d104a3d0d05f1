import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { decodePolicy, loadPolicy, loadPolicyOrThrow } from '../../../src/policy/load.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/**
 * Loading and validation, written from kube-apiserver's reader (pkg/audit/policy/reader.go), its
 * validation (pkg/apis/audit/validation/validation.go) and research/audit.md "Loading and validation".
 */

const HEAD = 'apiVersion: audit.k8s.io/v1\nkind: Policy\n';
const VALIDATION = 'validation.go';
const READER = 'reader.go';

interface Case {
  name: string;
  rule: string;
  text: string;
  options?: { kubernetesVersion?: string };
  /** Expected error diagnostics as [code, field, line]; [] means kube-apiserver accepts the policy. */
  errors: Array<[string, string | undefined, number | undefined]>;
}

const cases: Case[] = [
  { name: 'minimal valid policy', rule: READER, text: `${HEAD}rules:\n- level: Metadata\n`, errors: [] },
  {
    name: 'level missing',
    rule: `${VALIDATION} validateLevel "" → Required`,
    text: `${HEAD}rules:\n- users: [a]\n`,
    errors: [['LEVEL_REQUIRED', 'rules[0].level', 4]],
  },
  {
    name: 'level in the wrong case',
    rule: `${VALIDATION} validateLevel → NotSupported`,
    text: `${HEAD}rules:\n- level: metadata\n`,
    errors: [['LEVEL_UNSUPPORTED', 'rules[0].level', 4]],
  },
  {
    name: 'unknown level',
    rule: `${VALIDATION} validateLevel → NotSupported`,
    text: `${HEAD}rules:\n- level: Full\n`,
    errors: [['LEVEL_UNSUPPORTED', 'rules[0].level', 4]],
  },
  {
    name: 'each of the four levels is accepted',
    rule: `${VALIDATION} validLevels`,
    text: `${HEAD}rules:\n- level: None\n- level: Metadata\n- level: Request\n- level: RequestResponse\n`,
    errors: [],
  },
  {
    name: 'null rule has no level',
    rule: `${VALIDATION} validateLevel "" → Required (null decodes to a zero rule)`,
    text: `${HEAD}rules:\n- null\n`,
    errors: [['LEVEL_REQUIRED', 'rules[0].level', 4]],
  },
  {
    name: 'nonResourceURL without leading /',
    rule: `${VALIDATION} validateNonResourceURLs: must begin with '/'`,
    text: `${HEAD}rules:\n- level: None\n  nonResourceURLs:\n  - healthz\n`,
    errors: [['NONRESOURCE_URL_NOT_ABSOLUTE', 'rules[0].nonResourceURLs[0]', 6]],
  },
  {
    name: 'nonResourceURL "*" alone is fine',
    rule: `${VALIDATION} validateNonResourceURLs: url == "*" → continue`,
    text: `${HEAD}rules:\n- level: None\n  nonResourceURLs: ["*"]\n`,
    errors: [],
  },
  {
    name: 'nonResourceURL with * in the middle',
    rule: `${VALIDATION} validateNonResourceURLs: '*' must be final`,
    text: `${HEAD}rules:\n- level: None\n  nonResourceURLs: ["/a/*/b"]\n`,
    errors: [['NONRESOURCE_URL_WILDCARD', 'rules[0].nonResourceURLs[0]', 5]],
  },
  {
    name: 'nonResourceURL "**" has a * before the last character',
    rule: `${VALIDATION} ContainsRune(url[:len-1], '*')`,
    text: `${HEAD}rules:\n- level: None\n  nonResourceURLs: ["/a**"]\n`,
    errors: [['NONRESOURCE_URL_WILDCARD', 'rules[0].nonResourceURLs[0]', 5]],
  },
  {
    name: 'one URL can fail both URL checks',
    rule: `${VALIDATION} validateNonResourceURLs: two independent checks`,
    text: `${HEAD}rules:\n- level: None\n  nonResourceURLs:\n  - "a*b"\n`,
    errors: [
      ['NONRESOURCE_URL_NOT_ABSOLUTE', 'rules[0].nonResourceURLs[0]', 6],
      ['NONRESOURCE_URL_WILDCARD', 'rules[0].nonResourceURLs[0]', 6],
    ],
  },
  {
    name: 'empty nonResourceURL',
    rule: `${VALIDATION} validateNonResourceURLs: "" does not begin with '/'`,
    text: `${HEAD}rules:\n- level: None\n  nonResourceURLs: [""]\n`,
    errors: [['NONRESOURCE_URL_NOT_ABSOLUTE', 'rules[0].nonResourceURLs[0]', 5]],
  },
  {
    name: 'nonResourceURLs with resources',
    rule: `${VALIDATION} "rules cannot apply to both regular resources and non-resource URLs"`,
    text: `${HEAD}rules:\n- level: None\n  nonResourceURLs: ["/x"]\n  resources: [{group: ""}]\n`,
    errors: [['NONRESOURCE_URLS_WITH_RESOURCES', 'rules[0].nonResourceURLs', 5]],
  },
  {
    name: 'nonResourceURLs with namespaces',
    rule: `${VALIDATION} "rules cannot apply to both..." (namespaces)`,
    text: `${HEAD}rules:\n- level: None\n  namespaces: [""]\n  nonResourceURLs: ["/x"]\n`,
    errors: [['NONRESOURCE_URLS_WITH_RESOURCES', 'rules[0].nonResourceURLs', 6]],
  },
  {
    name: 'group with a version',
    rule: `${VALIDATION} validateResources: NameIsDNSSubdomain`,
    text: `${HEAD}rules:\n- level: None\n  resources:\n  - group: apps\n  - group: rbac.authorization.k8s.io/v1\n`,
    errors: [['GROUP_INVALID', 'rules[0].resources[1].group', 7]],
  },
  {
    name: 'upper-case group',
    rule: `${VALIDATION} validateResources: lower-case DNS subdomain`,
    text: `${HEAD}rules:\n- level: None\n  resources: [{group: Apps}]\n`,
    errors: [['GROUP_INVALID', 'rules[0].resources[0].group', 5]],
  },
  {
    name: 'group longer than 253 characters',
    rule: `${VALIDATION} IsDNS1123Subdomain max length 253`,
    text: `${HEAD}rules:\n- level: None\n  resources: [{group: ${'a'.repeat(254)}}]\n`,
    errors: [['GROUP_INVALID', 'rules[0].resources[0].group', 5]],
  },
  {
    name: '"v1" is a valid DNS name, so validation accepts it',
    rule: `${VALIDATION} only checks DNS-1123 form`,
    text: `${HEAD}rules:\n- level: None\n  resources: [{group: v1}]\n`,
    errors: [],
  },
  {
    name: 'group "*" accepted on 1.36',
    rule: 'research/audit.md: `*` allowed 1.36+',
    text: `${HEAD}rules:\n- level: None\n  resources: [{group: "*"}]\n`,
    options: { kubernetesVersion: '1.36' },
    errors: [],
  },
  {
    name: 'group "*" refused before 1.36',
    rule: 'research/audit.md: `*` allowed 1.36+ (DNS-1123 check before)',
    text: `${HEAD}rules:\n- level: None\n  resources: [{group: "*"}]\n`,
    options: { kubernetesVersion: '1.35' },
    errors: [['GROUP_WILDCARD_UNSUPPORTED', 'rules[0].resources[0].group', 5]],
  },
  {
    name: 'resourceNames without resources',
    rule: `${VALIDATION} "using resourceNames requires at least one resource"`,
    text: `${HEAD}rules:\n- level: None\n  resources:\n  - group: ""\n    resourceNames: [x]\n`,
    errors: [['RESOURCE_NAMES_WITHOUT_RESOURCES', 'rules[0].resources[0].resourceNames', 7]],
  },
  {
    name: 'invalid rule omitStage',
    rule: `${VALIDATION} validateOmitStages (rule)`,
    text: `${HEAD}rules:\n- level: None\n  omitStages: [RequestReceived, ResponseFinished]\n`,
    errors: [['STAGE_UNSUPPORTED', 'rules[0].omitStages[1]', 5]],
  },
  {
    name: 'invalid policy omitStage',
    rule: `${VALIDATION} validateOmitStages (policy)`,
    text: `${HEAD}omitStages:\n- requestReceived\nrules:\n- level: None\n`,
    errors: [['STAGE_UNSUPPORTED', 'omitStages[0]', 4]],
  },
  {
    name: 'all four stages are accepted',
    rule: `${VALIDATION} validOmitStages`,
    text: `${HEAD}omitStages: [RequestReceived, ResponseStarted, ResponseComplete, Panic]\nrules:\n- level: None\n`,
    errors: [],
  },
  {
    name: 'zero rules',
    rule: `${READER} "loaded illegal policy with 0 rules"`,
    text: `${HEAD}rules: []\n`,
    errors: [['NO_RULES', 'rules', 3]],
  },
  {
    name: 'rules absent',
    rule: `${READER} "loaded illegal policy with 0 rules"`,
    text: HEAD,
    errors: [['NO_RULES', 'rules', undefined]],
  },
  {
    name: 'errors in several rules all reported in one pass',
    rule: `${VALIDATION} field.ErrorList aggregated`,
    text: `${HEAD}rules:\n- level: Foo\n- level: None\n  nonResourceURLs: [x]\n- {}\n`,
    errors: [
      ['LEVEL_UNSUPPORTED', 'rules[0].level', 4],
      ['NONRESOURCE_URL_NOT_ABSOLUTE', 'rules[1].nonResourceURLs[0]', 6],
      ['LEVEL_REQUIRED', 'rules[2].level', 7],
    ],
  },
  {
    name: 'users, verbs, namespaces and resource strings are not validated',
    rule: `${VALIDATION} has no checks for them`,
    text: `${HEAD}rules:\n- level: None\n  users: ["*"]\n  verbs: [GET]\n  namespaces: [""]\n  resources: [{resources: ["pods/*/x"]}]\n`,
    errors: [],
  },
  {
    name: 'apiVersion v1beta1 refused on current versions',
    rule: 'research/audit.md: v1beta1 removed in 1.24',
    text: 'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n',
    errors: [['API_VERSION_REMOVED', 'apiVersion', 1]],
  },
  {
    name: 'apiVersion v1alpha1 refused on current versions',
    rule: 'research/audit.md: v1alpha1 removed in 1.24',
    text: 'apiVersion: audit.k8s.io/v1alpha1\nkind: Policy\nrules:\n- level: None\n',
    errors: [['API_VERSION_REMOVED', 'apiVersion', 1]],
  },
  {
    name: 'apiVersion v1beta1 accepted (deprecated) on 1.23',
    rule: `${READER} apiGroupVersions before 1.24`,
    text: 'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n',
    options: { kubernetesVersion: '1.23' },
    errors: [],
  },
  {
    name: 'apiVersion missing',
    rule: `${READER} "unknown group version field"`,
    text: 'kind: Policy\nrules:\n- level: None\n',
    errors: [['API_VERSION_MISSING', 'apiVersion', undefined]],
  },
  {
    name: 'foreign apiVersion',
    rule: `${READER} apiGroupVersionSet`,
    text: 'apiVersion: v1\nkind: Policy\nrules:\n- level: None\n',
    errors: [['API_VERSION_UNKNOWN', 'apiVersion', 1]],
  },
  {
    // The decoder defaults an empty kind from the type it decodes into (apimachinery
    // runtime/serializer/json gvkWithDefaults); reader.go then checks only group and version.
    name: 'kind missing: accepted, with a warning',
    rule: 'json.go gvkWithDefaults fills Kind; reader.go apiGroupVersionSet',
    text: 'apiVersion: audit.k8s.io/v1\nrules:\n- level: None\n',
    errors: [],
  },
  {
    name: 'wrong kind',
    rule: 'universal decoder: kind must be registered',
    text: 'apiVersion: audit.k8s.io/v1\nkind: AuditPolicy\nrules:\n- level: None\n',
    errors: [['KIND_UNKNOWN', 'kind', 2]],
  },
  {
    name: 'empty file',
    rule: `${READER} decoding fails`,
    text: '# only a comment\n',
    errors: [['EMPTY_POLICY', undefined, undefined]],
  },
  {
    name: 'YAML syntax error',
    rule: `${READER} "failed decoding"`,
    text: `${HEAD}rules:\n- level: None: x\n`,
    errors: [['YAML_SYNTAX', undefined, 4]],
  },
  {
    name: 'scalar where a list is expected',
    rule: 'json decoding: cannot unmarshal string into []string',
    text: `${HEAD}rules:\n- level: None\n  verbs: get\n`,
    errors: [['WRONG_TYPE', 'rules[0].verbs', 5]],
  },
  {
    name: 'number where a string is expected',
    rule: 'json decoding: cannot unmarshal number into string',
    text: `${HEAD}rules:\n- level: None\n  users: [42]\n`,
    errors: [['WRONG_TYPE', 'rules[0].users[0]', 5]],
  },
  {
    name: 'YAML 1.1 "yes" is a boolean, not a string',
    rule: 'sigs.k8s.io/yaml (go-yaml v2, YAML 1.1)',
    text: `${HEAD}rules:\n- level: None\n  users: [yes]\n`,
    errors: [['WRONG_TYPE', 'rules[0].users[0]', 5]],
  },
  {
    name: 'quoted "true" is not a boolean',
    rule: 'json decoding: cannot unmarshal string into bool',
    text: `${HEAD}omitManagedFields: "true"\nrules:\n- level: None\n`,
    errors: [['WRONG_TYPE', 'omitManagedFields', 3]],
  },
  {
    name: 'rules is an object',
    rule: 'json decoding: cannot unmarshal object into []PolicyRule',
    text: `${HEAD}rules:\n  level: None\n`,
    errors: [['WRONG_TYPE', 'rules', 3]],
  },
  {
    name: 'JSON policy',
    rule: `${READER} decodes JSON as well as YAML`,
    text: '{"apiVersion": "audit.k8s.io/v1", "kind": "Policy",\n "rules": [{"level": "Request", "verbs": ["get"]}]}',
    errors: [],
  },
  {
    name: 'JSON policy with an invalid level has the line',
    rule: `${VALIDATION} validateLevel`,
    text: '{"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [\n  {"level": "None"},\n  {"level": "Everything"}\n]}',
    errors: [['LEVEL_UNSUPPORTED', 'rules[1].level', 3]],
  },
  {
    name: 'omitManagedFields null on a rule is fine',
    rule: 'types.go OmitManagedFields *bool',
    text: `${HEAD}rules:\n- level: Request\n  omitManagedFields: null\n`,
    errors: [],
  },
];

describe('loadPolicy: validation as kube-apiserver', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$name ($rule)', ({ text, options, errors }) => {
    const result = loadPolicy(text, 'policy.yaml', options);
    const found = result.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => [d.code, d.field, d.line] as [string, string | undefined, number | undefined]);
    expect(found).toEqual(errors);
    expect(result.loaded === undefined).toBe(errors.length > 0);
  });
});

describe('loadPolicy: warnings (strict-decoding problems kube-apiserver only logs)', () => {
  it('an unknown field is a warning that names the likely typo and its effect', () => {
    const result = loadPolicy(`${HEAD}rules:\n- level: None\n  verb: [get]\n`, 'p.yaml');
    expect(result.loaded).toBeDefined();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'UNKNOWN_FIELD',
        field: 'rules[0].verb',
        line: 5,
        fix: 'rename "verb" to "verbs"',
      }),
    ]);
    expect(result.diagnostics[0]!.message).toContain('matches every verb');
    // The typo is dropped: the rule matches every verb.
    expect(result.loaded!.policy.rules[0]!.verbs).toBeUndefined();
  });

  it('JSON keys are case-sensitive: "Level" is unknown and the level is missing', () => {
    const result = loadPolicy(
      '{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"Level":"None"}]}',
      'p.json',
    );
    expect(result.diagnostics.map((d) => d.code)).toEqual(['UNKNOWN_FIELD', 'LEVEL_REQUIRED']);
  });

  it('a duplicate key is a warning and the last value wins', () => {
    const result = loadPolicy(`${HEAD}rules:\n- level: None\n  level: Metadata\n`, 'p.yaml');
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_KEY', field: 'rules[0].level', line: 5 }),
    ]);
    expect(result.loaded!.policy.rules[0]!.level).toBe('Metadata');
  });

  it('v1beta1 on Kubernetes 1.21–1.23 is accepted with a deprecation warning', () => {
    const result = loadPolicy(
      'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n',
      'p.yaml',
      {
        kubernetesVersion: '1.22',
      },
    );
    expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['warning', 'API_VERSION_DEPRECATED'],
    ]);
  });

  it('before Kubernetes 1.23 omitManagedFields is an unknown field, dropped (types.go: added in 1.23)', () => {
    const text = `${HEAD}omitManagedFields: true\nrules:\n- level: Request\n  omitManagedFields: false\n`;
    const old = loadPolicy(text, 'p.yaml', { kubernetesVersion: '1.22' });
    expect(old.diagnostics.map((d) => [d.code, d.field])).toEqual([
      ['UNKNOWN_FIELD', 'omitManagedFields'],
      ['UNKNOWN_FIELD', 'rules[0].omitManagedFields'],
    ]);
    expect(old.loaded!.policy.omitManagedFields).toBeUndefined();
    expect(old.loaded!.policy.rules[0]!.omitManagedFields).toBeUndefined();
    const current = loadPolicy(text, 'p.yaml', { kubernetesVersion: '1.23' });
    expect(current.diagnostics).toEqual([]);
    expect(current.loaded!.policy.rules[0]!.omitManagedFields).toBe(false);
  });

  it('only the first YAML document is read; a second one is a warning', () => {
    const result = loadPolicy(
      `${HEAD}rules:\n- level: None\n---\n${HEAD}rules:\n- level: Metadata\n`,
      'p.yaml',
    );
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'MULTIPLE_DOCUMENTS', line: 5 })]);
    expect(result.loaded!.policy.rules[0]!.level).toBe('None');
  });

  it('YAML anchors and merge keys are resolved', () => {
    const text = `${HEAD}rules:\n- &base\n  level: None\n  users: [a]\n- <<: *base\n  level: Metadata\n`;
    const result = loadPolicy(text, 'p.yaml');
    expect(result.diagnostics).toEqual([]);
    expect(result.loaded!.policy.rules[1]).toEqual({ level: 'Metadata', users: ['a'] });
  });

  // go-yaml v2 decode.go mapping(): a merge applies where it stands, so it overrides the keys
  // before it; in a list of merged maps (merge()) the first one wins.
  it('a merge key overrides the keys before it, and the first of a list of maps wins', () => {
    const after = `${HEAD}rules:
- level: Metadata
  <<: {level: metadata}
`;
    expect(loadPolicy(after, 'p.yaml').diagnostics).toEqual([
      expect.objectContaining({ code: 'LEVEL_UNSUPPORTED', severity: 'error' }),
    ]);
    const list = `${HEAD}rules:
- <<: [{level: None}, {level: Request}]
  users: [a]
`;
    expect(loadPolicy(list, 'p.yaml').loaded!.policy.rules[0]).toEqual({ level: 'None', users: ['a'] });
  });
});

describe('loadPolicyOrThrow', () => {
  it('throws one PolicyError naming the file, line and field, carrying every diagnostic', () => {
    let caught: unknown;
    try {
      loadPolicyOrThrow(`${HEAD}rules:\n- level: metadata\n- level: Nope\n`, 'my-policy.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    const error = caught as PolicyError;
    expect(error.message).toBe('my-policy.yaml:4: kube-apiserver would refuse this audit policy (2 errors).');
    expect(error.source).toBe('my-policy.yaml');
    expect(error.diagnostics.map((d) => [d.field, d.line])).toEqual([
      ['rules[0].level', 4],
      ['rules[1].level', 5],
    ]);
  });
});

describe('our templates', () => {
  it.each(['basic', 'gce'])('templates/%s.yaml loads with no diagnostics at all', (name) => {
    const text = readFileSync(path.join(REPO_ROOT, 'templates', `${name}.yaml`), 'utf8');
    const result = loadPolicy(text, name);
    expect(result.diagnostics).toEqual([]);
    expect(result.loaded?.map.ruleLines.length).toBe(result.loaded?.policy.rules.length);
  });

  it('maps rules to the lines they start on', () => {
    const result = decodePolicy(
      `${HEAD}rules:\n\n- level: None\n  users: [a]\n- level: Metadata\n`,
      'p.yaml',
    );
    expect(result.map.ruleLines).toEqual([5, 7]);
    expect(result.map.lineOf('rules[0].users[0]')).toBe(6);
    expect(result.map.lineOf('rules[1].verbs')).toBe(7);
  });
});

// checker.go: a resources entry with no `resources` matches every resource and subresource of its
// group ("" or absent: the core group). A typo that leaves an entry without them widens the rule.
describe('loadPolicy: an unknown field in a resources entry says what it does (issue 11)', () => {
  const warning = (rule: string) => {
    const result = loadPolicy(`${HEAD}rules:\n${rule}- level: Metadata\n`, 'p.yaml');
    expect(result.loaded).toBeDefined();
    const unknown = result.diagnostics.filter((d) => d.code === 'UNKNOWN_FIELD');
    expect(unknown).toHaveLength(1);
    return unknown[0]!;
  };

  it('`resource:` for resources: the whole group, at the rule level', () => {
    const d = warning('- level: Request\n  resources:\n  - group: apps\n    resource: [deployments]\n');
    expect(d).toMatchObject({
      field: 'rules[0].resources[0].resource',
      line: 7,
      fix: 'rename "resource" to "resources"',
    });
    expect(d.message).toBe(
      'unknown field "resource" (did you mean "resources"?): kube-apiserver drops it with only a log warning; without `resources` this entry matches every resource and subresource of the apps group, so every request for them that reaches rules[0] now lands at its level, Request',
    );
  });

  it('`username:` in an entry with no group: all of the core group, and None means not logged', () => {
    const d = warning(
      '- level: None\n  verbs: [get]\n  resources:\n  - username: system:serviceaccount:kube-system:x\n',
    );
    expect(d.message).toContain(
      'every resource and subresource of the core group (no group is given), so every request for them that reaches rules[0] now lands at its level, None (not logged)',
    );
  });

  it('group "" written out is the core group too', () => {
    const d = warning('- level: Metadata\n  resources:\n  - group: ""\n    resource: [pods]\n');
    expect(d.message).toContain('of the core group, so every request');
  });

  it('a rule field written in the entry (`verbs:`) restricts nothing: move it up', () => {
    const d = warning(
      '- level: RequestResponse\n  resources:\n  - group: ""\n    resources: [pods]\n    verbs: [create]\n',
    );
    expect(d.message).toContain(
      '; it is a field of the rule, not of a resources entry, so rules[0] is not limited by it and matches every verb',
    );
    expect(d.fix).toBe('move "verbs" up into rules[0], beside its resources');
  });

  it("a typo beside the entry's resources widens nothing (resourceName: says every name, as before)", () => {
    const d = warning(
      '- level: Metadata\n  resources:\n  - group: ""\n    resources: [configmaps]\n    resourceName: [a]\n',
    );
    expect(d.message).toContain('matches every name');
    expect(d.message).not.toContain('without `resources`');
  });
});
