/** Flags and help of simulate. */
import { Option } from 'commander';
import { loadCommand } from '../load-app.js';
import type { DefineCommand } from './define-command.js';
import { collect, orderOptions, POLICY_ARG_HELP, parsePolicyOrder } from './flags.js';

export const defineSimulate: DefineCommand = (program, ctx, finish) => {
  const command = program
    .command('simulate')
    .description('replay an audit log through policies: what each would log, and what it would cost')
    .option('--policy <policy>', `${POLICY_ARG_HELP}; repeat to compare (the first is the baseline)`, collect)
    .option('--events <file>', 'kube-apiserver audit log: JSON lines, gzip, or - for stdin')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(
      async (opts: {
        policy?: string[];
        events?: string;
        output: string;
        order?: string;
        prefer?: string;
      }) => {
        const order = parsePolicyOrder(opts);
        const { parseSimulateFlags, runSimulate } = await loadCommand('simulate');
        finish(await runSimulate({ ...parseSimulateFlags(opts), order }, ctx));
      },
    );
  for (const option of orderOptions()) command.addOption(option);
};
