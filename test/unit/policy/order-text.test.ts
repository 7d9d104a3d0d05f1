import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyOrThrow } from '../../../src/policy/load.js';
import { orderPolicy } from '../../../src/policy/order.js';
import { movedRules, orderedPolicyText } from '../../../src/policy/order-text.js';
import type { LoadedPolicy } from '../../../src/policy/types.js';
import { expectGolden } from '../../helpers/golden.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/**
 * The YAML `order` prints: each rule's own text and comments, a comment on each moved rule saying
 * where it was written, the added overlap rules marked with the rules they settle; read back, it is
 * exactly the ordered Policy (kube-apiserver reads the file, not our model of it).
 */

const gceText = readFileSync(path.join(REPO_ROOT, 'templates/gce.yaml'), 'utf8');

function ordered(text: string, prefer: 'quiet' | 'verbose' = 'quiet') {
  const loaded = loadPolicyOrThrow(text, 'p.yaml');
  const result = orderPolicy(loaded.policy, { prefer });
  return { loaded, result, text: orderedPolicyText(loaded, result, { prefer }) };
}

/** The text of rule i as written, from its first line to its last (its comments above it aside). */
function ruleText(loaded: LoadedPolicy, i: number): string {
  const [start, end] = loaded.map.spanOf!(`rules[${i}]`)!;
  return loaded.text.slice(start, end);
}

describe('the ordered policy as YAML', () => {
  it('kube-up GCE under --prefer verbose: every rule as written, moved ones and overlap rules marked', () => {
    const { loaded, result, text } = ordered(gceText, 'verbose');
    expectGolden(text, 'policy/order-gce-verbose.yaml');
    expect(loadPolicyOrThrow(text, 'out').policy).toEqual(result.policy);
    for (let i = 0; i < loaded.policy.rules.length; i++) expect(text).toContain(ruleText(loaded, i));
    for (const i of movedRules(result.rules))
      expect(text).toContain(`# kops-audit order: rules[${i}] as written`);
    expect(text).toContain('the overlap of rules[9] and rules[12] as written');
    expect(text).toContain('the overlap of rules[12] and rules[13] as written');
    // The file's header comments stay.
    expect(text.startsWith(gceText.slice(0, gceText.indexOf('apiVersion')))).toBe(true);
  });

  it('the policy unchanged when nothing moves', () => {
    const basic = readFileSync(path.join(REPO_ROOT, 'templates/basic.yaml'), 'utf8');
    expect(ordered(basic).text).toBe(basic);
  });

  const twoRules = (rules: string) => `apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n${rules}`;

  it('the comments between rules move with the rule below them; the trailer stays', () => {
    const text = twoRules(
      '# broad\n- level: RequestResponse\n  resources: [{group: ""}]\n\n# narrow exception\n- level: None # noisy\n  resources: [{group: "", resources: [events]}]\n# end of rules\nomitStages: [RequestReceived]\n',
    );
    expect(ordered(text).text).toBe(
      twoRules(
        '\n# narrow exception\n# kops-audit order: rules[1] as written\n- level: None # noisy\n  resources: [{group: "", resources: [events]}]\n# broad\n- level: RequestResponse\n  resources: [{group: ""}]\n# end of rules\nomitStages: [RequestReceived]\n',
      ),
    );
  });

  it('CRLF line ends and a dash on its own line are kept', () => {
    const text = twoRules(
      '-\r\n  level: Metadata\r\n  verbs: [get]\r\n- level: None\r\n  verbs: [get]\r\n  users: [a]\r\n',
    ).replace(/(?<!\r)\n/g, '\r\n');
    const out = ordered(text);
    expect(out.text).toContain(
      '- level: None\r\n  verbs: [get]\r\n  users: [a]\r\n-\r\n  level: Metadata\r\n',
    );
    expect(loadPolicyOrThrow(out.text, 'out').policy).toEqual(out.result.policy);
  });

  it('a JSON or flow-style policy is written out afresh, with the same marks', () => {
    const json = JSON.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      rules: [
        { level: 'RequestResponse', resources: [{ group: '' }] },
        { level: 'None', resources: [{ group: '', resources: ['events'] }] },
      ],
    });
    const out = ordered(json);
    expect(out.text).toContain('# kops-audit order: rules[1] as written');
    expect(loadPolicyOrThrow(out.text, 'out').policy).toEqual(out.result.policy);
  });

  it("a rule that uses another rule's anchor is not spliced into a broken file", () => {
    const text = twoRules(
      '- level: RequestResponse\n  resources: &core [{group: ""}]\n- level: None\n  users: [a]\n  resources: *core\n',
    );
    const out = ordered(text);
    expect(loadPolicyOrThrow(out.text, 'out').policy).toEqual(out.result.policy);
  });
});

describe('which rules moved', () => {
  const moved = (written: number[]) => [
    ...movedRules(written.map((w) => ({ rule: { level: 'None' }, written: w }))),
  ];
  it('a narrow rule lifted above a broad one is the one that moved', () => {
    expect(moved([1, 0, 2])).toEqual([1]);
  });
  it('a rule sent to the end is the one that moved, not every rule after it', () => {
    expect(moved([1, 2, 3, 0])).toEqual([0]);
  });
  it('nothing moved', () => {
    expect(moved([0, 1, 2])).toEqual([]);
  });
});
