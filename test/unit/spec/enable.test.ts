/**
 * The rules of `enable` and `disable` from issue 2, one test each, on small specs. kops facts:
 * shared/research/kops.md; YAML 1.1 and round-trip facts: shared/research/ecosystem.md §yaml.
 */
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ConflictError, SpecError, UsageError } from '../../../src/errors.js';
import { type EnableOptions, planDisable, planEnable } from '../../../src/plan/plan.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';
import { basicPolicy, exampleSpec, handWrittenSetup, kopsSpec, kubeconfig } from './fixtures.js';

const enable = (text: string, options: Partial<EnableOptions> = {}) =>
  planEnable(text, { source: 'cluster.yaml', policy: basicPolicy, backend: 'log', ...options });
const v = (text: string) => parseKopsVersion(text)!;

interface ClusterObject {
  spec: {
    kubeAPIServer?: Record<string, unknown>;
    fileAssets?: { name: string; path: string; roles: string[]; content: string; mode?: unknown }[];
  };
}
function cluster(text: string): ClusterObject {
  return parseAllDocuments(text, { version: '1.1' })[0]!.toJS() as ClusterObject;
}
const asset = (text: string, name: string) => cluster(text).spec.fileAssets?.find((a) => a.name === name);

describe('enable: what is written', () => {
  it('adds the policy as a block literal file asset and the CIS audit fields, as added lines only', () => {
    const plan = enable(exampleSpec);
    expect(plan.changed).toBe(true);
    expect(diffLines(exampleSpec, plan.after).filter((p) => p.removed)).toEqual([]);
    expect(plan.after).toContain('      content: |\n');
    expect(cluster(plan.after).spec.kubeAPIServer).toMatchObject({
      auditLogPath: '/var/log/kube-apiserver-audit.log',
      auditLogMaxAge: 30,
      auditLogMaxBackups: 10,
      auditLogMaxSize: 100,
      auditPolicyFile: '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml',
      oidcClientID: 'kubernetes',
    });
    const policy = asset(plan.after, 'kops-audit-policy')!;
    expect(policy.path).toBe('/srv/kubernetes/kube-apiserver/audit/policy-config.yaml');
    expect(policy.content.endsWith(basicPolicy.text)).toBe(true);
    expect(policy.mode).toBeUndefined();
  });

  it('keeps comments, key order and the other documents byte for byte', () => {
    const plan = enable(exampleSpec);
    expect(plan.after.startsWith('# Cluster spec for prod-eu1')).toBe(true);
    // The comment above oidcClientID still sits right above it.
    expect(plan.after).toContain(
      '    # OIDC login for engineers through the company IdP.\n    oidcClientID: kubernetes\n',
    );
    const tail = exampleSpec.slice(exampleSpec.indexOf('---'));
    expect(plan.after.endsWith(tail)).toBe(true);
  });

  it("writes lists in the file's own indentation", () => {
    // examples/cluster.yaml indents lists under their key; kops' own output does not.
    expect(enable(exampleSpec).after).toContain('      roles:\n        - Master\n        - ControlPlane\n');
    const kops = enable(kopsSpec()).after;
    expect(kops).toContain('  fileAssets:\n  - name: kops-audit-policy\n');
    expect(kops).toContain('    roles:\n    - Master\n    - ControlPlane\n');
  });

  it('creates spec.kubeAPIServer when absent, in sorted position', () => {
    const after = enable(kopsSpec()).after;
    expect(after.indexOf('  kubeAPIServer:')).toBeGreaterThan(after.indexOf('  fileAssets:'));
    expect(after.indexOf('  kubeAPIServer:')).toBeLessThan(after.indexOf('  kubernetesVersion:'));
  });

  it('without --kops-version ships the policy to Master and ControlPlane (kops.md §2)', () => {
    expect(asset(enable(kopsSpec()).after, 'kops-audit-policy')!.roles).toEqual(['Master', 'ControlPlane']);
  });

  it("with --kops-version uses that version's role name", () => {
    expect(asset(enable(kopsSpec(), { kopsVersion: v('1.25.3') }).after, 'kops-audit-policy')!.roles).toEqual(
      ['Master'],
    );
    expect(asset(enable(kopsSpec(), { kopsVersion: v('1.28.0') }).after, 'kops-audit-policy')!.roles).toEqual(
      ['ControlPlane'],
    );
  });

  it('adds APIServer when an instance group has that role', () => {
    const spec = `${kopsSpec()}---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: apiserver\nspec:\n  role: APIServer\n`;
    expect(asset(enable(spec).after, 'kops-audit-policy')!.roles).toEqual([
      'Master',
      'ControlPlane',
      'APIServer',
    ]);
  });

  it('honours --log-path, --max-*, --log-format and --policy-path', () => {
    const after = enable(kopsSpec(), {
      logPath: '/var/log/audit/kube.log',
      maxAge: 90,
      maxBackups: 20,
      maxSize: 200,
      logFormat: 'legacy',
      kopsVersion: v('1.28.0'),
      policyPath: '/etc/kubernetes/audit/policy.yaml',
    }).after;
    expect(cluster(after).spec.kubeAPIServer).toEqual({
      auditLogFormat: 'legacy',
      auditLogMaxAge: 90,
      auditLogMaxBackups: 20,
      auditLogMaxSize: 200,
      auditLogPath: '/var/log/audit/kube.log',
      auditPolicyFile: '/etc/kubernetes/audit/policy.yaml',
    });
    expect(asset(after, 'kops-audit-policy')!.path).toBe('/etc/kubernetes/audit/policy.yaml');
  });

  it('refuses a --policy-path beside the audit log where kops mounts both directories, and an unclean one', () => {
    const v127 = { kopsVersion: v('1.27.0') };
    expect(() =>
      enable(kopsSpec(), {
        ...v127,
        policyPath: '/var/log/audit/policy.yaml',
        logPath: '/var/log/audit/audit.log',
      }),
    ).toThrow(/two volumes with one mount path/);
    expect(() => enable(kopsSpec(), { ...v127, policyPath: '/etc/kubernetes/audit/' })).toThrow(UsageError);
    expect(() =>
      enable(kopsSpec(), {
        kopsVersion: v('1.23.0'),
        policyPath: '/srv/kubernetes/kube-apiserver/../../../etc/x.yaml',
      }),
    ).toThrow(/kops reads it as \/etc\/x\.yaml/);
  });

  it('refuses a relative or unmounted --policy-path', () => {
    expect(() => enable(kopsSpec(), { policyPath: 'audit/policy.yaml' })).toThrow(UsageError);
    expect(() => enable(kopsSpec(), { policyPath: '/etc/kubernetes/audit/policy.yaml' })).toThrow(
      /--policy-path \/etc\/kubernetes\/audit\/policy.yaml would not reach kube-apiserver/,
    );
    expect(() =>
      enable(kopsSpec(), { policyPath: '/etc/kubernetes/audit/policy.yaml', kopsVersion: v('1.25.0') }),
    ).toThrow(/kops 1.22 to 1.26.5 mount only/);
  });

  it('keeps rotation values already in the spec unless their flag is given, and warns below CIS', () => {
    const spec = kopsSpec('    auditLogMaxAge: 90\n    auditLogMaxBackups: 3\n');
    const kept = enable(spec);
    expect(cluster(kept.after).spec.kubeAPIServer).toMatchObject({
      auditLogMaxAge: 90,
      auditLogMaxBackups: 3,
    });
    expect(kept.warnings.join('\n')).toMatch(/auditLogMaxBackups is 3, kept as it was.*--max-backups 10/);
    const lowered = enable(spec, { maxAge: 30 });
    expect(cluster(lowered.after).spec.kubeAPIServer).toMatchObject({ auditLogMaxAge: 30 });
  });

  it('is idempotent, and a re-run with other options changes only what they own', () => {
    const first = enable(kopsSpec());
    expect(enable(first.after).changed).toBe(false);
    const second = enable(first.after, { maxAge: 60 });
    const changed = diffLines(first.after, second.after).filter((p) => p.added || p.removed);
    expect(changed.map((p) => p.value.trim())).toEqual(['auditLogMaxAge: 30', 'auditLogMaxAge: 60']);
  });

  it('a re-run without --log-format or the webhook flags keeps those fields, and disable still removes them', () => {
    const spec = kopsSpec();
    const webhook = { backend: 'log,webhook' as const, webhookConfig: kubeconfig };
    const first = enable(spec, {
      ...webhook,
      logFormat: 'legacy',
      webhookFields: { auditWebhookMode: 'batch' },
    });
    const second = enable(first.after, webhook);
    expect(second.changed).toBe(false);
    expect(cluster(second.after).spec.kubeAPIServer).toMatchObject({
      auditLogFormat: 'legacy',
      auditWebhookMode: 'batch',
    });
    expect(planDisable(second.after, { source: 'cluster.yaml' }).after).toBe(spec);
    // Also after a run that changes something else (it rewrites the record of what kops-audit added).
    const third = enable(first.after, { ...webhook, maxAge: 60 });
    expect(planDisable(third.after, { source: 'cluster.yaml' }).after).toBe(spec);
  });

  it('turning the log backend off removes the --log-format it had set', () => {
    const first = enable(kopsSpec(), { logFormat: 'json' });
    const webhookOnly = enable(first.after, { backend: 'webhook', webhookConfig: kubeconfig });
    expect(cluster(webhookOnly.after).spec.kubeAPIServer).not.toHaveProperty('auditLogFormat');
  });

  it('writes YAML 1.1 values with their meaning kept: mode "0400" stays a string, 0755 elsewhere untouched', () => {
    const spec = kopsSpec(
      '',
      '  fileAssets:\n  - name: motd\n    path: /etc/motd\n    mode: 0755\n    content: hello\n',
    );
    const after = enable(spec, {
      backend: 'webhook',
      webhookConfig: kubeconfig,
      kopsVersion: v('1.24.0'),
    }).after;
    expect(after).toContain('    mode: 0755\n');
    expect(after).toContain('    mode: "0400"\n');
    expect(asset(after, 'kops-audit-webhook-config')!.mode).toBe('0400');
    // Under YAML 1.1, as kops reads it, the untouched 0755 is still octal.
    expect(asset(after, 'motd')!.mode).toBe(0o755);
  });

  it('finds the Cluster among documents with legacy apiVersion kops/v1alpha2', () => {
    const spec = kopsSpec().replace(/kops\.k8s\.io\/v1alpha2/g, 'kops/v1alpha2');
    expect(enable(spec).after).toContain('name: kops-audit-policy');
  });
});

