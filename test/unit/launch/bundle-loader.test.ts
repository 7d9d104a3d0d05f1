import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { BundleLoader, cacheVariant, compileCacheDir } from '../../../src/launch/bundle-loader.js';

/** A dist/ with one small bundle, and a cache directory beside it (not yet made). */
function setup(source = 'exports.answer = 6 * 7;\nexports.where = __filename;\n') {
  const root = mkdtempSync(path.join(tmpdir(), 'bundle-loader-'));
  const distDir = path.join(root, 'dist');
  mkdirSync(distDir);
  writeFileSync(path.join(distDir, 'demo.cjs'), source);
  const cacheDir = path.join(root, 'cache', 'kops-audit');
  /** `dir` null: caching off. */
  const loader = (hash = 'aaaa', variant = 'enable', dir: string | null = cacheDir) =>
    new BundleLoader({ distDir, hashes: { demo: hash }, cacheDir: dir ?? undefined, variant });
  const cacheFiles = () => {
    try {
      return readdirSync(cacheDir).sort();
    } catch {
      return [];
    }
  };
  return { root, distDir, cacheDir, loader, cacheFiles };
}

/** A run whose cache V8 refused compiles anew, saves a good one, and the next run reads it back. */
function expectReplaced(run: BundleLoader, loader: () => BundleLoader): void {
  expect(run.cacheStatus('demo')).toBe('rejected');
  run.save(true);
  const again = loader();
  again.load('demo');
  expect(again.cacheStatus('demo')).toBe('hit');
}

const cacheName = (hash: string, variant: string) =>
  `demo-${hash}-${variant}-node${process.version}-${process.arch}.v8cache`;

describe('BundleLoader', () => {
  it('runs a bundle as CommonJS, once, with its own __filename and a require relative to it', () => {
    const { distDir, loader } = setup();
    writeFileSync(path.join(distDir, 'helper.cjs'), 'module.exports = "beside";\n');
    writeFileSync(
      path.join(distDir, 'demo.cjs'),
      'globalThis.__demoRuns = (globalThis.__demoRuns ?? 0) + 1;\nexports.helper = require("./helper.cjs");\nexports.dir = __dirname;\n',
    );
    const l = loader();
    const first = l.load('demo') as { helper: string; dir: string };
    expect(first).toEqual({ helper: 'beside', dir: distDir });
    expect(l.load('demo')).toBe(first);
    expect((globalThis as { __demoRuns?: number }).__demoRuns).toBe(1);
  });

  it('keeps line numbers: an error on line 3 of the bundle is reported at line 3', () => {
    const { distDir, loader } = setup('\n\nthrow new Error("line three");\n');
    let stack = '';
    try {
      loader().load('demo');
    } catch (error) {
      stack = (error as Error).stack ?? '';
    }
    expect(stack).toContain(`${path.join(distDir, 'demo.cjs')}:3`);
  });

  it('compiles without a cache the first time, saves one at the end, and reads it back the next time', () => {
    const { cacheDir, loader, cacheFiles } = setup();
    const first = loader();
    expect((first.load('demo') as { answer: number }).answer).toBe(42);
    expect(first.cacheStatus('demo')).toBe('miss');
    expect(cacheFiles()).toEqual([]);
    first.save(true);
    expect(cacheFiles()).toEqual([cacheName('aaaa', 'enable')]);
    // Private to the user: the directory 0700, the file 0600.
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(cacheDir, cacheName('aaaa', 'enable'))).mode & 0o777).toBe(0o600);

    const second = loader();
    expect((second.load('demo') as { answer: number }).answer).toBe(42);
    expect(second.cacheStatus('demo')).toBe('hit');
    const written = statSync(path.join(cacheDir, cacheName('aaaa', 'enable'))).mtimeMs;
    second.save(true);
    expect(statSync(path.join(cacheDir, cacheName('aaaa', 'enable'))).mtimeMs).toBe(written);
  });

  it('replaces the cache of a run that stopped early with that of the next run that finishes', () => {
    // A bundle whose second function is compiled only when a run gets that far (V8 compiles a
    // function on its first call, and a cache holds only what was compiled).
    const { distDir, cacheDir, loader } = setup();
    const body = Array.from({ length: 200 }, (_, i) => `  total += ${i} * n;`).join('\n');
    writeFileSync(
      path.join(distDir, 'demo.cjs'),
      `exports.start = () => 1;\nexports.rest = (n) => {\n  let total = 0;\n${body}\n  return total;\n};\n`,
    );
    const file = path.join(cacheDir, cacheName('aaaa', 'enable'));
    type Demo = { start(): number; rest(n: number): number };

    const failed = loader();
    (failed.load('demo') as Demo).start();
    failed.save(false);
    const early = readFileSync(file);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    utimesSync(file, hourAgo, hourAgo);

    // Another run that fails leaves the early cache alone (V8 takes it; no time spent writing).
    const failedAgain = loader();
    (failedAgain.load('demo') as Demo).start();
    expect(failedAgain.cacheStatus('demo')).toBe('partial');
    failedAgain.save(false);
    expect(statSync(file).mtimeMs).toBe(hourAgo * 1000);

    // A run that finishes replaces it, with the code of `rest` in it.
    const finished = loader();
    const demo = finished.load('demo') as Demo;
    expect(finished.cacheStatus('demo')).toBe('partial');
    expect(demo.rest(1)).toBe(19900);
    finished.save(true);
    expect(readFileSync(file).length).toBeGreaterThan(early.length + 1000);

    const next = loader();
    expect((next.load('demo') as Demo).rest(2)).toBe(39800);
    expect(next.cacheStatus('demo')).toBe('hit');
  });

  it('keeps one cache per command, so each holds the functions its command compiled', () => {
    const { loader, cacheFiles } = setup();
    for (const variant of ['enable', 'none']) {
      const l = loader('aaaa', variant);
      l.load('demo');
      l.save(true);
    }
    expect(cacheFiles()).toEqual([cacheName('aaaa', 'enable'), cacheName('aaaa', 'none')]);
  });

  it('compiles anew, with the same result, when V8 refuses the cache, and replaces it', () => {
    const { cacheDir, loader } = setup();
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, cacheName('aaaa', 'enable')), 'not compiled code at all');
    const l = loader();
    expect((l.load('demo') as { answer: number }).answer).toBe(42);
    expectReplaced(l, loader);
  });

  it('never hands V8 a cache damaged on disk (V8 checks only its header): it is compiled anew', () => {
    const { cacheDir, loader } = setup();
    const first = loader();
    first.load('demo');
    first.save(true);
    const file = path.join(cacheDir, cacheName('aaaa', 'enable'));
    const bytes = readFileSync(file);
    // One flipped bit deep in V8's data, past both headers.
    bytes[bytes.length - 16]! ^= 0x01;
    writeFileSync(file, bytes);
    const damaged = loader();
    expect((damaged.load('demo') as { answer: number }).answer).toBe(42);
    expectReplaced(damaged, loader);
  });

  it('never reads the cache of other bundle bytes (another build hash), even of the same length', () => {
    const { distDir, loader } = setup('exports.answer = 1;\n');
    const old = loader('aaaa');
    old.load('demo');
    old.save(true);
    // A rebuild with other code of the same length: V8 alone would take the old cache.
    writeFileSync(path.join(distDir, 'demo.cjs'), 'exports.answer = 2;\n');
    const rebuilt = loader('bbbb');
    expect((rebuilt.load('demo') as { answer: number }).answer).toBe(2);
    expect(rebuilt.cacheStatus('demo')).toBe('miss');
  });

  it('removes the caches of other builds once they are a month old, and keeps younger ones', () => {
    const { cacheDir, loader, cacheFiles } = setup();
    for (const hash of ['old1', 'new1']) {
      const l = loader(hash);
      l.load('demo');
      l.save(true);
    }
    const monthAgo = (Date.now() - 31 * 24 * 3600 * 1000) / 1000;
    utimesSync(path.join(cacheDir, cacheName('old1', 'enable')), monthAgo, monthAgo);
    const current = loader('cccc');
    current.load('demo');
    current.save(true);
    expect(cacheFiles()).toEqual([cacheName('cccc', 'enable'), cacheName('new1', 'enable')]);
  });

  it('keeps nothing when caching is off, and a cache that cannot be written is no error', () => {
    const { root, loader, cacheFiles } = setup();
    const off = loader('aaaa', 'enable', null);
    off.load('demo');
    expect(off.cacheStatus('demo')).toBe('off');
    off.save(true);
    expect(cacheFiles()).toEqual([]);

    // A cache directory that cannot be made, whoever runs the test (root ignores permissions):
    // its parent is a file.
    const notADirectory = path.join(root, 'a-file');
    writeFileSync(notADirectory, '');
    const l = loader('aaaa', 'enable', path.join(notADirectory, 'kops-audit'));
    expect((l.load('demo') as { answer: number }).answer).toBe(42);
    expect(() => l.save(true)).not.toThrow();
  });
});

