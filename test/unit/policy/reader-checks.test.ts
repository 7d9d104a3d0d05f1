/**
 * What kube-apiserver's readers refuse before the policy rules apply (pkg/audit/policy/reader.go
 * decodes with the universal decoder): a file starting with `{` goes to the JSON decoder only
 * (apimachinery util/yaml IsJSONBuffer, no YAML fallback); anything else to go-yaml, which refuses
 * control characters anywhere (readerc.go) and excessive aliasing (decode.go allowedAliasRatio).
 */
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/policy/load.js';

const HEAD = 'apiVersion: audit.k8s.io/v1\nkind: Policy\n';
const errors = (text: string) => loadPolicy(text, 'p.yaml').diagnostics.filter((d) => d.severity === 'error');

describe('a policy that starts with {', () => {
  it('is read as JSON: valid JSON loads', () => {
    expect(
      errors('{"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [{"level": "Metadata"}]}'),
    ).toEqual([]);
  });

  it.each([
    [
      'a trailing comma',
      '{"apiVersion": "audit.k8s.io/v1",\n "kind": "Policy",\n "rules": [{"level": "Metadata"},]\n}',
      3,
    ],
    [
      'a comment',
      '{"apiVersion": "audit.k8s.io/v1",\n # audit everything\n "kind": "Policy", "rules": [{"level": "Metadata"}]}',
      2,
    ],
    ['YAML flow style', '{apiVersion: audit.k8s.io/v1, kind: Policy, rules: [{level: Metadata}]}', 1],
  ])('with %s is refused, at its line (the YAML parser would have taken it)', (_, text, line) => {
    const [error] = errors(text);
    expect(error).toMatchObject({
      line,
      message: expect.stringMatching(/^not valid JSON: .*read as JSON only/),
    });
  });
});

describe('characters go-yaml refuses', () => {
  it.each([
    ['U+0001', '\u0001'],
    ['U+0000', '\u0000'],
    ['U+007F (DEL)', '\u007f'],
    ['U+0085 is allowed (NEL), U+0086 is not', '\u0086'],
    ['a byte order mark after the start', '\ufeff'],
  ])('%s in a comment stops it, with the line', (_, char) => {
    const [error] = errors(`${HEAD}# owner: platform team ${char}\nrules:\n- level: Metadata\n`);
    expect(error).toMatchObject({ line: 3, message: expect.stringContaining('control character') });
  });

  it('tabs, line breaks, accents and a leading byte order mark are fine', () => {
    expect(errors(`\ufeff${HEAD}# équipe\tplateforme\r\nrules:\n- level: Metadata\n`)).toEqual([]);
  });
});

