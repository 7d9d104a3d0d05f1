// Bundle the CLI into dist/ so start-up loads one file instead of hundreds of small ESM modules
// (Node 20 has no compile cache; see shared/research/ecosystem.md). Heavy modules that only some
// commands need (execa, prompts, ajv) are dynamic imports and land in their own chunks.
import { chmod, readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/bin.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: false,
  external: ['execa', '@inquirer/prompts'],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { __KOPS_AUDIT_VERSION__: JSON.stringify(pkg.version) },
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await chmod(new URL('../dist/cli.mjs', import.meta.url), 0o755);