describe('BundleLoader where the cache cannot be written', () => {
  it('does not spend time compiling code into a cache it cannot write', () => {
    const { cacheDir, loader, cacheFiles } = setup();
    // The temporary file cannot be made, whoever runs the test (root ignores permissions): its
    // name is taken by a directory.
    mkdirSync(path.join(cacheDir, `${cacheName('aaaa', 'enable')}.${process.pid}.tmp`), { recursive: true });
    const serialise = vi.spyOn(Script.prototype, 'createCachedData');
    try {
      const l = loader();
      l.load('demo');
      expect(() => l.save(true)).not.toThrow();
      expect(serialise).not.toHaveBeenCalled();
      expect(cacheFiles()).toEqual([`${cacheName('aaaa', 'enable')}.${process.pid}.tmp`]);
    } finally {
      serialise.mockRestore();
    }
  });
});

describe('compileCacheDir', () => {
  it('follows XDG_CACHE_HOME, then the platform convention under the home directory', () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, 'linux')).toBe(
      '/x/cache/kops-audit',
    );
    expect(compileCacheDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.cache/kops-audit');
    expect(compileCacheDir({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Caches/kops-audit');
    // The XDG spec: a relative XDG_CACHE_HOME is ignored.
    expect(compileCacheDir({ XDG_CACHE_HOME: 'cache', HOME: '/home/u' }, 'linux')).toBe(
      '/home/u/.cache/kops-audit',
    );
  });

  it('is off with KOPS_AUDIT_NO_COMPILE_CACHE, or without a home', () => {
    expect(compileCacheDir({ KOPS_AUDIT_NO_COMPILE_CACHE: '1', HOME: '/home/u' }, 'linux')).toBeUndefined();
    expect(compileCacheDir({}, 'linux')).toBeUndefined();
    expect(compileCacheDir({ HOME: 'relative' }, 'linux')).toBeUndefined();
  });
});

describe('cacheVariant', () => {
  it('is the command: the first word that is not a flag, and nothing a file name could abuse', () => {
    expect(cacheVariant(['enable', '-f', 'c.yaml', '--dry-run'])).toBe('enable');
    expect(cacheVariant(['--debug', 'status', '-f', 'x'])).toBe('status');
    expect(cacheVariant(['--version'])).toBe('none');
    expect(cacheVariant(['../../etc/passwd'])).toBe('other');
    expect(cacheVariant(['Enable'])).toBe('other');
  });
});