describe('enable: backends', () => {
  it('--backend webhook sets no log path and ships the kubeconfig beside the policy', () => {
    const after = enable(kopsSpec(), { backend: 'webhook', webhookConfig: kubeconfig }).after;
    const fields = cluster(after).spec.kubeAPIServer!;
    expect(fields.auditLogPath).toBeUndefined();
    expect(fields.auditWebhookConfigFile).toBe('/srv/kubernetes/kube-apiserver/audit/webhook-config.yaml');
    expect(fields.auditPolicyFile).toBe('/srv/kubernetes/kube-apiserver/audit/policy-config.yaml');
    const webhook = asset(after, 'kops-audit-webhook-config')!;
    expect(webhook.roles).toEqual(['Master', 'ControlPlane']);
    expect(webhook.content).toBe(kubeconfig.text);
  });

  it('--backend log,webhook sets both, plus the batch flags given', () => {
    const after = enable(kopsSpec(), {
      backend: 'log,webhook',
      webhookConfig: kubeconfig,
      webhookFields: { auditWebhookBatchMaxWait: '5s', auditWebhookMode: 'batch' },
    }).after;
    expect(cluster(after).spec.kubeAPIServer).toMatchObject({
      auditLogPath: '/var/log/kube-apiserver-audit.log',
      auditWebhookConfigFile: '/srv/kubernetes/kube-apiserver/audit/webhook-config.yaml',
      auditWebhookBatchMaxWait: '5s',
      auditWebhookMode: 'batch',
    });
  });

  it('a webhook backend needs --webhook-config the first time', () => {
    expect(() => enable(kopsSpec(), { backend: 'webhook' })).toThrow(
      /needs the webhook's kubeconfig: --webhook-config/,
    );
  });

  it('switching from log to webhook removes the log fields kops-audit added', () => {
    const logged = enable(kopsSpec()).after;
    const switched = enable(logged, { backend: 'webhook', webhookConfig: kubeconfig }).after;
    expect(Object.keys(cluster(switched).spec.kubeAPIServer!).sort()).toEqual([
      'auditPolicyFile',
      'auditWebhookConfigFile',
    ]);
  });

  it('never shows webhook credentials in the diff or the change list', () => {
    const plan = enable(kopsSpec(), { backend: 'webhook', webhookConfig: kubeconfig });
    expect(plan.after).toContain('s3cr3t-t0ken');
    expect(plan.diff).not.toContain('s3cr3t-t0ken');
    expect(plan.diff).not.toContain('audit.example.com');
    expect(plan.diff).toContain('*** hidden: webhook kubeconfig (after) ***');
    expect(JSON.stringify(plan.changes)).not.toContain('s3cr3t');
  });
});

