// Bundle the CLI into dist/ with esbuild, as CommonJS files that the launcher compiles through V8's
// code cache (src/launch/): Node 20 keeps no compiled code between runs, and compiling is most of
// what a short command costs (see shared/research/ecosystem.md and the README's Performance section).
//   kops-audit.cjs  the bin: the launcher, small because Node compiles it on every run;
//   cli.cjs         bin.ts, main and every command's flags: all that --help and --version need;
//   app.cjs         what the commands run (yaml, the policy engine, the patcher...), loaded by a command;
//   errors.cjs      the error classes, shared by both so that `instanceof` holds across them;
//   simulate-worker.cjs  the entry of simulate's worker threads.
// execa and @inquirer/prompts (ES modules only) stay in node_modules: only cluster mode and prompts
// load them, through the launcher's import().
import { createHash } from 'node:crypto';
import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });

/** Our imports of src/errors.ts and src/cli/app.ts become requires of their own files in dist/. */
const ownFiles = {
  [path.resolve('src/errors.js')]: './errors.cjs',
  [path.resolve('src/cli/app.js')]: './app.cjs',
};
const sharedFiles = {
  name: 'shared-files',
  setup(b) {
    b.onResolve({ filter: /\/(errors|app)\.js$/ }, (args) => {
      const target = ownFiles[path.resolve(args.resolveDir, args.path)];
      return target ? { path: target, external: true } : undefined;
    });
  },
};

/**
 * commander requires node:child_process when it loads, for executable sub-commands, which kops-audit
 * does not have; that is ~1.5 ms of every start. Give it a stand-in that loads the real module on
 * first use (commander only calls childProcess.spawn).
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)
        ? { path: 'child_process-on-first-use', namespace: 'kops-audit' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'kops-audit' }, () => ({
      contents: "module.exports = { get spawn() { return require('node:child_process').spawn; } };",
      loader: 'js',
    }));
  },
};

const common = {
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // KOPS_AUDIT_NO_MINIFY=1 keeps names readable in CPU profiles.
  minify: process.env.KOPS_AUDIT_NO_MINIFY !== '1',
  sourcemap: 'linked',
  legalComments: 'linked',
  external: ['execa', '@inquirer/prompts'],
  define: {
    __KOPS_AUDIT_VERSION__: JSON.stringify(pkg.version),
    // The sources are ES modules; in a CommonJS bundle, their URL is the bundle file's.
    'import.meta.url': '__kopsAuditModuleUrl',
  },
  banner: { js: 'var __kopsAuditModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: {
      cli: 'src/bin.ts',
      app: 'src/cli/app.ts',
      // simulate-worker: the entry of simulate's worker threads (src/logs/parallel.ts).
      'simulate-worker': 'src/logs/simulate-worker.ts',
    },
    plugins: [sharedFiles, lazyChildProcess],
  }),
  build({ ...common, entryPoints: { errors: 'src/errors.ts' } }),
]);

/** The launcher reads a cache only for the bundle bytes it was made from (bundle-loader.ts). */
const hashes = {};
for (const name of ['cli', 'app']) {
  const bytes = await readFile(new URL(`../dist/${name}.cjs`, import.meta.url));
  hashes[name] = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  // One character outside ASCII makes V8 hold the whole bundle as a two-byte string: twice the
  // memory, and slower to read on every run. esbuild escapes strings but not regular expressions.
  const at = bytes.findIndex((byte) => byte > 0x7f);
  if (at >= 0) {
    const context = bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8');
    throw new Error(
      `dist/${name}.cjs is not ASCII (byte ${at}, in: ${context}). Write that character as an escape (\\uXXXX) in the source.`,
    );
  }
}
await build({
  ...common,
  entryPoints: { 'kops-audit': 'src/launch/kops-audit.ts' },
  define: { ...common.define, __KOPS_AUDIT_BUNDLE_HASHES__: JSON.stringify(hashes) },
  banner: { js: '#!/usr/bin/env node' },
});
await chmod(new URL('../dist/kops-audit.cjs', import.meta.url), 0o755);
