/**
 * SpecEditor.batch: several edits made against one parse and applied together (enable adds the
 * policy asset and the audit fields this way, with one parse instead of two).
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { planEnable } from '../../../src/plan/plan.js';
import { parseSpec } from '../../../src/spec/document.js';
import { SpecEditor } from '../../../src/spec/edit.js';
import { basicPolicy } from './fixtures.js';

const spec = (tail: string) =>
  `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: c.example.com\nspec:\n  channel: stable\n${tail}`;

describe('SpecEditor.batch', () => {
  it('two new keys that meet at one place both land, in the order they were made', () => {
    const editor = new SpecEditor(parseSpec(spec('  kubernetesVersion: 1.30.2\n'), 'c.yaml'));
    editor.batch(() => {
      editor.setValue([], 'fileAssets', [['name', 'a']] as never);
      editor.setValue([], 'kubeAPIServer', [['auditLogMaxAge', 30]]);
    });
    expect(editor.text).toBe(
      spec(
        '  fileAssets:\n    name: a\n  kubeAPIServer:\n    auditLogMaxAge: 30\n  kubernetesVersion: 1.30.2\n',
      ),
    );
  });

  it('a spec whose last line has no newline gets one newline, not one per insertion', () => {
    // Both keys go after the last line, `cloudProvider: aws`, which ends the file without "\n".
    const text = spec('  cloudProvider: aws');
    const after = planEnable(text, { source: 'c.yaml', policy: basicPolicy, backend: 'log' }).after;
    expect(after).toContain('  cloudProvider: aws\n  fileAssets:\n');
    expect(after).not.toMatch(/\n\s*\n {2}kubeAPIServer:/);
    const doc = parseAllDocuments(after, { version: '1.1' })[0]!;
    expect(doc.errors).toEqual([]);
    expect(doc.getIn(['spec', 'kubeAPIServer', 'auditLogMaxAge'])).toBe(30);
  });

  it('an insertion where a removed line began goes in its place, whatever the order of the two', () => {
    // `aaa` sorts before `channel`, so it is inserted where the removed `channel` line starts.
    for (const insertFirst of [false, true]) {
      const editor = new SpecEditor(parseSpec(spec('  kubernetesVersion: 1.30.2\n'), 'c.yaml'));
      editor.batch(() => {
        if (insertFirst) editor.setValue([], 'aaa', 'x');
        editor.removeKey([], 'channel');
        if (!insertFirst) editor.setValue([], 'aaa', 'x');
      });
      expect(editor.text).toBe(
        spec('  kubernetesVersion: 1.30.2\n').replace('  channel: stable\n', '  aaa: x\n'),
      );
    }
  });

  it('refuses edits that overlap rather than splice shifted text', () => {
    const editor = new SpecEditor(parseSpec(spec('  kubeAPIServer:\n    auditLogMaxAge: 7\n'), 'c.yaml'));
    expect(() =>
      editor.batch(() => {
        editor.setValue(['kubeAPIServer'], 'auditLogMaxAge', 30);
        editor.setValue(['kubeAPIServer'], 'auditLogMaxAge', 31);
      }),
    ).toThrow(/overlapping spec edits/);
  });

  it('edits made outside a batch still see each other (each is parsed again)', () => {
    const editor = new SpecEditor(parseSpec(spec('  kubernetesVersion: 1.30.2\n'), 'c.yaml'));
    editor.setValue([], 'kubeAPIServer', [['auditLogMaxAge', 30]]);
    editor.setValue(['kubeAPIServer'], 'auditLogMaxAge', 31);
    expect(editor.text).toBe(spec('  kubeAPIServer:\n    auditLogMaxAge: 31\n  kubernetesVersion: 1.30.2\n'));
  });
});