describe('enable: ownership', () => {
  it('leaves a hand-written setup alone with a conflict naming it', () => {
    const spec = kopsSpec(
      '    auditPolicyFile: /etc/kubernetes/audit/policy-config.yaml\n',
      handWrittenSetup,
    );
    expect(() => enable(spec)).toThrow(ConflictError);
    expect(() => enable(spec)).toThrow(
      /auditPolicyFile: \/etc\/kubernetes\/audit\/policy-config.yaml \(line \d+\)/,
    );
    expect(() => enable(spec)).toThrow(/file asset audit-policy-config/);
  });

  it('treats a foreign file asset at the policy path as a conflict', () => {
    const spec = kopsSpec(
      '',
      handWrittenSetup.replace(
        '/etc/kubernetes/audit/policy-config.yaml',
        '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml',
      ),
    );
    expect(() => enable(spec)).toThrow(ConflictError);
  });

  it('--force replaces it: the assets its fields pointed at go, ours come', () => {
    const spec = kopsSpec(
      '    auditPolicyFile: /etc/kubernetes/audit/policy-config.yaml\n',
      handWrittenSetup,
    );
    const after = enable(spec, { force: true }).after;
    expect(cluster(after).spec.fileAssets!.map((a) => a.name)).toEqual(['kops-audit-policy']);
    expect(cluster(after).spec.kubeAPIServer!.auditPolicyFile).toBe(
      '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml',
    );
  });

  describe('--force over a hand-written webhook backend', () => {
    const webhookSetup = `${handWrittenSetup}  - name: audit-webhook-config
    path: /etc/kubernetes/audit/webhook-config.yaml
    roles:
    - ControlPlane
    content: |
${kubeconfig.text.replace(/^(?=.)/gm, '      ')}`;
    const spec = kopsSpec(
      '    auditPolicyFile: /etc/kubernetes/audit/policy-config.yaml\n    auditWebhookConfigFile: /etc/kubernetes/audit/webhook-config.yaml\n',
      webhookSetup,
    );

    it('says that a log backend drops the webhook, and how to keep it', () => {
      const plan = enable(spec, { force: true });
      expect(cluster(plan.after).spec.kubeAPIServer!.auditWebhookConfigFile).toBeUndefined();
      expect(plan.warnings).toEqual([
        '--force removes the hand-written webhook backend (auditWebhookConfigFile /etc/kubernetes/audit/webhook-config.yaml); add --backend log,webhook --webhook-config FILE to keep sending events to a webhook.',
      ]);
    });

    it('says nothing when the new backend has a webhook, or the old setup had none', () => {
      const kept = enable(spec, {
        force: true,
        backend: 'log,webhook',
        webhookConfig: kubeconfig,
        kopsVersion: v('1.28.4'),
      });
      expect(kept.warnings).toEqual([]);
      const noWebhook = kopsSpec(
        '    auditPolicyFile: /etc/kubernetes/audit/policy-config.yaml\n',
        handWrittenSetup,
      );
      expect(enable(noWebhook, { force: true }).warnings).toEqual([]);
    });
  });

  it('leaves unrelated file assets alone', () => {
    const spec = kopsSpec('', '  fileAssets:\n  - name: motd\n    path: /etc/motd\n    content: hello\n');
    const after = enable(spec).after;
    expect(cluster(after).spec.fileAssets!.map((a) => a.name)).toEqual(['motd', 'kops-audit-policy']);
  });
});

