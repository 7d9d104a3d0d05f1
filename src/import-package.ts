import { launcherServices } from './launcher-services.js';

// The ES-module-only packages, imported on first use (only cluster mode and prompts need them), and
// through the launcher when it runs us (see launcher-services.ts).

export async function importExeca(): Promise<typeof import('execa')> {
  const lent = launcherServices();
  return lent ? ((await lent.importPackage('execa')) as typeof import('execa')) : import('execa');
}

export async function importPrompts(): Promise<typeof import('@inquirer/prompts')> {
  const lent = launcherServices();
  return lent
    ? ((await lent.importPackage('@inquirer/prompts')) as typeof import('@inquirer/prompts'))
    : import('@inquirer/prompts');
}
