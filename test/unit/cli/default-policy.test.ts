/** One default policy (issue 11): every command that has a default uses DEFAULT_POLICY, which is gce. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/cli/default-policy.js';
import { buildProgram, main } from '../../../src/cli/main.js';
import { testCtx } from '../../helpers/ctx.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const template = (name: string) => readFileSync(path.join(REPO_ROOT, 'templates', `${name}.yaml`), 'utf8');

describe('the default policy', () => {
  it('is gce: what enable ships and the docs recommend', () => {
    expect(DEFAULT_POLICY).toBe('gce');
  });

  it('render without --policy prints it, and its flag says so in --help', async () => {
    const program = buildProgram(testCtx(), () => {});
    const render = program.commands.find((c) => c.name() === 'render')!;
    expect(render.options.find((o) => o.long === '--policy')!.defaultValue).toBe(DEFAULT_POLICY);
    const ctx = testCtx();
    expect(await main(['render'], ctx)).toBe(0);
    expect(ctx.out.text).toBe(template(DEFAULT_POLICY));
  });

  it('enable without --policy, where it cannot ask, ships the same policy', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kops-audit-default-'));
    writeFileSync(
      path.join(dir, 'cluster.yaml'),
      readFileSync(path.join(REPO_ROOT, 'examples/cluster.yaml')),
    );
    const ctx = testCtx({ cwd: dir });
    expect(await main(['enable', '-f', 'cluster.yaml', '--stdout'], ctx)).toBe(0);
    expect(ctx.out.text).toContain(`kops-audit "${DEFAULT_POLICY}" policy`);
  });
});
