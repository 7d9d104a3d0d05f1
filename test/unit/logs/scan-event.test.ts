import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogLines } from '../../../bench/generate-log.mjs';
import type { AuditRecord } from '../../../src/logs/audit-event.js';
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
  const fast = parseAuditLine(line, 0, line.length, 1, Buffer.byteLength(line) === line.length, false, true);
  const slow = parseSlow(line, 1);
  if (typeof slow === 'string') {
    expect(fast, line).toBe(slow);
    return;
  }
  expect(typeof fast, line).toBe('object');
  if (typeof fast === 'string') return;
  const [fastRecords, slowRecords] = [[fast].flat(), [slow].flat()];
  expect(
    fastRecords.map((r) => r.event),
    line,
  ).toEqual(slowRecords.map((r) => r.event));
  if (JSON.stringify(JSON.parse(line)) === line) {
    expect(
      fastRecords.map((r) => r.sizes),
      line,
    ).toEqual(slowRecords.map((r) => r.sizes));
  }
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

  it('reads every value right, however many there are and in whatever order (strings kept by their bytes)', () => {
    for (let i = 0; i < 20_000; i++) {
      const line = JSON.stringify({
        kind: 'Event',
        verb: `v${i % 7}`,
        requestURI: `/api/v1/${(i * 7919) % 3000}`,
        user: { username: `user-${(i * 104_729) % 6000}`, groups: [`g${i % 13}`, `g${i % 17}`] },
        objectRef: { resource: `r${i % 101}`, name: `n-${i}`.repeat(1 + (i % 9)) },
      });
      expectAgreement(line);
    }
  });

  it.each([
    ['empty object', '{}'],
    ['not an object', '[1,2]'],
    ['a string', '"Event"'],
    ['another kind', '{"kind":"Policy","rules":[]}'],
    ['an EventList', '{"kind":"EventList","items":[{"verb":"get"},{"kind":"Event","verb":"list"},5]}'],
    ['no verb', '{"kind":"Event","stage":"ResponseComplete"}'],
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

/** The sizes without managedFields, which the lazy path does not measure. */
function withoutManaged(record: AuditRecord) {
  return { ...record, sizes: { ...record.sizes, requestManagedFields: 0, responseManagedFields: 0 } };
}

/** Fields always; sizes when the line is in compact re-encoded form (JSON.stringify does not escape & as Go does). */
function expectSameAsSlow(line: string, fast: unknown, slow: AuditRecord): void {
  const f = withoutManaged(fast as AuditRecord);
  const s = withoutManaged(slow);
  expect(f.event, line.slice(0, 80)).toEqual(s.event);
  if (JSON.stringify(JSON.parse(line)) === line) expect(f.sizes, line.slice(0, 80)).toEqual(s.sizes);
}

function lazy(line: string) {
  return parseAuditLine(line, 0, line.length, 1, Buffer.byteLength(line) === line.length, false, false);
}

describe('scanEvent without walking bodies (no policy omits managedFields)', () => {
  it('jumps over the responseObject of kube-apiserver-ordered lines', () => {
    const line = syntheticLines.find((l) => l.includes('"responseObject":{"kind":"List"'))!;
    const scanned = scanEvent(line, 0, line.length, true, false)!;
    const full = scanEvent(line, 0, line.length, true, true)!;
    expect(scanned.event).toEqual(full.event);
    expect(scanned.sizes).toEqual({ ...full.sizes, requestManagedFields: 0, responseManagedFields: 0 });
  });

  it.skipIf(skipReason)('gives the same fields and sizes on every real and synthetic event', () => {
    for (const line of [...conformanceLines(), ...syntheticLines]) {
      const fast = scanEvent(line, 0, line.length, Buffer.byteLength(line) === line.length, false);
      expect(fast, line.slice(0, 80)).toBeDefined();
      expectSameAsSlow(line, lazy(line), parseSlow(line, 1) as AuditRecord);
    }
  });

  it('refuses every cut-off line, as JSON.parse does', () => {
    const line = syntheticLines.find((l) => l.includes('"responseObject"') && l.includes('"requestObject"'))!;
    for (let cut = 0; cut < line.length; cut++) {
      const broken = line.slice(0, cut);
      expect(typeof lazy(broken), `cut at ${cut}`).toBe('string');
    }
  });

  it('refuses raw control characters in the responseObject it did not read, as JSON.parse does', () => {
    const line = syntheticLines.find((l) => l.includes('"responseObject"') && l.includes('"requestObject"'))!;
    const bodyStart = line.indexOf(',"responseObject":');
    const bodyEnd = line.lastIndexOf(',"requestReceivedTimestamp":');
    for (let at = bodyStart + 18; at < bodyEnd; at += 5) {
      for (const ch of ['\u0000', '\u0001', '\t', '\r', '\u001f']) {
        const broken = line.slice(0, at) + ch + line.slice(at + 1);
        const slow = parseSlow(broken, 1);
        // clean: true, so that the scanner itself meets the control character.
        const fast = parseAuditLine(broken, 0, broken.length, 1, true, true, false);
        if (typeof slow === 'string') expect(fast, `${JSON.stringify(ch)} at ${at}`).toBe(slow);
        else expectSameAsSlow(broken, fast, slow as AuditRecord);
      }
    }
  });

  it('accepts a corrupted line only when the damage is inside the responseObject it did not read', () => {
    const line = syntheticLines.find((l) => l.includes('"responseObject"') && l.includes('"requestObject"'))!;
    const bodyStart = line.indexOf(',"responseObject":');
    const bodyEnd = line.lastIndexOf(',"requestReceivedTimestamp":');
    for (let at = 0; at < line.length; at += 7) {
      for (const ch of ['"', '}', ']', ',', 'x', '\\']) {
        const broken = line.slice(0, at) + ch + line.slice(at + 1);
        const slow = parseSlow(broken, 1);
        const fast = lazy(broken);
        if (typeof slow !== 'string') {
          expectSameAsSlow(broken, fast, slow as AuditRecord);
        } else if (typeof fast !== 'string') {
          expect(at, `accepted damage at ${at} (${ch})`).toBeGreaterThan(bodyStart + 17);
          expect(at).toBeLessThan(bodyEnd);
        }
      }
    }
  });
});
