import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { loadPolicyOrThrow } from '../../../src/policy/load.js';
import { testCtx } from '../../helpers/ctx.js';
import { expectGolden } from '../../helpers/golden.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/**
 * `kops-audit order POLICY [--prefer quiet|verbose|none] [--output yaml|json]` (issue 12), run in
 * process through cli/main: the ordered policy on stdout, what moved on stderr; conflicts exit 1 with
 * nothing on stdout and each conflict on stderr.
 */

const template = (name: string) => readFileSync(path.join(REPO_ROOT, 'templates', `${name}.yaml`), 'utf8');

async function order(args: string[], input?: string) {
  const ctx = testCtx(input === undefined ? {} : { input });
  const code = await main(['order', ...args], ctx);
  return { code, stdout: ctx.out.text, stderr: ctx.err.text };
}

/** Rules 0 (None on core events), 1 (Request on sweeps by two groups) and 2 (RequestResponse on core). */
const CIRCLE_OF_GROUPS = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    userGroups: ["quiet-team"]
    resources: [{group: "", resources: ["events"]}]
  - level: Request
    userGroups: ["sweepers"]
    verbs: ["deletecollection"]
  - level: RequestResponse
    resources: [{group: ""}]
`;

describe('kops-audit order', () => {
  it('--help', async () => {
    const result = await order(['--help']);
    expect(result.code).toBe(0);
    expectGolden(result.stdout, 'policy/help-order.txt');
  });

  it('gce: the one rule that moves is marked, the rest is the template as written', async () => {
    const result = await order(['gce']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('gce: moved rules[13] (as written) (--prefer quiet).\n');
    const gce = template('gce');
    const block13 = gce.slice(gce.indexOf('  # 13.'), gce.indexOf('  # 14.'));
    const block12 = gce.slice(gce.indexOf('  # 12.'), gce.indexOf('  # 13.'));
    const marked = block13.replace('  - level', '  # kops-audit order: rules[13] as written\n  - level');
    expect(result.stdout).toBe(gce.replace(block12 + block13, marked + block12));
  });

  it('basic: nothing moves, said on stderr, the policy printed unchanged', async () => {
    const result = await order(['basic']);
    expect(result).toEqual({
      code: 0,
      stdout: template('basic'),
      stderr:
        'basic: nothing moves: the rules as written already give every request the outcome of its most specific rules (--prefer quiet).\n',
    });
  });

  it('--prefer verbose --output json: the Policy object, with the two overlap rules', async () => {
    const result = await order(['gce', '--prefer', 'verbose', '--output', 'json']);
    expect(result.code).toBe(0);
    const policy = JSON.parse(result.stdout);
    expect(policy).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy' });
    expect(policy.rules).toHaveLength(19);
    expect(loadPolicyOrThrow(result.stdout, 'out').policy).toEqual(policy);
    expectGolden(result.stderr, 'policy/order-gce-verbose-stderr.txt');
  });

  it('--prefer none: every conflict on stderr with both rules, a request and the fix; exit 1, stdout empty', async () => {
    const result = await order(['gce', '--prefer', 'none']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expectGolden(result.stderr, 'policy/order-gce-none.txt');
  });

  it('an overlap no rule can express is a conflict: no policy on stdout (with --output json, the error object)', async () => {
    for (const output of ['yaml', 'json']) {
      const result = await order(['-', '--prefer', 'verbose', '--output', output], CIRCLE_OF_GROUPS);
      expect(result.code).toBe(1);
      if (output === 'yaml') expect(result.stdout).toBe('');
      else {
        const { version, error } = JSON.parse(result.stdout);
        expect(version).toBe(1);
        expect(error.exitCode).toBe(1);
        expect(error.message).toMatch(/conflict/i);
        expect(error.diagnostics.length).toBeGreaterThan(0);
      }
      expectGolden(result.stderr, 'policy/order-inexpressible.txt');
    }
  });

  it('a circle no overlap rule settles: each rule of it that must come first, with its request', async () => {
    const circle = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: Metadata
    namespaces: ["ns1"]
  - level: RequestResponse
    namespaces: ["ns1", ""]
  - level: RequestResponse
    verbs: ["get", "delete"]
  - level: None
    verbs: ["delete"]
  - level: Request
    resources: [{group: "", resources: ["*/scale"], resourceNames: ["n2", "n1"]}]
`;
    const result = await order(['-', '--prefer', 'verbose'], circle);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expectGolden(result.stderr, 'policy/order-circle.txt');
  });

  it('a policy kube-apiserver refuses is refused here too', async () => {
    const result = await order(['test/fixtures/policy/refused.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/kube-apiserver would refuse this audit policy/);
  });

  it('an unknown --prefer is a usage error', async () => {
    const result = await order(['gce', '--prefer', 'loud']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--prefer/);
  });
});
