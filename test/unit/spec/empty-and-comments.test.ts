/**
 * Specs whose kubeAPIServer or fileAssets is empty or holds only comments, and the last check that
 * nothing kops-audit does not own changed. Each case came from trying specs by hand: disable once
 * deleted the key after a list that ended in a comment.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { planDisable, planEnable } from '../../../src/plan/plan.js';
import { basicPolicy } from './fixtures.js';

const enable = (text: string) => planEnable(text, { source: 'c.yaml', policy: basicPolicy, backend: 'log' });
const disable = (text: string) => planDisable(text, { source: 'c.yaml' });
const head = 'apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: c.example.com\nspec:\n';
const instanceGroup =
  'apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\nspec:\n  role: Node\n';

/** The Cluster as kops reads it. */
const clusterOf = (text: string) => parseAllDocuments(text, { version: '1.1' })[0]!.toJS();

describe('a kubeAPIServer that holds only a comment', () => {
  const spec = `${head}  cloudProvider: aws\n  kubeAPIServer:\n    # TODO: audit settings go here\n  kubernetesVersion: v1.34.0\n`;

  it('enable fills it, and disable gives back the same bytes, comment included', () => {
    const enabled = enable(spec).after;
    expect(clusterOf(enabled).spec.kubernetesVersion).toBe('v1.34.0');
    expect(disable(enabled).after).toBe(spec);
  });

  it('disable of a spec enabled earlier keeps the key after it and the comment', () => {
    const enabled = enable(spec).after;
    const after = disable(enabled).after;
    expect(clusterOf(after).spec).toEqual({
      cloudProvider: 'aws',
      kubeAPIServer: null,
      kubernetesVersion: 'v1.34.0',
    });
    expect(after).toContain('    # TODO: audit settings go here\n  kubernetesVersion: v1.34.0\n');
  });

  it('disable keeps a list that follows it too', () => {
    const withList = `${head}  kubeAPIServer:\n    # TODO\n  subnets:\n  - name: a\n`;
    expect(disable(enable(withList).after).after).toBe(withList);
  });
});

describe('a fileAssets list whose last item is followed by a comment', () => {
  it('disable removes the item and keeps the comment and the next key', () => {
    const spec = `${head}  fileAssets:\n  # keep me\n  kubernetesVersion: v1.34.0\n`;
    const enabled = enable(spec).after;
    expect(disable(enabled).after).toBe(spec);
  });
});

describe('an empty value as the last line of the Cluster document', () => {
  it.each([
    ['kubeAPIServer, end of file', `${head}  cloudProvider: aws\n  kubeAPIServer:\n`],
    ['fileAssets, end of file', `${head}  cloudProvider: aws\n  fileAssets:\n`],
    [
      'kubeAPIServer, before another document',
      `${head}  cloudProvider: aws\n  kubeAPIServer:\n---\n${instanceGroup}`,
    ],
  ])('%s: enable fills it (it was refused as a bug)', (_, spec) => {
    const plan = enable(spec);
    expect(plan.changed).toBe(true);
    expect(clusterOf(plan.after).spec.kubeAPIServer.auditPolicyFile).toBe(
      '/srv/kubernetes/kube-apiserver/audit/policy-config.yaml',
    );
    expect(parseAllDocuments(plan.after).length).toBe(parseAllDocuments(spec).length);
    // The documented exception: an empty key that enable filled is removed, not written back empty.
    expect(clusterOf(disable(plan.after).after).spec).toEqual({ cloudProvider: 'aws' });
  });

  it('a spec whose only key enable filled: disable keeps a key, empty, instead of an empty spec', () => {
    const spec = `${head}  kubeAPIServer:\n`;
    const after = disable(enable(spec).after).after;
    // Before, disable refused its own result ("the Cluster's spec is not a mapping").
    expect(Object.values(clusterOf(after).spec)).toEqual([null]);
  });

  it('disable of such a spec without kops-audit changes nothing', () => {
    const spec = `${head}  cloudProvider: aws\n  kubeAPIServer:\n`;
    expect(disable(spec).changed).toBe(false);
  });
});
