// Bundle the CLI into dist/ with esbuild: ES modules with every dependency inside, so the package
// needs nothing installed beside it (DESIGN.md, "No start-up machinery").
//   kops-audit.js       the bin (src/bin.ts): turns on Node's compile cache, then imports the CLI;
//   simulate-worker.js  the entry of simulate's worker threads (src/logs/parallel.ts finds it beside
//                       the chunk it is built into, so chunks stay in dist/ itself);
//   *-HASH.js           the chunks esbuild splits out: the CLI that bin.ts imports, and the code it
//                       shares with the worker;
//   THIRD-PARTY-LICENSES.txt  the licences of the packages bundled, whose own files no longer ship.
import { chmod, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist/', import.meta.url);
await rm(dist, { recursive: true, force: true });

const { metafile } = await build({
  entryPoints: {
    'kops-audit': 'src/bin.ts',
    'simulate-worker': 'src/logs/simulate-worker.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // KOPS_AUDIT_NO_MINIFY=1 keeps names readable in CPU profiles.
  minify: process.env.KOPS_AUDIT_NO_MINIFY !== '1',
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { __KOPS_AUDIT_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (commander, yaml, cross-spawn...) require Node's built-ins, and an
  // ES module has no `require` of its own.
  banner: {
    js: "import { createRequire as __kopsAuditCreateRequire } from 'node:module'; const require = __kopsAuditCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  metafile: true,
});

// One character outside ASCII makes V8 hold a whole file as a two-byte string: twice the memory, and
// slower to scan on every run. esbuild escapes strings but not regular expressions.
for (const name of await readdir(dist)) {
  if (!name.endsWith('.js')) continue;
  const bytes = await readFile(new URL(name, dist));
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at >= 0) {
    const context = bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8');
    throw new Error(
      `dist/${name} is not ASCII (byte ${at}, in: ${context}). Write that character as an escape (\\uXXXX) in the source.`,
    );
  }
}
await chmod(new URL('kops-audit.js', dist), 0o755);

// MIT, ISC and BSD ask that copies keep the copyright notice: the bundle is a copy.
const packageDirs = new Set();
for (const output of Object.values(metafile.outputs)) {
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    // Modules that tree-shaking dropped entirely are not copied.
    if (match && bytesInOutput > 0) packageDirs.add(match[1]);
  }
}
const notices = [];
for (const dir of [...packageDirs].sort()) {
  const { name, version, license } = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const file = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
  if (!file) throw new Error(`${name} is bundled but has no licence file to ship with it`);
  const text = await readFile(path.join(dir, file), 'utf8');
  notices.push(`${name}@${version} (${license})\n\n${text.trim()}\n`);
}
await writeFile(new URL('THIRD-PARTY-LICENSES.txt', dist), notices.join(`\n${'-'.repeat(72)}\n\n`));