describe('enable: bad specs', () => {
  const bad: [string, string, RegExp][] = [
    [
      'not YAML',
      'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: [\n',
      /cluster.yaml:\d+: not valid YAML/,
    ],
    ['no Cluster', 'apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\n', /has no kops Cluster document/],
    [
      'JSON',
      `${JSON.stringify(parse(kopsSpec().split('---')[0]!))}\n`,
      /^cluster\.yaml is JSON; kops-audit edits YAML, so that your comments and layout stay byte for byte\.$/,
    ],
    [
      'JSON YAML cannot read (one object after another)',
      '{"kind": "Cluster"}\n{"kind": "InstanceGroup"}\n',
      /^cluster\.yaml is JSON; kops-audit edits YAML/,
    ],
    ['two Clusters', `${kopsSpec()}---\n${kopsSpec()}`, /has 2 Cluster documents \(at lines 1 and \d+\)/],
    [
      'spec not a mapping',
      'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: hello\n',
      /cluster.yaml:3: the Cluster's spec is not a mapping/,
    ],
    [
      'fileAssets not a list',
      kopsSpec('', '  fileAssets: yes\n'),
      /cluster.yaml:\d+: spec.fileAssets is not a list/,
    ],
    [
      'misspelt audit field',
      kopsSpec('    auditLogMaxage: 30\n'),
      /cluster.yaml:\d+: spec.kubeAPIServer.auditLogMaxage \(did you mean auditLogMaxAge\?\)/,
    ],
    ['unknown audit field', kopsSpec('    auditLogRotate: true\n'), /spec.kubeAPIServer.auditLogRotate/],
    [
      'spec empty',
      'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: {}\n',
      /cluster.yaml:3: the Cluster's spec is empty/,
    ],
    [
      'kubeAPIServer shared through an anchor',
      kopsSpec('    anonymousAuth: false\n').replace('  kubeAPIServer:', '  kubeAPIServer: &shared'),
      /spec.kubeAPIServer is shared through a YAML anchor or alias \(&shared\)/,
    ],
    [
      'fileAssets is an alias',
      kopsSpec('', '  x: &list\n  - name: a\n    content: b\n  fileAssets: *list\n'),
      /spec.fileAssets is shared through a YAML anchor or alias \(\*list\)/,
    ],
  ];
  it.each(bad)('%s: one SpecError naming the file and line', (_name, text, message) => {
    expect(() => enable(text)).toThrow(SpecError);
    expect(() => enable(text)).toThrow(message);
  });
  it('suggests the right name for a misspelt field', () => {
    try {
      enable(kopsSpec('    auditLogMaxage: 30\n'));
      expect.unreachable();
    } catch (error) {
      expect((error as SpecError).hint).toMatch(/Rename auditLogMaxage to auditLogMaxAge/);
    }
  });
  it('a flow-style kubeAPIServer is refused rather than rewritten', () => {
    const spec = kopsSpec().replace(
      '  kubernetesVersion',
      '  kubeAPIServer: {anonymousAuth: false}\n  kubernetesVersion',
    );
    expect(() => enable(spec)).toThrow(/flow style/);
  });

  it('a flow-style spec is refused naming spec', () => {
    const spec =
      'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {name: a}\nspec: {cloudProvider: aws}\n';
    expect(() => enable(spec)).toThrow(/:4: spec is written in flow style/);
  });

  // go-yaml, which kops uses, merges `<<` keys; their fields would be invisible to kops-audit.
  it.each([
    ['spec.kubeAPIServer', '  kubeAPIServer:\n    <<: {auditLogMaxAge: 90}\n    anonymousAuth: false\n'],
    ['spec', '  <<: {kubeAPIServer: {auditLogMaxAge: 90}}\n'],
    ['spec.fileAssets[0]', '  fileAssets:\n  - <<: {name: a}\n    path: /srv/a\n    content: x\n'],
  ])('a YAML merge key in %s is refused with its line', (field, lines) => {
    const spec = kopsSpec().replace('  kubernetesVersion', `${lines}  kubernetesVersion`);
    expect(() => enable(spec)).toThrow(SpecError);
    expect(() => enable(spec)).toThrow(
      new RegExp(
        `cluster\\.yaml:\\d+: ${field.replace(/[.[\]]/g, '\\$&')} takes fields from a YAML merge key`,
      ),
    );
  });
});

