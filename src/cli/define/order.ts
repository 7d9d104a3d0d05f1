/** Flags and help of order. */
import { Option } from 'commander';
import type { DefineCommand } from './define-command.js';
import { EXAMPLES, examplesHelp } from './flags.js';

export const defineOrder: DefineCommand = (program, ctx, finish) => {
  program
    .command('order')
    .addHelpText('after', examplesHelp(EXAMPLES.order))
    .description(
      'compile a policy whose most specific rule decides (write rules in any order) into the first-match order kube-apiserver reads',
    )
    .argument('<policy>', 'policy file (or basic, gce, - for stdin)')
    .addOption(
      new Option(
        '--prefer <outcome>',
        'when the most specific rules disagree: quiet (the outcome that logs least), verbose (most), none (a conflict)',
      )
        .choices(['quiet', 'verbose', 'none'])
        .default('quiet'),
    )
    .addOption(
      new Option(
        '-o, --output <format>',
        'yaml: each rule as written, with its comments; json: the Policy object',
      )
        .choices(['yaml', 'json'])
        .default('yaml'),
    )
    .action(
      async (policy: string, opts: { prefer: 'quiet' | 'verbose' | 'none'; output: 'yaml' | 'json' }) => {
        const { runOrder } = await import('../commands/order.js');
        finish(await runOrder({ policy, prefer: opts.prefer, output: opts.output }, ctx));
      },
    );
};
