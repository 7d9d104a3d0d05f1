/**
 * The check every edit passes before anything is written (apply.ts reparseEdited): only the Cluster
 * document is parsed again, so the check must still catch every way an edit could spill out of it.
 */
import { describe, expect, it } from 'vitest';
import { reparseEdited } from '../../../src/spec/apply.js';
import { parseSpec } from '../../../src/spec/document.js';

const before = `# fleet: eu
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: nodes
spec:
  role: Node
---
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: c.example.com
spec:
  channel: stable
---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: control-plane
spec:
  role: ControlPlane
`;
const original = parseSpec(before, 'c.yaml');
const fail = (what: string): never => {
  throw new Error(what);
};
const check = (after: string) => reparseEdited(before, after, original, fail);
const edited = before.replace(
  '  channel: stable\n',
  '  channel: stable\n  kubeAPIServer:\n    auditLogMaxAge: 30\n',
);

describe('reparseEdited', () => {
  it('accepts an edit inside the Cluster, with offsets and documents of the whole file', () => {
    const reparsed = check(edited);
    expect(reparsed.text).toBe(edited);
    expect(reparsed.docs).toHaveLength(3);
    expect(reparsed.cluster.index).toBe(1);
    const value = reparsed.cluster.spec.getIn(['kubeAPIServer', 'auditLogMaxAge'], true) as {
      range: number[];
    };
    expect(edited.slice(value.range[0], value.range[1])).toBe('30');
    expect(reparsed.instanceGroups.map((g) => g.role)).toEqual(['Node', 'ControlPlane']);
  });

  it('refuses a change to any byte outside the Cluster', () => {
    expect(() => check(edited.replace('# fleet: eu', '# fleet: us'))).toThrow('a byte outside the Cluster');
    expect(() => check(edited.replace('role: ControlPlane', 'role: Master'))).toThrow(
      'a byte outside the Cluster',
    );
  });

  it('refuses a Cluster that no longer ends with a line break before the next ---', () => {
    // Parsed alone the Cluster is fine; in the file, `---` would become part of its last value.
    const glued = before.replace('  channel: stable\n---', '  channel: stable---');
    expect(() => check(glued)).toThrow('no longer ends with a line break');
  });

  it('refuses an edit that splits the Cluster into two documents', () => {
    expect(() => check(before.replace('  channel: stable\n', '  channel: stable\n---\nfoo: 1\n'))).toThrow(
      'the documents of the file changed',
    );
  });

  it('refuses YAML that does not parse, naming the line in the whole file', () => {
    expect(() => check(before.replace('  channel: stable\n', '  channel: stable\n   bad: indent\n'))).toThrow(
      /does not parse: c\.yaml:14:/,
    );
  });

  it('refuses a renamed Cluster', () => {
    expect(() => check(before.replace('name: c.example.com', 'name: d.example.com'))).toThrow(
      'the Cluster name or apiVersion changed',
    );
  });
});