describe('disable', () => {
  it('restores the original bytes after enable', () => {
    for (const spec of [exampleSpec, kopsSpec(), kopsSpec('    anonymousAuth: false\n')]) {
      const enabled = enable(spec, { backend: 'log,webhook', webhookConfig: kubeconfig }).after;
      expect(planDisable(enabled, { source: 'cluster.yaml' }).after).toBe(spec);
    }
  });

  it('puts back values that were there before and that enable changed on request', () => {
    // A hand-written log setup: 90 days, 50 MB, its own path; enable is told to change all three.
    const spec = kopsSpec(
      '    auditLogMaxAge: 90\n    auditLogMaxSize: 50\n    auditLogPath: /var/log/audit/kube.log\n',
    );
    const first = enable(spec, { maxAge: 10, maxSize: 100, logPath: '/var/log/kube-apiserver-audit.log' });
    expect(cluster(first.after).spec.kubeAPIServer).toMatchObject({
      auditLogMaxAge: 10,
      auditLogMaxSize: 100,
    });
    expect(planDisable(first.after, { source: 'cluster.yaml' }).after).toBe(spec);
    // A later run without those flags keeps the record of the first values.
    const again = enable(first.after, {
      policy: { source: 'p', text: basicPolicy.text.replace('Metadata', 'Request') },
    });
    expect(planDisable(again.after, { source: 'cluster.yaml' }).after).toBe(spec);
  });

  it('keeps fields that were there before enable', () => {
    const spec = kopsSpec('    auditLogMaxAge: 90\n');
    const enabled = enable(spec).after;
    expect(planDisable(enabled, { source: 'cluster.yaml' }).after).toBe(spec);
  });

  it('changes nothing on a spec without kops-audit, and leaves a hand-written setup with a warning', () => {
    const spec = kopsSpec(
      '    auditPolicyFile: /etc/kubernetes/audit/policy-config.yaml\n',
      handWrittenSetup,
    );
    const plan = planDisable(spec, { source: 'cluster.yaml' });
    expect(plan.changed).toBe(false);
    expect(plan.after).toBe(spec);
    expect(plan.warnings.join()).toMatch(/did not write.*left as it is/);
  });

  it('describes what it removes', () => {
    const enabled = enable(kopsSpec()).after;
    const plan = planDisable(enabled, { source: 'cluster.yaml' });
    expect(plan.changes.map((c) => `${c.action} ${c.target}`)).toEqual([
      'remove spec.kubeAPIServer.auditLogMaxAge',
      'remove spec.kubeAPIServer.auditLogMaxBackups',
      'remove spec.kubeAPIServer.auditLogMaxSize',
      'remove spec.kubeAPIServer.auditLogPath',
      'remove spec.kubeAPIServer.auditPolicyFile',
      'remove spec.fileAssets[kops-audit-policy]',
    ]);
  });
});

