import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../../bench/generate-log.mjs';
import { parseAuditLine, parseSlow } from '../../../src/logs/parse-line.js';
import { scanEvent } from '../../../src/logs/scan-event.js';
import { CONFORMANCE_DIR, conformanceMissing } from '../../helpers/paths.js';

// The fast scanner must give exactly what JSON.parse gives, on every line it accepts, and send every
// other line to JSON.parse. These tests hold it to that on real events, on the synthetic log, and on
// lines broken in the ways logs break (cut off, corrupted, hand-edited).

const EVENTS = 'audit-events/falco-k8s-audit';
const skipReason = conformanceMissing(EVENTS);

function conformanceLines(): string[] {
  const dir = path.join(CONFORMANCE_DIR, EVENTS);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
    .filter((l) => l.trim() !== '');
}

const syntheticLines = [...auditLogLines({ seed: 7, bytes: 400_000 })];

/** Both paths on one line; sizes compared when the line is already in compact re-encoded form. */
function expectAgreement(line: string): void {
  const fast = parseAuditLine(line, 0, line.length, 1, Buffer.byteLength(line) === line.length, false);
  const slow = parseSlow(line, 1);
  if (typeof slow === 'string') {
    expect(fast, line).toBe(slow);
    return;
  }
  expect(typeof fast, line).toBe('object');
  if (typeof fast === 'string') return;
  expect(fast.event, line).toEqual(slow.event);
  if (JSON.stringify(JSON.parse(line)) === line) expect(fast.sizes, line).toEqual(slow.sizes);
}

describe('scanEvent: fast path agrees with JSON.parse', () => {
  it.skipIf(skipReason)(
    'takes every real event (falco) by the fast path, with the same fields and sizes',
    () => {
      const lines = conformanceLines();
      expect(lines.length).toBe(51);
      for (const line of lines) {
        expect(scanEvent(line, 0, line.length, true), line.slice(0, 80)).toBeDefined();
        expectAgreement(line);
      }
    },
  );

  it('takes every synthetic event by the fast path', () => {
    expect(syntheticLines.length).toBeGreaterThan(100);
    for (const line of syntheticLines) {
      expect(scanEvent(line, 0, line.length, true)).toBeDefined();
      expectAgreement(line);
    }
  });

  it('agrees on every prefix of an event (logs cut off mid-line)', () => {
    const line = syntheticLines.find((l) => l.includes('"managedFields"') && l.includes('\\"'))!;
    expect(line).toBeDefined();
    for (let cut = 0; cut <= line.length; cut++) expectAgreement(line.slice(0, cut));
  });

  it('agrees on lines with one character replaced, inserted or deleted', () => {
    const line = syntheticLines.find((l) => l.includes('"requestObject"') && l.includes('"responseObject"'))!;
    const replacements = [
      '"',
      '\\',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      ' ',
      '\t',
      '0',
      '-',
      'e',
      '.',
      'x',
      'u',
      'é',
      '\u0001',
    ];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      const at = random(line.length);
      const ch = replacements[random(replacements.length)]!;
      const mode = random(3);
      const broken =
        mode === 0
          ? line.slice(0, at) + ch + line.slice(at + 1)
          : mode === 1
            ? line.slice(0, at) + ch + line.slice(at)
            : line.slice(0, at) + line.slice(at + 1);
      expectAgreement(broken);
    }
  });

  it.each([
    ['empty object', '{}'],
    ['not an object', '[1,2]'],
    ['a string', '"Event"'],
    ['another kind', '{"kind":"EventList","items":[]}'],
    ['kind not a string', '{"kind":0}'],
    ['spaces between tokens', '{"kind": "Event", "verb": "get"}'],
    ['escaped key', '{"ver\\u0062":"list","user":{"username":"a\\"b"}}'],
    ['duplicate verb (the last wins)', '{"verb":"get","verb":"list"}'],
    ['verb not a string', '{"verb":5,"user":{"username":"u","groups":["a",1]}}'],
    ['groups not an array', '{"user":{"groups":"system:masters"}}'],
    ['numbers of every shape', '{"a":[0,-1,1.5,2e10,-3.25E-7,1e+2],"verb":"get"}'],
    ['bad numbers', '{"a":01}'],
    ['bad escape', '{"a":"\\x"}'],
    ['trailing comma', '{"verb":"get",}'],
    ['unbalanced', '{"requestObject":{"a":[}]}'],
    ['deeply nested', `{"requestObject":${'['.repeat(600)}${']'.repeat(600)}}`],
    ['managedFields only member', '{"responseObject":{"metadata":{"managedFields":[{"manager":"x"}]}}}'],
    [
      'list and table',
      '{"responseObject":{"items":[{"metadata":{"name":"a","managedFields":[1]}},7],"rows":[{"object":{"metadata":{"managedFields":[],"uid":"u"}}}]}}',
    ],
    [
      'non-ASCII',
      '{"verb":"get","requestObject":{"metadata":{"name":"ü","managedFields":["€"]}},"user":{"username":"名"}}',
    ],
    ['control character in a string', '{"verb":"g\u0001et"}'],
  ])('%s', (_name, line) => {
    expectAgreement(line);
  });
});
