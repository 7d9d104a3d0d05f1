/**
 * What the launcher (src/launch/kops-audit.ts) lends to the bundles it loads. The launcher compiles
 * dist/cli.cjs and dist/app.cjs itself, through V8's code cache, and code compiled that way cannot
 * call `import()`: Node does not give a script read back from a cache its module loader. So the
 * launcher lends its own `import()` for the ES-module-only packages, and its loader for the app
 * bundle. Under the tests, which run the sources, nothing is lent and plain imports are used.
 */
export interface LauncherServices {
  /** `import()` of a package from node_modules (execa, @inquirer/prompts). */
  importPackage(name: string): Promise<unknown>;
  /** The exports of a bundle in dist/, compiled through the code cache. */
  loadBundle(name: 'app'): unknown;
}

export const LAUNCHER_SERVICES = Symbol.for('kops-audit.launcher-services');

export function launcherServices(): LauncherServices | undefined {
  return (globalThis as { [LAUNCHER_SERVICES]?: LauncherServices })[LAUNCHER_SERVICES];
}
