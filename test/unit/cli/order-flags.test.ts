import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../../bench/generate-log.mjs';
import { main } from '../../../src/cli/main.js';
import { testCtx } from '../../helpers/ctx.js';
import { expectGolden } from '../../helpers/golden.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/**
 * `--order specific` (with `--prefer`) wherever a policy is read (issue 12, item 2): render, lint,
 * explain, simulate and enable work on the policy compiled most specific first, the one that would be
 * shipped, and name its rules as written.
 */

async function run(args: string[], input?: string) {
  const ctx = testCtx({ ...(input === undefined ? {} : { input }), cwd: REPO_ROOT });
  const code = await main(args, ctx);
  return { code, stdout: ctx.out.text, stderr: ctx.err.text };
}

/** A broad rule written above a narrow exception (the README's example). */
const NARROW_BELOW = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    resources: [{group: ""}]
  - level: Metadata
    resources: [{group: "", resources: ["secrets"]}]
  - level: Metadata
`;

describe('--order specific', () => {
  it('render prints the compiled policy, as kops-audit order does', async () => {
    const rendered = await run(['render', '--policy', 'gce', '--order', 'specific', '--prefer', 'verbose']);
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toBe(
      readFileSync(path.join(REPO_ROOT, 'test/golden/policy/order-gce-verbose.yaml'), 'utf8'),
    );
  });

  it('--prefer without --order specific is a usage error', async () => {
    const result = await run(['render', '--policy', 'gce', '--prefer', 'verbose']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: --prefer applies only with --order specific\./);
  });

  it('explain names the deciding rule as shipped and as written, or the two an overlap rule settles', async () => {
    const sweep = [
      '--user',
      'system:serviceaccount:kube-system:namespace-controller',
      '--verb',
      'deletecollection',
    ];
    const overlap = await run([
      'explain',
      '--policy',
      'gce',
      '--order',
      'specific',
      '--prefer',
      'verbose',
      ...sweep,
      '--resource',
      'events',
      '--namespace',
      'default',
    ]);
    expect(overlap.code).toBe(0);
    expect(overlap.stdout).toContain(
      'Level:   Request, by rules[13] (added by kops-audit order for the overlap of rules[9] and rules[12] as written)',
    );
    const secret = await run([
      'explain',
      '--policy',
      'gce',
      '--order',
      'specific',
      '--user',
      'alice',
      '--verb',
      'update',
      '--resource',
      'secrets',
      '--namespace',
      'default',
      '--output',
      'json',
    ]);
    expect(JSON.parse(secret.stdout)).toMatchObject({
      level: 'Metadata',
      rule: 12,
      asWritten: { rule: 13, line: 108 },
    });
  });

  it('lint checks the compiled policy and names its rules as written; conflicts are errors', async () => {
    const lint = await run(['lint', '-', '--order', 'specific'], NARROW_BELOW);
    expect(lint.code).toBe(0);
    // As written, rules[1] is shadowed; compiled, it decides the Secrets, so no warning names it.
    expect(lint.stdout).not.toContain('RULE_SHADOWED');
    expect(lint.stdout).not.toMatch(/warning: rules\[1\]/);
    expectGolden(lint.stdout, 'policy/lint-order-specific.txt');
    const none = await run(['lint', 'gce', '--order', 'specific', '--prefer', 'none', '--output', 'json']);
    expect(none.code).toBe(1);
    const report = JSON.parse(none.stdout);
    expect(report.errors.map((e: { code: string }) => e.code)).toEqual(new Array(9).fill('ORDER_TIE'));
    expect(report.errors[0]).toMatchObject({ rule: 4, line: 38 });
  });

  it('simulate replays the log through the compiled policies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-order-flags-'));
    const log = path.join(dir, 'audit.log');
    writeFileSync(log, `${[...auditLogLines({ seed: 3, bytes: 300_000 })].join('\n')}\n`);
    const policy = path.join(dir, 'narrow-below.yaml');
    writeFileSync(policy, NARROW_BELOW);
    const simulate = async (...extra: string[]) => {
      const result = await run([
        'simulate',
        '--policy',
        policy,
        '--events',
        log,
        '--output',
        'json',
        ...extra,
      ]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout).policies[0];
    };
    const written = await simulate();
    const specific = await simulate('--order', 'specific');
    // Secrets go to RequestResponse as written and to Metadata compiled: fewer bytes, same events.
    expect(specific.events).toEqual(written.events);
    expect(specific.bytes).toBeLessThan(written.bytes);
  });

  it('enable ships the compiled policy: the file asset holds what kube-apiserver reads', async () => {
    const result = await run([
      'enable',
      '-f',
      'examples/cluster.yaml',
      '--policy',
      'gce',
      '--order',
      'specific',
      '--stdout',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# kops-audit order: rules[13] as written');
  });
});
