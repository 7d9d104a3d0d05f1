/**
 * `status` checks: CIS items (shared/research/audit.md "CIS Kubernetes Benchmark") and the kops rules
 * for delivery and mounts (shared/research/kops.md §2, §3), on the kops repo's own audit spec.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planEnable } from '../../../src/plan/plan.js';
import { parseSpec } from '../../../src/spec/document.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';
import { auditStatus } from '../../../src/spec/status.js';
import { CONFORMANCE_DIR, conformanceMissing } from '../../helpers/paths.js';
import { basicPolicy, exampleSpec, handWrittenSetup, kopsSpec, kubeconfig } from './fixtures.js';

const status = (text: string, version?: string) =>
  auditStatus(parseSpec(text, 'cluster.yaml'), version ? parseKopsVersion(version) : undefined);
const failing = (text: string, version?: string) =>
  status(text, version)
    .checks.filter((c) => !c.ok)
    .map((c) => c.id);

describe('status', () => {
  it('a spec without audit setup fails the CIS items and delivery', () => {
    const report = status(kopsSpec());
    expect(report.backend).toBe('off');
    expect(report.ok).toBe(false);
    expect(failing(kopsSpec())).toEqual([
      'cis-log-path',
      'cis-max-age',
      'cis-max-backups',
      'cis-max-size',
      'cis-policy-file',
      'policy-delivered',
      'policy-valid',
      'policy-mounted',
    ]);
  });

  it('passes every check after enable, for any kops version and for a given one', () => {
    const after = planEnable(exampleSpec, { source: 'x', policy: basicPolicy, backend: 'log' }).after;
    const report = status(after);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      backend: 'log',
      managedByKopsAudit: true,
      policy: { rules: 1, levels: ['Metadata'], omitStages: ['RequestReceived'] },
    });
    expect(status(after, '1.25.0').ok).toBe(true);
  });

  it('a policy for Master only is not delivered on kops >= 1.26 (kubernetes/kops#15488)', () => {
    const after = planEnable(kopsSpec(), {
      source: 'x',
      policy: basicPolicy,
      backend: 'log,webhook',
      webhookConfig: kubeconfig,
      kopsVersion: parseKopsVersion('1.25.0')!,
    }).after;
    expect(failing(after, '1.25.0')).toEqual([]);
    expect(failing(after, '1.28.0')).toEqual(['policy-delivered', 'webhook-beside-policy']);
  });

  it.each([
    ['1.28.4', 'kops 1.26 and newer'],
    ['1.25.0', 'kops 1.25 and older'],
  ])(
    'without --kops-version, checks a spec enabled for kops %s for the family it was written for',
    (version, family) => {
      const after = planEnable(kopsSpec(), {
        source: 'x',
        policy: basicPolicy,
        backend: 'log,webhook',
        webhookConfig: kubeconfig,
        kopsVersion: parseKopsVersion(version)!,
      }).after;
      const report = status(after);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.kops).toBe(`${family} (the roles kops-audit wrote)`);
      expect(report.checks.find((c) => c.id === 'policy-mounted')?.detail).toContain(`mounted on ${family}`);
    },
  );

  it("infers nothing from an asset without kops-audit's record, and names the flag that would check it", () => {
    const fields =
      '    auditLogMaxAge: 30\n    auditLogMaxBackups: 10\n    auditLogMaxSize: 100\n    auditLogPath: /var/log/kube-apiserver-audit.log\n    auditPolicyFile: /srv/kubernetes/kube-apiserver/audit/policy-config.yaml\n';
    // The kops docs' setup, moved where every release mounts it, and one named like kops-audit's.
    const handWritten = handWrittenSetup.replace(
      '/etc/kubernetes/audit/policy-config.yaml',
      '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml',
    );
    for (const spec of [handWritten, handWritten.replace('audit-policy-config', 'kops-audit-policy')]) {
      const report = status(kopsSpec(fields, spec));
      expect(report.kops).toBe('any kops version');
      expect(report.checks.find((c) => !c.ok)).toMatchObject({
        id: 'policy-delivered',
        detail: expect.stringMatching(
          /lacks role Master, needed on any kops version; it names ControlPlane, as kops 1\.26 and newer call the control plane: if the cluster runs one of those, add --kops-version with its version \(e\.g\. --kops-version 1\.28\.4\)$/,
        ),
      });
      expect(failing(kopsSpec(fields, spec), '1.28.4')).toEqual([]);
    }
  });

  it('reports misspelt audit fields', () => {
    const spec = kopsSpec('    auditLogMaxage: 30\n');
    const check = status(spec).checks.find((c) => c.id === 'fields-known')!;
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/auditLogMaxage \(line \d+\): did you mean auditLogMaxAge\?/);
  });
});

const skip = conformanceMissing('kops/specs/nodeup-golden-audit.yaml');
describe.skipIf(skip)("status of kops' own audit spec (nodeup golden test)", () => {
  const text = skip
    ? ''
    : readFileSync(path.join(CONFORMANCE_DIR, 'kops/specs/nodeup-golden-audit.yaml'), 'utf8');

  it('on kops 1.25: rotation below CIS, and /etc/kubernetes/audit is not mounted before 1.26.6', () => {
    expect(failing(text, '1.25.0')).toEqual(['cis-max-age', 'cis-max-backups', 'policy-mounted']);
  });

  it('on kops 1.28: roles [Master] no longer reach the control plane', () => {
    expect(failing(text, '1.28.0')).toEqual([
      'cis-max-age',
      'cis-max-backups',
      'policy-delivered',
      'webhook-beside-policy',
    ]);
    const report = status(text, '1.28.0');
    expect(report).toMatchObject({
      backend: 'log,webhook',
      managedByKopsAudit: false,
      maxAge: 10,
      maxBackups: 1,
    });
  });
});

it.each([
  ['"90"', '"90"'],
  // kops' field is an int32 (kops.md §1): Go's decoder refuses a fraction or a value out of range.
  ['30.5', '30.5'],
  ['2147483648', '2147483648'],
])('a rotation value kops cannot decode (%s) fails its CIS check with the reason', (value, shown) => {
  const check = status(kopsSpec(`    auditLogMaxAge: ${value}\n`)).checks.find(
    (c) => c.id === 'cis-max-age',
  )!;
  expect(check).toMatchObject({ ok: false });
  expect(check.detail).toContain(`auditLogMaxAge is ${shown}, not a whole number (int32): kops refuses it`);
});

// nodeup writes an InstanceGroup's own file assets too, before the Cluster's (kops.md §2).
describe('a policy written by the control-plane instance group itself', () => {
  const withGroupAsset = (spec: string) =>
    spec.replace(
      '  role: Master\n',
      '  fileAssets:\n  - name: audit\n    path: /srv/kubernetes/kube-apiserver/audit/policy-config.yaml\n    content: |\n      apiVersion: audit.k8s.io/v1\n      kind: Policy\n      rules:\n      - level: Metadata\n  role: Master\n',
    );
  const fields =
    '    auditLogMaxAge: 30\n    auditLogMaxBackups: 10\n    auditLogMaxSize: 100\n    auditLogPath: /var/log/kube-apiserver-audit.log\n    auditPolicyFile: /srv/kubernetes/kube-apiserver/audit/policy-config.yaml\n';

  it('counts as delivered, and its policy is the one checked', () => {
    const report = status(withGroupAsset(kopsSpec(fields)));
    expect(report.checks.find((c) => c.id === 'policy-delivered')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('instance group control-plane-us-east-1a writes'),
    });
    expect(report.checks.find((c) => c.id === 'policy-valid')).toMatchObject({
      ok: true,
      detail: '1 rule (Metadata)',
    });
  });

  it("makes enable refuse: that asset would replace kops-audit's policy on its nodes", () => {
    expect(() =>
      planEnable(withGroupAsset(kopsSpec()), { source: 'c.yaml', policy: basicPolicy, backend: 'log' }),
    ).toThrow(
      /instance group control-plane-us-east-1a has its own file asset at \/srv\/kubernetes\/kube-apiserver\/audit\/policy-config\.yaml/,
    );
  });
});