describe('aliases', () => {
  it('a few anchors and aliases are fine', () => {
    const text = `${HEAD}rules:\n- level: None\n  users: &system [system:kube-proxy, system:apiserver]\n- level: Request\n  users: *system\n- level: Metadata\n`;
    expect(errors(text)).toEqual([]);
  });

  // Expanded, a million nodes (each level ten times the one before); go-yaml stops long before.
  it('a "billion laughs" file is refused at once instead of expanded', () => {
    const levels = ['  a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 5; i++)
      levels.push(
        `  a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const text = `${HEAD}metadata:\n  annotations:\n${levels.join('\n')}\nrules:\n- level: Metadata\n`;
    const [error] = errors(text);
    expect(error?.message).toContain('excessive aliasing');
  });
});

describe('type meta', () => {
  // v1.Policy embeds metav1.ObjectMeta: a wrong type there fails decoding like anywhere else.
  it.each([
    ['name: 5', 'metadata.name'],
    ['labels: {version: 1}', 'metadata.labels.version'],
    ['labels: [a]', 'metadata.labels'],
    ['creationTimestamp: 2024-01-02', 'metadata.creationTimestamp'],
    ['generation: "2"', 'metadata.generation'],
  ])('metadata %s is refused', (meta, field) => {
    expect(errors(`${HEAD}metadata: {${meta}}\nrules:\n- level: Metadata\n`)).toEqual([
      expect.objectContaining({ code: 'WRONG_TYPE', field }),
    ]);
  });

  it('ordinary metadata loads', () => {
    const meta =
      'name: audit, labels: {team: platform}, creationTimestamp: "2024-01-02T03:04:05Z", annotations: ~';
    expect(errors(`${HEAD}metadata: {${meta}}\nrules:\n- level: Metadata\n`)).toEqual([]);
  });

  it('a missing kind is only a warning: the decoder fills it in (json.go gvkWithDefaults)', () => {
    const { diagnostics } = loadPolicy('apiVersion: audit.k8s.io/v1\nrules:\n- level: Metadata\n', 'p.yaml');
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'KIND_MISSING' })]);
  });
});

// go-yaml v2 resolve.go, not YAML 1.1 to the letter: what a plain scalar in a string field becomes.
describe('plain scalars as go-yaml reads them', () => {
  const users = (value: string) =>
    errors(`${HEAD}rules:\n- level: None\n  users: [${value}]\n- level: Metadata\n`);
  it.each(['0o17', '0O17', '0X1F', '0B101', '012', '0x_1f', '1_000', '-12', '1e3', '.5', '08'])(
    '%s is a number (strconv.ParseInt base 0, or the float pattern), which a string field refuses',
    (value) => {
      expect(users(value)).toEqual([
        expect.objectContaining({ code: 'WRONG_TYPE', field: 'rules[0].users[0]' }),
      ]);
    },
  );
  it.each(['1:20', '.', '0x', '2024-01-02', 'system:anonymous', '"0o17"', "'12'"])(
    '%s is a string',
    (value) => {
      expect(users(value)).toEqual([]);
    },
  );
  it.each(['yes', 'On', 'n'])('%s is a boolean, not a string', (value) => {
    expect(users(value)).toEqual([expect.objectContaining({ code: 'WRONG_TYPE' })]);
  });
});

describe('apiVersion and kind in another case', () => {
  // reader.go's decoder reads them with encoding/json, which matches keys case-insensitively; the
  // strict decode then fails on the unknown field and the lenient one loads the policy.
  it('APIVersion: and Kind: are found (with unknown-field warnings), as kube-apiserver finds them', () => {
    const { diagnostics, loaded } = loadPolicy(
      'APIVersion: audit.k8s.io/v1\nKind: Policy\nrules:\n- level: Metadata\n',
      'p.yaml',
    );
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['UNKNOWN_FIELD', 'UNKNOWN_FIELD']);
    expect(loaded?.policy.apiVersion).toBe('audit.k8s.io/v1');
  });
});

describe('the fix for a YAML 1.1 value in a string field', () => {
  // `no` is false and 0777 is 511 to YAML 1.1: the fix must quote what was written, not the value.
  it.each([
    ['no', '"no"'],
    ['0777', '"0777"'],
    ['0x1F', '"0x1F"'],
  ])('namespaces: [%s] says to write %s', (written, quoted) => {
    const [error] = errors(`${HEAD}rules:\n- level: None\n  namespaces: [${written}]\n- level: Metadata\n`);
    expect(error).toMatchObject({ code: 'WRONG_TYPE', fix: `quote it: ${quoted}` });
  });
});

describe('lint details', () => {
  it('audit.k8s.io/v1 is refused before Kubernetes 1.12, which knew only v1beta1 and v1alpha1', () => {
    const text = `${HEAD}rules:\n- level: Metadata\n`;
    const at = (version: string) =>
      loadPolicy(text, 'p.yaml', { kubernetesVersion: version }).diagnostics.filter(
        (d) => d.severity === 'error',
      );
    expect(at('1.11')).toEqual([expect.objectContaining({ code: 'API_VERSION_UNKNOWN' })]);
    expect(at('1.12')).toEqual([]);
  });

  it('a misspelt selector beside the right one does not claim the rule matches everything', () => {
    const text = `${HEAD}rules:\n- level: Metadata\n  resources:\n  - group: ""\n    resources: [pods]\n    resource: [x]\n`;
    const [warning] = loadPolicy(text, 'p.yaml').diagnostics.filter((d) => d.code === 'UNKNOWN_FIELD');
    expect(warning?.message).not.toContain('matches every');
    expect(warning?.fix).toBe('remove "resource" (resources is already given)');
  });
});

// reader.go: the decoder refuses a file whose apiVersion or kind it does not know before it reads
// anything else, so once they are refused there is nothing more to say (issue 11).
describe('a refused apiVersion or kind is the end of it', () => {
  const all = (text: string) => loadPolicy(text, 'p.yaml').diagnostics.map((d) => [d.severity, d.code]);

  it('no apiVersion, no kind: the missing apiVersion only (not "kube-apiserver takes it as a Policy")', () => {
    expect(all('rules:\n- level: Metadata\n  verb: [get]\n')).toEqual([['error', 'API_VERSION_MISSING']]);
  });

  it('an AuditSink: its apiVersion and kind, no NO_RULES, no unknown fields, no second-document warning', () => {
    const sink =
      'apiVersion: auditregistration.k8s.io/v1alpha1\nkind: AuditSink\nmetadata:\n  name: s\nspec:\n  policy: {level: Metadata}\n---\nkind: AuditSink\n';
    expect(all(sink)).toEqual([
      ['error', 'API_VERSION_UNKNOWN'],
      ['error', 'KIND_UNKNOWN'],
    ]);
  });

  it('a removed v1beta1 policy with a typo and a duplicate key: the apiVersion only', () => {
    const text =
      'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: Metadata\n  verb: [get]\n  verb: [list]\n';
    expect(all(text)).toEqual([['error', 'API_VERSION_REMOVED']]);
  });

  it('a wrong kind with no rules: the kind only', () => {
    expect(all('apiVersion: audit.k8s.io/v1\nkind: AuditPolicy\nextra: 1\n')).toEqual([
      ['error', 'KIND_UNKNOWN'],
    ]);
  });

  it('a missing kind beside a good apiVersion is still the warning, and the rest is read', () => {
    expect(all('apiVersion: audit.k8s.io/v1\nextra: 1\nrules: []\n')).toEqual([
      ['warning', 'UNKNOWN_FIELD'],
      ['warning', 'KIND_MISSING'],
      ['error', 'NO_RULES'],
    ]);
  });
});

// go-yaml (sigs.k8s.io/yaml under reader.go) stops at the first syntax error: kube-apiserver reports
// that one, so lint does too, at the line of the text it concerns (issue 11).
describe('a YAML syntax error', () => {
  const broken = [
    'apiVersion: audit.k8s.io/v1',
    'kind: Policy',
    'rules:',
    '   - level: RequestResponse',
    '     resources:',
    '     - group: ""',
    '      # a comment, indented like the line below',
    '',
    '      resources: ["pods"]',
    '  - level: None',
    '   users: ["admin"]',
    '     verbs: [get]',
  ];
  const syntax = (text: string) =>
    loadPolicy(text, 'p.yaml').diagnostics.map((d) => [d.severity, d.code, d.line]);

  it('is reported once, for the earliest problem, at its line, not at the comment before it', () => {
    expect(syntax(`${broken.join('\n')}\n`)).toEqual([['error', 'YAML_SYNTAX', 9]]);
  });

  it('the same with Windows line endings', () => {
    expect(syntax(`${broken.join('\r\n')}\r\n`)).toEqual([['error', 'YAML_SYNTAX', 9]]);
  });

  it('a stray line after the policy is the line itself', () => {
    expect(syntax(`${HEAD}rules:\n- level: Metadata\nEOF\n`)).toEqual([['error', 'YAML_SYNTAX', 5]]);
  });
});
