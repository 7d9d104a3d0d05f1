/** kops-version rules (shared/research/kops.md §2 roles, §3 mounts, FileAssetSpec.mode). */
import { describe, expect, it } from 'vitest';
import {
  apiServerRoles,
  DEFAULT_POLICY_PATH,
  kopsRules,
  ROLE_FAMILIES,
  roleFamily,
  rollingUpdateRoles,
  unmountedReason,
  webhookPathFor,
} from '../../../src/spec/compat.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';

const rules = (v?: string) => kopsRules(v === undefined ? undefined : parseKopsVersion(v));

describe('parseKopsVersion', () => {
  it.each([
    ['1.28.4', [1, 28, 4]],
    ['v1.26.6', [1, 26, 6]],
    ['1.30', [1, 30, 0]],
    ['1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264', [1, 37, 0]],
  ])('reads %s', (text, [major, minor, patch]) => {
    expect(parseKopsVersion(text)).toMatchObject({ major, minor, patch });
  });
  it.each(['latest', '1', 'one.two', ''])('refuses %j', (text) => {
    expect(parseKopsVersion(text)).toBeUndefined();
  });
});

describe('control-plane roles of fileAssets (never converted between Master and ControlPlane)', () => {
  it.each([
    ['1.20.0', ['Master']],
    ['1.25.9', ['Master']],
    // The rename is commit d39ba74bd7, first in v1.26.0-alpha.2 (kops.md §2); the rolling update's
    // role flag changes at the same version, so the two always agree.
    ['1.26.0-alpha.1', ['Master']],
    ['1.26.0-alpha.2', ['ControlPlane']],
    ['1.26.0-beta.1', ['ControlPlane']],
    ['1.26.0', ['ControlPlane']],
    ['1.30.1', ['ControlPlane']],
  ])('kops %s uses %j', (version, roles) => {
    expect(rules(version).controlPlaneRoles).toEqual(roles);
  });
  it('without a version lists both, which works on every release', () => {
    expect(rules().controlPlaneRoles).toEqual(['Master', 'ControlPlane']);
  });
  it('adds APIServer when the spec has APIServer instance groups', () => {
    expect(apiServerRoles(rules('1.28.0'), ['Master', 'Node', 'APIServer'])).toEqual([
      'ControlPlane',
      'APIServer',
    ]);
    expect(apiServerRoles(rules('1.28.0'), ['Master', 'Node'])).toEqual(['ControlPlane']);
  });
});

describe('FileAssetSpec.mode exists from kops 1.24', () => {
  it.each([
    ['1.23.9', false],
    ['1.24.0', true],
    [undefined, false],
  ])('kops %s: %s', (version, mode) => {
    expect(rules(version).fileAssetMode).toBe(mode);
  });
});

describe('directories kube-apiserver mounts, by kops version', () => {
  const cases: [string | undefined, string, boolean][] = [
    ['1.21.0', '/srv/kubernetes/audit/policy.yaml', true],
    ['1.21.0', '/etc/kubernetes/audit/policy.yaml', false],
    ['1.22.0', '/srv/kubernetes/audit/policy.yaml', false],
    ['1.22.0', DEFAULT_POLICY_PATH, true],
    ['1.25.4', '/etc/kubernetes/audit/policy.yaml', false],
    ['1.26.5', '/etc/kubernetes/audit/policy.yaml', false],
    ['1.26.6', '/etc/kubernetes/audit/policy.yaml', true],
    // 1.26.6 mounts the policy directory without the guard against mounting srvkapi twice.
    ['1.26.6', '/srv/kubernetes/kube-apiserver/policy.yaml', false],
    ['1.27.0', '/srv/kubernetes/kube-apiserver/policy.yaml', true],
    ['1.27.0', '/etc/kubernetes/audit/policy.yaml', true],
    [undefined, DEFAULT_POLICY_PATH, true],
    [undefined, '/etc/kubernetes/audit/policy.yaml', false],
    [undefined, '/srv/kubernetes/kube-apiserver/policy.yaml', false],
  ];
  it.each(cases)('kops %s, %s mounted: %s', (version, file, mounted) => {
    expect(unmountedReason(rules(version), file) === undefined).toBe(mounted);
  });
  it('puts the webhook config in the policy directory', () => {
    expect(webhookPathFor(DEFAULT_POLICY_PATH)).toBe(
      '/srv/kubernetes/kube-apiserver/audit/webhook-config.yaml',
    );
  });
});

describe('the file asset roles and the rolling update agree on every version', () => {
  // A policy shipped to ControlPlane while the roll selects `master` (or the reverse) leaves the
  // rolled nodes without it: kube-apiserver would not start there.
  it.each([
    '1.21.0',
    '1.25.4',
    '1.26.0-alpha.1',
    '1.26.0-alpha.2',
    '1.26.0-beta.2',
    '1.26.2',
    '1.28.4',
    '1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264',
  ])('kops %s', (version) => {
    const assetRoles = rules(version).controlPlaneRoles;
    const rollRoles = rollingUpdateRoles(parseKopsVersion(version)!, []);
    expect(rollRoles).toEqual([assetRoles[0] === 'ControlPlane' ? 'control-plane' : 'master']);
  });
});

