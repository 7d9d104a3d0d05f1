/**
 * Everything the commands run, behind one module: the definitions in define/ load it when a command
 * runs, never at start-up. The build makes it its own file (dist/app.cjs, see load-app.ts) so that
 * --help and --version load only commander and the flag definitions. Within it, each command's
 * module is initialised only when that command runs: `enable` has no use for the Node modules that
 * reading logs or running kops need (zlib, worker_threads, child_process), and loading them costs.
 */
export const commands = {
  disable: () => import('./commands/disable.js'),
  enable: () => import('./commands/enable.js'),
  explain: () => import('./commands/explain.js'),
  lint: () => import('./commands/lint.js'),
  order: () => import('./commands/order.js'),
  render: () => import('./commands/render.js'),
  simulate: () => import('./commands/simulate.js'),
  status: () => import('./commands/status.js'),
};