it('the policy file asset reads back as the same policy (parse check)', () => {
  const after = enable(kopsSpec()).after;
  const content = asset(after, 'kops-audit-policy')!.content;
  expect(parse(content)).toEqual(parse(basicPolicy.text));
});

describe('line endings', () => {
  it('a spec saved with a byte order mark keeps it, and disable restores it', () => {
    const withBom = `\uFEFF${exampleSpec}`;
    const plan = enable(withBom);
    expect(plan.after.startsWith('\uFEFFapiVersion:') || plan.after.startsWith('\uFEFF#')).toBe(true);
    expect(enable(plan.after).changed).toBe(false);
    expect(planDisable(plan.after, { source: 'cluster.yaml' }).after).toBe(withBom);
  });

  it('a spec with Windows line endings keeps them, and disable restores it', () => {
    const crlf = exampleSpec.replace(/\n/g, '\r\n');
    const plan = enable(crlf);
    expect(plan.after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(plan.diff).toContain('+    auditLogPath: /var/log/kube-apiserver-audit.log\n');
    expect(enable(plan.after).changed).toBe(false);
    expect(planDisable(plan.after, { source: 'cluster.yaml' }).after).toBe(crlf);
  });
});

it('a spec whose last line is in kubeAPIServer and has no final newline gets no blank lines', () => {
  const spec =
    'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: x\nspec:\n  kubeAPIServer:\n    anonymousAuth: false';
  const after = enable(spec).after;
  expect(after).not.toContain('\n\n');
  expect(after).toContain('    anonymousAuth: false\n    auditLogMaxAge: 30\n');
  expect(planDisable(after, { source: 'cluster.yaml' }).after).toBe(`${spec}\n`);
});

it('an audit field kops cannot decode is a SpecError with its line, not a crash', () => {
  expect(() => enable(kopsSpec('    auditLogMaxAge: "30"\n'))).toThrow(
    /cluster.yaml:\d+: spec.kubeAPIServer.auditLogMaxAge must be a whole number \(int32\), not "30"/,
  );
  expect(() => enable(kopsSpec('    auditLogPath: [a]\n'))).toThrow(SpecError);
  // An int32 in kops: out of range is refused by its decoder too.
  expect(() => enable(kopsSpec('    auditLogMaxAge: 2147483648\n'))).toThrow(
    /must be a whole number \(int32\)/,
  );
});

it('a policy file with Windows line endings is embedded as a readable block literal', () => {
  const crlfPolicy = { source: 'p.yaml', text: basicPolicy.text.replace(/\n/g, '\r\n') };
  const after = enable(kopsSpec(), { policy: crlfPolicy }).after;
  expect(after).toContain('    content: |\n');
  expect(asset(after, 'kops-audit-policy')!.content.endsWith(basicPolicy.text)).toBe(true);
});
