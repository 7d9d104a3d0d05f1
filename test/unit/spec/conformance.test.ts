/**
 * Every real kops spec in ../shared/conformance/kops/specs (kops' own integration inputs, see
 * SOURCE.md there): enable, validate against the kops Cluster CRD, check that nothing else moved,
 * that a second enable is a no-op and that disable restores the original bytes.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { diffLines } from 'diff';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConflictError } from '../../../src/errors.js';
import { type EnableOptions, planDisable, planEnable } from '../../../src/plan/plan.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';
import { clusterValidator } from '../../helpers/crd.js';
import { CONFORMANCE_DIR, conformanceMissing, REPO_ROOT } from '../../helpers/paths.js';

const skip = conformanceMissing('kops/specs');
const specsDir = path.join(CONFORMANCE_DIR, 'kops/specs');
const specs = skip
  ? []
  : readdirSync(specsDir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
const policy = { source: 'gce', text: readFileSync(path.join(REPO_ROOT, 'templates/gce.yaml'), 'utf8') };
const kubeconfig = {
  source: 'webhook.kubeconfig',
  text: 'apiVersion: v1\nkind: Config\nclusters:\n- name: sink\n  cluster:\n    server: https://audit.example.com\nusers:\n- name: kube-apiserver\n  user:\n    token: s3cr3t-token\ncontexts:\n- name: default\n  context:\n    cluster: sink\n    user: kube-apiserver\ncurrent-context: default\n',
};
const hasHandWrittenSetup = new Set(['nodeup-golden-audit.yaml']);

function docsOf(text: string) {
  return parseAllDocuments(text, { version: '1.1' }) as ReturnType<typeof parseAllDocuments> & unknown[];
}

function clusterObject(text: string): { apiVersion: string; spec: Record<string, unknown> } {
  for (const doc of docsOf(text) as { toJS(): unknown }[]) {
    const value = doc.toJS() as { kind?: string; apiVersion: string; spec: Record<string, unknown> };
    if (value?.kind === 'Cluster') return value;
  }
  throw new Error('no Cluster');
}

/** The source text of each document that is not the Cluster. */
function otherDocuments(text: string): string[] {
  return (docsOf(text) as { range: [number, number, number]; toJS(): { kind?: string } }[])
    .filter((doc) => doc.toJS()?.kind !== 'Cluster')
    .map((doc) => text.slice(doc.range[0], doc.range[2]));
}

describe.skipIf(skip)('enable and disable on every conformance spec', () => {
  let validate: (cluster: unknown) => string[];
  beforeAll(() => {
    validate = clusterValidator();
  });

  const modes: { name: string; options: Omit<EnableOptions, 'source'> }[] = [
    { name: 'log, any kops version', options: { policy, backend: 'log' } },
    {
      name: 'log,webhook, kops 1.28',
      options: {
        policy,
        backend: 'log,webhook',
        webhookConfig: kubeconfig,
        kopsVersion: parseKopsVersion('1.28.0')!,
        webhookFields: { auditWebhookBatchMaxWait: '5s' },
      },
    },
    {
      name: 'webhook only, kops 1.25',
      options: {
        policy,
        backend: 'webhook',
        webhookConfig: kubeconfig,
        kopsVersion: parseKopsVersion('1.25.0')!,
      },
    },
  ];

  for (const file of specs) {
    for (const mode of modes) {
      it(`${file} (${mode.name})`, () => {
        const before = readFileSync(path.join(specsDir, file), 'utf8');
        const options = { ...mode.options, source: file };
        if (hasHandWrittenSetup.has(file)) {
          // The kops docs' own example setup: left alone without --force.
          expect(() => planEnable(before, options)).toThrow(ConflictError);
          options.force = true;
        }
        const plan = planEnable(before, options);
        expect(plan.changed).toBe(true);

        // The result is a valid kops Cluster (closed schema: no unknown or misspelt fields added).
        const cluster = clusterObject(plan.after);
        const beforeErrors = validate(toV1alpha2Subset(clusterObject(before)));
        expect(validate(toV1alpha2Subset(cluster))).toEqual(beforeErrors);
        const assets = cluster.spec.fileAssets as { name: string; roles: string[]; content: string }[];
        const ours = assets.find((a) => a.name === 'kops-audit-policy')!;
        expect(ours.content.endsWith(policy.text)).toBe(true);
        // Roles: the control plane's name for the version (both without one), plus APIServer nodes.
        const version = mode.options.kopsVersion;
        const controlPlane = !version
          ? ['Master', 'ControlPlane']
          : version.minor >= 26
            ? ['ControlPlane']
            : ['Master'];
        const apiServerNodes = /\n {2}role: APIServer\n/.test(before);
        expect(ours.roles).toEqual(apiServerNodes ? [...controlPlane, 'APIServer'] : controlPlane);

        // Other documents are byte-identical; for a spec without a setup, only lines are added.
        expect(otherDocuments(plan.after)).toEqual(otherDocuments(before));
        if (!hasHandWrittenSetup.has(file) && !before.includes('auditWebhookBatchMaxWait')) {
          const removed = diffLines(before, plan.after).filter((part) => part.removed);
          expect(removed).toEqual([]);
        }
        // Webhook credentials never reach the diff or the change list.
        expect(plan.diff).not.toContain('s3cr3t-token');
        expect(JSON.stringify(plan.changes)).not.toContain('s3cr3t-token');

        // Idempotent.
        const again = planEnable(plan.after, { ...options, force: false });
        expect(again.changed).toBe(false);
        expect(again.after).toBe(plan.after);

        // disable removes exactly what enable added.
        const disabled = planDisable(plan.after, { source: file });
        if (hasHandWrittenSetup.has(file)) {
          expect(readFileSync(path.join(specsDir, file), 'utf8')).toBe(before);
          expect(disabled.after).not.toContain('kops-audit');
        } else {
          expect(disabled.after).toBe(before);
        }
      });
    }
  }
});

/**
 * The CRD serves only v1alpha2; v1alpha3 (minimal_azure) differs elsewhere in spec (cloudProvider
 * is an object), so for it only the parts kops-audit writes are checked.
 */
function toV1alpha2Subset(cluster: { apiVersion: string; spec: Record<string, unknown> }): unknown {
  if (cluster.apiVersion !== 'kops.k8s.io/v1alpha3') return cluster;
  const { fileAssets, kubeAPIServer } = cluster.spec;
  return { ...cluster, apiVersion: 'kops.k8s.io/v1alpha2', spec: { fileAssets, kubeAPIServer } };
}
