/**
 * enable's last check reads the file assets back as kops will: a block literal written wrongly (here:
 * a chomping indicator that drops the final newline) must stop the write, not ship another policy.
 */
import { describe, expect, it, vi } from 'vitest';
import { InternalError } from '../../../src/errors.js';
import { planEnable } from '../../../src/plan/plan.js';
import { basicPolicy, kopsSpec } from './fixtures.js';

vi.mock('../../../src/spec/text.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/spec/text.js')>();
  return {
    ...original,
    // The bug: `|-` strips the final newline that the content has.
    blockLiteral: (content: string, indent: number, keyIndent: number) =>
      original.blockLiteral(content, indent, keyIndent).replace(/^\|(\d?)\n/, '|$1-\n'),
  };
});

describe('enable: the written policy is read back whole', () => {
  it('refuses to write a policy asset that would read back as other text', () => {
    expect(() => planEnable(kopsSpec(), { source: 'c.yaml', policy: basicPolicy, backend: 'log' })).toThrow(
      InternalError,
    );
    expect(() => planEnable(kopsSpec(), { source: 'c.yaml', policy: basicPolicy, backend: 'log' })).toThrow(
      /the content of the policy file asset/,
    );
  });
});
