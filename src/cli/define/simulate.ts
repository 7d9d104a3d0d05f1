/** Flags and help of simulate. */
import { Option } from 'commander';
import { SQL_DIALECTS } from '../../logs/sql-dialects.js';
import type { SimulateFlags } from '../commands/simulate.js';
import type { DefineCommand } from './define-command.js';
import { collect, EXAMPLES, examplesHelp, orderOptions, POLICY_ARG_HELP, parsePolicyOrder } from './flags.js';

export const defineSimulate: DefineCommand = (program, ctx, finish) => {
  const command = program
    .command('simulate')
    .addHelpText('after', examplesHelp(EXAMPLES.simulate))
    .description('replay an audit log through policies: what each would log, and what it would cost')
    .option('--policy <policy>', `${POLICY_ARG_HELP}; repeat to compare (the first is the baseline)`, collect)
    .option('--events <file>', 'kube-apiserver audit log: JSON lines, gzip, or - for stdin')
    .addOption(
      new Option('--emit-sql <dialect>', 'print one SQL query that counts per rule; read no log').choices(
        SQL_DIALECTS,
      ),
    )
    .option('--from <source>', 'the --emit-sql source: a table, or for duckdb a log file path or glob')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .option(
      '--ship-to <url>',
      'add the ingest cost per day of shipping to this destination (as enable --ship-to)',
    )
    .option(
      '--price-per-gb <usd>',
      'the ingest price in US dollars per GB (overrides the list price of --ship-to)',
    )
    .action(async (opts: SimulateFlags & { order?: string; prefer?: string }) => {
      const order = parsePolicyOrder(opts);
      const { parseSimulateFlags, runSimulate } = await import('../commands/simulate.js');
      finish(await runSimulate({ ...parseSimulateFlags(opts), order }, ctx));
    });
  for (const option of orderOptions()) command.addOption(option);
};
