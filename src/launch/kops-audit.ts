/**
 * The `kops-audit` command (dist/kops-audit.cjs). It stays small, as Node compiles it on every run:
 * it loads dist/cli.cjs (flags and help) through the code cache of bundle-loader.ts, and lends the
 * bundles what code compiled that way cannot do itself (launcher-services.ts).
 */
import { LAUNCHER_SERVICES, type LauncherServices } from '../launcher-services.js';
import { BundleLoader, cacheVariant, compileCacheDir } from './bundle-loader.js';

declare const __KOPS_AUDIT_BUNDLE_HASHES__: Record<string, string>;

const loader = new BundleLoader({
  distDir: __dirname,
  hashes: __KOPS_AUDIT_BUNDLE_HASHES__,
  cacheDir: compileCacheDir(process.env, process.platform),
  variant: cacheVariant(process.argv.slice(2)),
});

const services: LauncherServices = {
  importPackage: (name) => import(name),
  loadBundle: (name) => loader.load(name),
};
(globalThis as { [LAUNCHER_SERVICES]?: LauncherServices })[LAUNCHER_SERVICES] = services;

process.once('exit', () => loader.save());
loader.load('cli');
