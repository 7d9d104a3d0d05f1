// Bundle the CLI into dist/ (Node 20 has no compile cache, and loading many small ES modules is what
// start-up costs; see shared/research/ecosystem.md). The files:
//   cli.mjs     bin, main and every command's flags: all that --help and --version need;
//   app.mjs     what the commands run (yaml, the policy engine, the patcher...), loaded by a command;
//   errors.mjs  the error classes, shared by both so that `instanceof` holds across them;
//   simulate-worker.mjs  the entry of simulate's worker threads.
// execa and @inquirer/prompts stay in node_modules: only cluster mode and prompts load them.
import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });

/** Our imports of src/errors.ts and src/cli/app.ts become imports of their own files in dist/. */
const ownFiles = {
  [path.resolve('src/errors.js')]: './errors.mjs',
  [path.resolve('src/cli/app.js')]: './app.mjs',
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

const common = {
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // KOPS_AUDIT_NO_MINIFY=1 keeps names readable in CPU profiles.
  minify: process.env.KOPS_AUDIT_NO_MINIFY !== '1',
  sourcemap: 'linked',
  legalComments: 'linked',
  external: ['execa', '@inquirer/prompts'],
  define: { __KOPS_AUDIT_VERSION__: JSON.stringify(pkg.version) },
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    // simulate-worker: the entry of simulate's worker threads (src/logs/parallel.ts).
    entryPoints: {
      cli: 'src/bin.ts',
      app: 'src/cli/app.ts',
      'simulate-worker': 'src/logs/simulate-worker.ts',
    },
    plugins: [sharedFiles],
  }),
  build({ ...common, entryPoints: { errors: 'src/errors.ts' }, banner: {} }),
]);
await chmod(new URL('../dist/cli.mjs', import.meta.url), 0o755);
