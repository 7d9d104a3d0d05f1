import { launcherServices } from '../launcher-services.js';

export type AppModule = typeof import('./app.js');

/**
 * The code the commands run (app.ts), loaded when a command runs and never for --help or --version.
 * Built, it is dist/app.cjs, compiled by the launcher through its code cache; under the tests, the
 * sources.
 */
export async function loadApp(): Promise<AppModule> {
  const lent = launcherServices();
  return lent ? (lent.loadBundle('app') as AppModule) : import('./app.js');
}
