/**
 * The last check before writing compares, as values, everything in the Cluster that kops-audit does
 * not own. Here a text edit is made to take one line too many (the kind of slip that once deleted
 * the key after kubeAPIServer): the check must stop the write and name the key.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { InternalError } from '../../../src/errors.js';
import { planDisable, planEnable } from '../../../src/plan/plan.js';
import { firstUnrelatedChange } from '../../../src/spec/unrelated.js';
import { basicPolicy, kopsSpec } from './fixtures.js';

const slip = vi.hoisted(() => ({ armed: false }));
vi.mock('../../../src/spec/text.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/spec/text.js')>();
  return {
    ...original,
    // Armed, the next removal also takes the line after it, and disarms.
    splice: (text: string, start: number, end: number, insert: string) => {
      if (slip.armed && insert === '' && text.indexOf('\n', end) >= 0) {
        slip.armed = false;
        return original.splice(text, start, text.indexOf('\n', end) + 1, insert);
      }
      return original.splice(text, start, end, insert);
    },
  };
});

describe('the check that nothing else changed', () => {
  it('stops a disable whose edit took the next key along, naming that key', () => {
    const spec = kopsSpec('    anonymousAuth: false\n');
    const enabled = planEnable(spec, { source: 'c.yaml', policy: basicPolicy, backend: 'log' }).after;
    for (let run = 0; run < 2; run++) {
      slip.armed = true;
      expect(() => planDisable(enabled, { source: 'c.yaml' })).toThrow(
        /does not check out \(spec\.kubernetesVersion changed, which kops-audit does not own\); nothing was written/,
      );
    }
    slip.armed = false;
    expect(() => planDisable(enabled, { source: 'c.yaml' })).not.toThrow();
    expect(() => planDisable(enabled, { source: 'c.yaml' })).not.toThrow(InternalError);
  });
});

describe('firstUnrelatedChange', () => {
  const doc = (spec: string) =>
    parseDocument(`apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n${spec}`, { version: '1.1' });
  const allowed = {
    fields: new Set(['auditLogPath']),
    assetNames: new Set(['kops-audit-policy']),
    assetPaths: new Set(['/etc/old/policy.yaml']),
  };

  it('names a removed or changed key, and the item of a list', () => {
    expect(firstUnrelatedChange(doc('  a: 1\n  b: 2\n'), doc('  a: 1\n'), allowed)).toBe('spec.b');
    expect(firstUnrelatedChange(doc('  a: 1\n'), doc('  a: "1"\n'), allowed)).toBe('spec.a');
    expect(
      firstUnrelatedChange(
        doc('  fileAssets:\n  - name: x\n    path: /x\n'),
        doc('  fileAssets:\n  - name: x\n    path: /y\n'),
        allowed,
      ),
    ).toBe('spec.fileAssets[0].path');
  });

  it('ignores what the edit owns, and reads an empty or null kubeAPIServer or fileAssets as absent', () => {
    expect(
      firstUnrelatedChange(
        doc('  kubeAPIServer: {}\n  fileAssets:\n  - name: old\n    path: /etc/old/policy.yaml\n'),
        doc(
          '  kubeAPIServer:\n    auditLogPath: /l\n  fileAssets:\n  - name: kops-audit-policy\n    path: /p\n',
        ),
        allowed,
      ),
    ).toBeUndefined();
    expect(firstUnrelatedChange(doc('  kubeAPIServer:\n  a: 1\n'), doc('  a: 1\n'), allowed)).toBeUndefined();
    expect(
      firstUnrelatedChange(
        doc('  kubeAPIServer:\n    auditLogMaxAge: 90\n'),
        doc('  kubeAPIServer:\n    auditLogMaxAge: 30\n'),
        allowed,
      ),
    ).toBe('spec.kubeAPIServer.auditLogMaxAge');
  });
});