describe('policy paths kops would read otherwise', () => {
  // kops mounts filepath.Dir of the path (Go cleans it); nodeup writes the path as given.
  it.each([
    ['/srv/kubernetes/kube-apiserver/audit/', 'names a directory'],
    ['/srv/kubernetes/kube-apiserver/../../../etc/x.yaml', 'kops reads it as /etc/x.yaml'],
    [
      '/srv//kubernetes/kube-apiserver/audit/p.yaml',
      'kops reads it as /srv/kubernetes/kube-apiserver/audit/p.yaml',
    ],
  ])('%s is refused on every version', (file, reason) => {
    for (const version of ['1.21.0', '1.23.0', '1.28.0', undefined]) {
      expect(unmountedReason(rules(version), file)).toContain(reason);
    }
  });

  // auditlogpathdir (rw) and auditconfigdir (ro, 1.26.6 and 1.27+) would get one mount path.
  it('the policy beside the audit log is refused where kops mounts the policy directory', () => {
    const [policy, log] = ['/var/log/audit/policy.yaml', '/var/log/audit/audit.log'];
    expect(unmountedReason(rules('1.27.0'), policy, log)).toContain('two volumes with one mount path');
    expect(unmountedReason(rules('1.26.6'), policy, log)).toContain('two volumes with one mount path');
    expect(unmountedReason(rules('1.27.0'), policy, '/var/log/kube-apiserver-audit.log')).toBeUndefined();
    expect(unmountedReason(rules('1.27.0'), policy, '-')).toBeUndefined();
  });
});

describe('the two families of control-plane role names (what status infers from the roles enable wrote)', () => {
  it('an asset naming one role belongs to that family; both or neither, to none', () => {
    expect(roleFamily(['ControlPlane', 'APIServer'])).toBe(ROLE_FAMILIES.ControlPlane);
    expect(roleFamily(['Master'])).toBe(ROLE_FAMILIES.Master);
    expect(roleFamily(['Master', 'ControlPlane'])).toBeUndefined();
    expect(roleFamily(['Node'])).toBeUndefined();
  });

  it('each family gets its own role, and every version of it agrees', () => {
    expect(kopsRules(ROLE_FAMILIES.ControlPlane).controlPlaneRoles).toEqual(['ControlPlane']);
    expect(kopsRules(ROLE_FAMILIES.Master).controlPlaneRoles).toEqual(['Master']);
    for (const v of ['1.26.0-alpha.2', '1.26.5', '1.30.0'])
      expect(rules(v).controlPlaneRoles).toEqual(['ControlPlane']);
    for (const v of ['1.19.0', '1.25.9', '1.26.0-alpha.1'])
      expect(rules(v).controlPlaneRoles).toEqual(['Master']);
  });

  // A family is checked against every mount rule of its releases, as "any version" is against all.
  const mounts: [keyof typeof ROLE_FAMILIES, string, boolean][] = [
    ['ControlPlane', DEFAULT_POLICY_PATH, true],
    ['ControlPlane', '/etc/kubernetes/audit/policy.yaml', false], // 1.26.0 - 1.26.5
    ['ControlPlane', '/srv/kubernetes/kube-apiserver/policy.yaml', false], // 1.26.6
    ['ControlPlane', '/srv/kubernetes/audit/policy.yaml', false],
    ['Master', DEFAULT_POLICY_PATH, true],
    ['Master', '/srv/kubernetes/audit/policy.yaml', false], // 1.22 - 1.25
    ['Master', '/srv/kubernetes/kube-apiserver/policy.yaml', true], // mounted whole before 1.26.6
  ];
  it.each(mounts)('%s family, %s mounted: %s', (family, file, mounted) => {
    expect(unmountedReason(kopsRules(ROLE_FAMILIES[family]), file) === undefined).toBe(mounted);
  });

  it('a failed mount rule of a family names the flag that checks one version', () => {
    expect(unmountedReason(kopsRules(ROLE_FAMILIES.ControlPlane), '/etc/kubernetes/audit/p.yaml')).toBe(
      'kops 1.22 to 1.26.5 mount only /srv/kubernetes/kube-apiserver into kube-apiserver (checked for kops 1.26 and newer, the roles kops-audit wrote; add --kops-version with the version the cluster runs, e.g. --kops-version 1.28.4)',
    );
  });

  it('mode, the webhook directory and the policy directory: only what holds on every release', () => {
    expect(kopsRules(ROLE_FAMILIES.ControlPlane)).toMatchObject({
      label: 'kops 1.26 and newer',
      fileAssetMode: true,
      validatesWebhookDirectory: false,
      mountsPolicyDir: true,
    });
    expect(kopsRules(ROLE_FAMILIES.Master)).toMatchObject({
      label: 'kops 1.25 and older',
      fileAssetMode: false,
      validatesWebhookDirectory: false,
      mountsPolicyDir: false,
    });
  });
});
