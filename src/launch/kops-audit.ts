/**
 * The `kops-audit` command (dist/kops-audit.cjs). It stays small, as Node compiles it on every run:
 * it loads dist/cli.cjs (flags and help) through the code cache of bundle-loader.ts, and lends the
 * bundles what code compiled that way cannot do itself (launcher-services.ts).
 */
import { ExitCode } from '../errors.js';
import { LAUNCHER_SERVICES, type LauncherServices } from '../launcher-services.js';
import { BundleLoader, cacheVariant, compileCacheDir } from './bundle-loader.js';

declare const __KOPS_AUDIT_BUNDLE_HASHES__: Record<string, string>;

/**
 * Most commands are done in well under a second, and Node does not exit until V8's background
 * compiler has finished the optimized code it started, which it starts after a few milliseconds of
 * hot code: that wait was 20-30 ms at the end of `enable -f` on a 2-core machine, for code that
 * would never run. A larger budget before a function is optimized (10x V8's default) lets short
 * commands end without it. It is set before any of our code runs (set when the app bundle loads, it
 * helped half as much). Not for the commands that read audit logs, which want optimized code soon
 * (simulate on 200 MB was 8% slower with it), nor for --help and --version, which run nothing hot
 * and would only pay for loading node:v8 (~3 ms).
 */
function tuneForShortRuns(): void {
  // A require here, not an import at the top: this file is built as CommonJS, and only commands
  // should load node:v8.
  const v8 = require('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString('--interrupt-budget=675840');
}

const LOG_COMMANDS = new Set(['simulate', 'explain']);
const variant = cacheVariant(process.argv.slice(2));
if (variant !== 'none' && !LOG_COMMANDS.has(variant)) tuneForShortRuns();

const loader = new BundleLoader({
  distDir: __dirname,
  hashes: __KOPS_AUDIT_BUNDLE_HASHES__,
  cacheDir: compileCacheDir(process.env, process.platform),
  variant,
});

const services: LauncherServices = {
  importPackage: (name) => import(name),
  loadBundle: (name) => loader.load(name),
};
(globalThis as { [LAUNCHER_SERVICES]?: LauncherServices })[LAUNCHER_SERVICES] = services;

// A command that ends in an error (exit 1) or is interrupted may have stopped early; its cache is
// kept, marked so, until a run that finishes replaces it (bundle-loader.ts, save).
process.once('exit', (code) => loader.save(code === ExitCode.OK || code === ExitCode.CHANGES));
loader.load('cli');
