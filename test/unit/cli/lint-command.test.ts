/** lint in-process: information (EXEC_LOGGED) is shown but never fails; --strict makes it a warning. */
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { testCtx } from '../../helpers/ctx.js';

async function lint(args: string[]) {
  const ctx = testCtx();
  const code = await main(['lint', ...args], ctx);
  return { code, stdout: ctx.out.text, stderr: ctx.err.text };
}

describe('lint basic (it logs exec at Metadata, as CIS 3.2.2 asks)', () => {
  it('text: an info line and the count, exit 0', async () => {
    const result = await lint(['basic']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^ {2}basic:\d+: info: rules\[0\]: pods\/exec requests are logged by rules\[0\] \(Metadata\)/,
    );
    expect(result.stdout).toMatch(
      /\nbasic: 0 errors, 0 warnings, 1 info; kube-apiserver 1\.36 accepts it\.\n$/,
    );
  });

  it('JSON: under "info", not "warnings" (version 2)', async () => {
    const json = JSON.parse((await lint(['basic', '-o', 'json'])).stdout);
    expect(json).toMatchObject({ version: 2, valid: true, errors: [], warnings: [] });
    expect(json.info.map((d: { code: string }) => d.code)).toEqual(['EXEC_LOGGED']);
  });

  it('--strict: a warning, exit 1', async () => {
    const result = await lint(['basic', '--strict']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/: warning: rules\[0\]: pods\/exec requests are logged/);
    expect(result.stdout).toMatch(/\nbasic: 0 errors, 1 warning; /);
  });
});
