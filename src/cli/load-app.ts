import { launcherServices } from '../launcher-services.js';

export type AppModule = typeof import('./app.js');
type Commands = AppModule['commands'];

/**
 * The code the commands run (app.ts), loaded when a command runs and never for --help or --version.
 * Built, it is dist/app.cjs, compiled by the launcher through its code cache; under the tests, the
 * sources.
 */
async function loadApp(): Promise<AppModule> {
  const lent = launcherServices();
  return lent ? (lent.loadBundle('app') as AppModule) : import('./app.js');
}

/** One command's module, e.g. `loadCommand('enable')` for runEnable and parseEnableArgs. */
export async function loadCommand<K extends keyof Commands>(
  name: K,
): Promise<Awaited<ReturnType<Commands[K]>>> {
  const app = await loadApp();
  return (await app.commands[name]()) as Awaited<ReturnType<Commands[K]>>;
}
