/**
 * lint on the 52 real audit policies in ../shared/conformance/audit-policies (public projects' files,
 * broken ones included; SOURCE.md there says where each comes from): what users really feed it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/errors.js';
import { lintPolicyText } from '../../../src/policy/lint.js';
import { CONFORMANCE_DIR, conformanceMissing } from '../../helpers/paths.js';

const skip = conformanceMissing('audit-policies');
const dir = path.join(CONFORMANCE_DIR, 'audit-policies');
const files = skip
  ? []
  : readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
const lint = (file: string, strict = false) =>
  lintPolicyText(readFileSync(path.join(dir, file), 'utf8'), file, { strict });
const everything = (r: ReturnType<typeof lint>): Diagnostic[] => [...r.errors, ...r.warnings, ...r.info];

describe.skipIf(skip)('lint on the real policies', () => {
  it('reads all 52', () => {
    expect(files).toHaveLength(52);
  });

  // Logging exec is what the CIS benchmark asks for (3.2.2): most real policies do it on purpose.
  it('EXEC_LOGGED is never a warning without --strict; it is information, and a warning with it', () => {
    const valid = files.filter((f) => lint(f).valid);
    expect(valid.length).toBe(43);
    const warned = valid.filter((f) => lint(f).warnings.some((d) => d.code === 'EXEC_LOGGED'));
    expect(warned).toEqual([]);
    const informed = valid.filter((f) => lint(f).info.some((d) => d.code === 'EXEC_LOGGED'));
    expect(informed.length).toBeGreaterThan(0);
    const strict = valid.filter((f) => lint(f, true).warnings.some((d) => d.code === 'EXEC_LOGGED'));
    expect(strict).toEqual(informed);
  });

  it('no message claims that attach or portforward URIs carry a command', () => {
    for (const file of files) {
      for (const strict of [false, true]) {
        for (const d of everything(lint(file, strict))) {
          expect(`${d.message} ${d.fix ?? ''}`, `${file}: ${d.code}`).not.toMatch(
            /(attach|portforward)[^.]*(carr(y|ies)|command)/i,
          );
        }
      }
    }
  });

  it('a refused apiVersion or kind is all that is said about a file (no KIND_MISSING, NO_RULES, unknown fields)', () => {
    const codes = (file: string) => everything(lint(file)).map((d) => d.code);
    expect(codes('032-filter-tool-no-apiversion.yaml')).toEqual(['API_VERSION_MISSING']);
    expect(codes('034-auditsink-not-policy.yaml')).toEqual(['API_VERSION_UNKNOWN', 'KIND_UNKNOWN']);
    for (const file of files) {
      const result = everything(lint(file));
      if (!result.some((d) => /^(API_VERSION|KIND)_/.test(d.code) && d.severity === 'error')) continue;
      expect(
        result.every((d) => /^(API_VERSION|KIND)_/.test(d.code) && d.severity === 'error'),
        file,
      ).toBe(true);
    }
  });

  it('a file that is not YAML gets one error, the first, on a line with text (not a comment)', () => {
    const at = (file: string) => lint(file).errors.map((d) => [d.code, d.line]);
    expect(at('019-kops-user-broken-v1beta1.yaml')).toEqual([['YAML_SYNTAX', 11]]);
    for (const file of files) {
      const syntax = lint(file).errors.filter((d) => d.code === 'YAML_SYNTAX');
      expect(syntax.length, file).toBeLessThanOrEqual(1);
      if (syntax.length === 0) continue;
      const line = readFileSync(path.join(dir, file), 'utf8').split('\n')[syntax[0]!.line! - 1]!;
      expect(line, file).toMatch(/^\s*[^\s#]/);
    }
  });

  it('a typo in a resources entry says which group it now opens and at what level (openshift, selectel)', () => {
    const unknown = (file: string) =>
      lint(file).warnings.filter(
        (d) => d.code === 'UNKNOWN_FIELD' && /\.resources\[\d+\]\./.test(d.field ?? ''),
      );
    expect(unknown('008-openshift-writerequestbodies.yaml').map((d) => d.message)).toEqual([
      expect.stringContaining(
        'every resource and subresource of the machineconfiguration.openshift.io group, so every request for them that reaches rules[2] now lands at its level, Metadata',
      ),
    ]);
    expect(unknown('035-selectel-mks.yaml').map((d) => d.message)).toEqual([
      expect.stringContaining(
        'of the core group (no group is given), so every request for them that reaches rules[8] now lands at its level, None (not logged)',
      ),
    ]);
  });

  it('CREDENTIALS_LOGGED names the secrets a rule is limited to (kkp: usersshkeys)', () => {
    const found = lint('012-kkp-recommended.yaml').warnings.filter((d) => d.code === 'CREDENTIALS_LOGGED');
    expect(found.map((d) => d.message)).toEqual([
      expect.stringMatching(/^rules\[0\] logs secrets named "usersshkeys" at RequestResponse: /),
    ]);
  });
});
