/**
 * Control planes on Google's ContainerOS (GCE images from the cos-cloud project). nodeup's
 * PathSrvKubernetes is /etc/srv/kubernetes there (nodeup/pkg/model/context.go), every kube-apiserver
 * mount is built from it (kube_apiserver.go: pathSrvKAPI), and / is read-only, so a file asset under
 * /srv cannot even be written (cloud.google.com/container-optimized-os/docs/concepts/disks-and-filesystem).
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../../src/errors.js';
import { type EnableOptions, planEnable } from '../../../src/plan/plan.js';
import { apiServerLayouts, isContainerOSImage } from '../../../src/spec/compat.js';
import { parseSpec } from '../../../src/spec/document.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';
import { auditStatus } from '../../../src/spec/status.js';
import { basicPolicy } from './fixtures.js';

const COS = 'cos-cloud/cos-stable-117-18613-164-4';
const UBUNTU = 'ubuntu-os-cloud/ubuntu-2404-noble-amd64-v20250101';

/** A GCE Cluster with instance groups of the given roles and images. */
function gceSpec(groups: { name: string; role: string; image?: string }[]): string {
  let text = `apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: gce.example.com
spec:
  cloudProvider: gce
  kubernetesVersion: 1.30.2
`;
  for (const g of groups) {
    text += `---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: ${g.name}
spec:
${g.image ? `  image: ${g.image}\n` : ''}  role: ${g.role}
`;
  }
  return text;
}

const enable = (text: string, options: Partial<EnableOptions> = {}) =>
  planEnable(text, { source: 'cluster.yaml', policy: basicPolicy, backend: 'log', ...options });
const v = (text: string) => parseKopsVersion(text)!;
const kubeAPIServer = (text: string) =>
  (
    parseAllDocuments(text, { version: '1.1' })[0]!.toJS() as {
      spec: { kubeAPIServer: Record<string, unknown> };
    }
  ).spec.kubeAPIServer;

describe('ContainerOS control planes', () => {
  it('recognises ContainerOS images in every form GCE accepts, and nothing else', () => {
    expect(isContainerOSImage(COS)).toBe(true);
    expect(isContainerOSImage('projects/cos-cloud/global/images/cos-stable-117-18613-164-4')).toBe(true);
    expect(
      isContainerOSImage(
        'https://www.googleapis.com/compute/v1/projects/cos-cloud/global/images/family/cos-stable',
      ),
    ).toBe(true);
    // A copy in another project keeps ContainerOS' image name.
    expect(isContainerOSImage('my-project/cos-stable-117-18613-164-4')).toBe(true);
    expect(isContainerOSImage(UBUNTU)).toBe(false);
    expect(isContainerOSImage('my-project/ubuntu-with-cos-tools')).toBe(false);
  });

  it('looks only at the groups that run kube-apiserver', () => {
    const nodesOnCos = parseSpec(
      gceSpec([
        { name: 'control-plane', role: 'ControlPlane', image: UBUNTU },
        { name: 'nodes', role: 'Node', image: COS },
      ]),
      'c.yaml',
    );
    expect(apiServerLayouts(nodesOnCos.instanceGroups).layouts).toEqual(['standard']);
    const apiOnCos = parseSpec(
      gceSpec([
        { name: 'control-plane', role: 'Master', image: COS },
        { name: 'apiservers', role: 'APIServer', image: COS },
      ]),
      'c.yaml',
    );
    expect(apiServerLayouts(apiOnCos.instanceGroups)).toEqual({
      layouts: ['containeros'],
      containerOS: ['control-plane', 'apiservers'],
      other: [],
    });
  });

  it('puts the policy under /etc/srv/kubernetes/kube-apiserver, where ContainerOS nodes keep kops files', () => {
    const plan = enable(gceSpec([{ name: 'control-plane', role: 'ControlPlane', image: COS }]));
    const fields = kubeAPIServer(plan.after);
    expect(fields.auditPolicyFile).toBe('/etc/srv/kubernetes/kube-apiserver/audit/policy-config.yaml');
    expect(plan.after).toContain('path: /etc/srv/kubernetes/kube-apiserver/audit/policy-config.yaml');
    // The log path is under /var, which is writable there.
    expect(fields.auditLogPath).toBe('/var/log/kube-apiserver-audit.log');
  });

  it('refuses a policy path that ContainerOS cannot write or kube-apiserver would not see there', () => {
    const text = gceSpec([{ name: 'control-plane', role: 'ControlPlane', image: COS }]);
    expect(() => enable(text, { policyPath: '/srv/kubernetes/kube-apiserver/audit/policy.yaml' })).toThrow(
      /would not reach kube-apiserver: kops 1.21 and older mount only \/etc\/srv\/kubernetes into kube-apiserver on ContainerOS/,
    );
    // kops 1.27+ mounts any policy directory, but / is read-only on ContainerOS.
    expect(() => enable(text, { policyPath: '/opt/audit/policy.yaml', kopsVersion: v('1.28.0') })).toThrow(
      /ContainerOS mounts \/ read-only/,
    );
    const ok = enable(text, { policyPath: '/etc/kubernetes/audit/policy.yaml', kopsVersion: v('1.28.0') });
    expect(kubeAPIServer(ok.after).auditPolicyFile).toBe('/etc/kubernetes/audit/policy.yaml');
  });

  it('asks for --policy-path when the control plane mixes ContainerOS with other images', () => {
    const text = gceSpec([
      { name: 'control-plane-a', role: 'ControlPlane', image: COS },
      { name: 'control-plane-b', role: 'ControlPlane' },
    ]);
    let error: unknown;
    try {
      enable(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(
      'ContainerOS (control-plane-a) with other images (control-plane-b)',
    );
    // No path is mounted on both before 1.26.6; on 1.27+ a path under /etc works on both.
    expect(() => enable(text, { policyPath: '/etc/kubernetes/audit/policy.yaml' })).toThrow(UsageError);
    const ok = enable(text, { policyPath: '/etc/kubernetes/audit/policy.yaml', kopsVersion: v('1.27.0') });
    expect(kubeAPIServer(ok.after).auditPolicyFile).toBe('/etc/kubernetes/audit/policy.yaml');
  });

  it('status flags a /srv policy on a ContainerOS control plane, and passes the /etc/srv one', () => {
    const cos = gceSpec([{ name: 'control-plane', role: 'ControlPlane', image: COS }]);
    const mounted = (text: string) =>
      auditStatus(parseSpec(text, 'c.yaml'), undefined).checks.find((c) => c.id === 'policy-mounted')!;
    expect(mounted(enable(cos).after)).toMatchObject({ ok: true });
    // The same setup written for standard images, then the control plane moved to ContainerOS.
    const written = enable(gceSpec([{ name: 'control-plane', role: 'ControlPlane', image: UBUNTU }])).after;
    const moved = written.replace(UBUNTU, COS);
    expect(mounted(moved)).toMatchObject({ ok: false });
    expect(mounted(moved).detail).toContain('on ContainerOS');
    // enable then names the path it will not keep, rather than leaving it broken.
    expect(() => enable(moved)).toThrow(
      /the policy path already in the spec .* would not reach kube-apiserver/,
    );
  });
});
