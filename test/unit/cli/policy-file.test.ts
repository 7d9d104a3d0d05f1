/** Reading a policy file (--policy PATH): the bytes must be UTF-8, as kube-apiserver requires. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPolicySource } from '../../../src/cli/policy-arg.js';
import { testCtx } from '../../helpers/ctx.js';

const HEAD = 'apiVersion: audit.k8s.io/v1\nkind: Policy\n';

describe('reading a policy file', () => {
  it('a policy file that is not UTF-8 (a Latin-1 accent in a comment) is refused on reading, with its line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    writeFileSync(
      path.join(dir, 'latin1.yaml'),
      Buffer.concat([
        Buffer.from(`${HEAD}# J`),
        Buffer.from([0xfc]),
        Buffer.from('rgen\nrules:\n- level: Metadata\n'),
      ]),
    );
    await expect(readPolicySource('latin1.yaml', testCtx({ cwd: dir }))).rejects.toThrow(
      /^latin1\.yaml:3: the audit policy is not UTF-8 text/,
    );
  });
});
