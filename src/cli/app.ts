/**
 * Everything the commands run, behind one module: the definitions in define/ import it when a command
 * runs, never at start-up. The build makes it its own file (dist/app.cjs, see load-app.ts) so that --help and
 * --version load only commander and the flag definitions.
 */

export { runClusterMode } from './commands/cluster-mode.js';
export { parseDisableArgs, runDisable } from './commands/disable.js';
export { parseEnableArgs, runEnable } from './commands/enable.js';
export { parseExplainFlags, runExplain } from './commands/explain.js';
export { runLint } from './commands/lint.js';
export { runRender } from './commands/render.js';
export { parseSimulateFlags, runSimulate } from './commands/simulate.js';
export { parseStatusArgs, runStatus } from './commands/status.js';
