// Bundle the CLI into dist/ with esbuild: ES modules with every dependency inside, so the package
// needs nothing installed beside it (DESIGN.md, "No start-up machinery").
//   kops-audit.js       the bin (src/bin.ts): turns on Node's compile cache, then imports the CLI;
//   simulate-worker.js  the entry of simulate's worker threads (src/logs/parallel.ts finds it beside
//                       the chunk it is built into, so chunks stay in dist/ itself);
//   *-HASH.js           the chunks esbuild splits out: the CLI that bin.ts imports, and the code it
//                       shares with the worker.
import { chmod, readdir, readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist/', import.meta.url);
await rm(dist, { recursive: true, force: true });

await build({
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
