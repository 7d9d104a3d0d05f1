/** Small specs for rule tests (real specs come from ../shared in conformance.test.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourcedText } from '../../../src/spec/apply.js';
import { REPO_ROOT } from '../../helpers/paths.js';

export const basicPolicy: SourcedText = {
  source: 'basic',
  text: readFileSync(path.join(REPO_ROOT, 'templates/basic.yaml'), 'utf8'),
};

export const exampleSpec = readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml'), 'utf8');

export const kubeconfig: SourcedText = {
  source: 'webhook.kubeconfig',
  text: [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sink',
    '  cluster:',
    '    server: https://audit.example.com/events',
    'users:',
    '- name: kube-apiserver',
    '  user:',
    '    token: s3cr3t-t0ken',
    'contexts:',
    '- name: default',
    '  context:',
    '    cluster: sink',
    '    user: kube-apiserver',
    'current-context: default',
    '',
  ].join('\n'),
};

/** A minimal spec in kops' own style (`kops get` output: sorted keys, lists not indented). */
export function kopsSpec(kubeAPIServer = '', extra = ''): string {
  return `apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: test.example.com
spec:
  channel: stable
  cloudProvider: aws
${extra}${kubeAPIServer ? `  kubeAPIServer:\n${kubeAPIServer}` : ''}  kubernetesVersion: 1.30.2
  subnets:
  - cidr: 172.20.32.0/19
    name: us-east-1a
    type: Public
    zone: us-east-1a
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: control-plane-us-east-1a
spec:
  role: Master
`;
}

/** The kops docs' hand-written audit setup (docs/cluster_spec.md, "Audit Logging"). */
export const handWrittenSetup = `  fileAssets:
  - name: audit-policy-config
    path: /etc/kubernetes/audit/policy-config.yaml
    roles:
    - ControlPlane
    content: |
      apiVersion: audit.k8s.io/v1
      kind: Policy
      rules:
      - level: Metadata
`;
