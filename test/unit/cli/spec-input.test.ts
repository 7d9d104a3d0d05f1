/** readSpecInput: input that is not a spec at all is named for what it is, before YAML sees it. */
import { describe, expect, it } from 'vitest';
import { readSpecInput } from '../../../src/cli/spec-file.js';
import { testCtx } from '../../helpers/ctx.js';

describe('-f - (stdin)', () => {
  it.each(['enable', 'disable', 'status'] as const)(
    'empty stdin: %s says how to pipe the spec in',
    async (command) => {
      await expect(readSpecInput('-', testCtx({ input: '' }), command)).rejects.toThrow(
        `stdin is empty: pipe the spec in, e.g. \`kops get all NAME -o yaml | kops-audit ${command} -f -\`.`,
      );
    },
  );

  it('only blank lines count as empty', async () => {
    await expect(readSpecInput('-', testCtx({ input: '\n  \n' }), 'enable')).rejects.toThrow(
      /^stdin is empty/,
    );
  });

  it('a NUL byte is binary data', async () => {
    await expect(readSpecInput('-', testCtx({ input: 'kind: Cluster\0\n' }), 'enable')).rejects.toThrow(
      'stdin is not text (it holds binary data); give the YAML kops prints.',
    );
  });

  it('a spec is read as it is, byte order mark included', async () => {
    const text = '\uFEFFapiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\n';
    expect(await readSpecInput('-', testCtx({ input: text }), 'enable')).toEqual({ source: '-', text });
  });
});
