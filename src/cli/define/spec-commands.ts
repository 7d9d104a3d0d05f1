/**
 * Flags and help of the spec commands: enable, disable, status. Each works on a spec file (-f) or,
 * given a cluster name, on the live cluster through kops (cluster mode, src/apply/).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { RawClusterChangeFlags, RawClusterFlags } from '../commands/cluster-options.js';
import type { RawOutputFlags } from '../commands/spec-flags.js';
import type { RawStatusFlags } from '../commands/status.js';
import type { DefineCommand } from './define-command.js';
import {
  auditSettingOptions,
  clusterModeOptions,
  EXAMPLES,
  examplesHelp,
  orderOptions,
  outputOptions,
  requireTarget,
} from './flags.js';

export const defineEnable: DefineCommand = (program, ctx, finish) => {
  const command: Command = program
    .command('enable')
    .addHelpText('after', examplesHelp(EXAMPLES.enable))
    .description('turn on API-server audit logging in a kops cluster spec (file mode: -f FILE or -f -)')
    .argument('[cluster]', 'a cluster name, for cluster mode (through kops)')
    .option(
      '-f, --filename <file>',
      'the kops spec to change (as `kops get all -o yaml` prints it); - for stdin/stdout',
    );
  for (const option of [
    ...auditSettingOptions(),
    ...orderOptions(),
    ...outputOptions(),
    ...clusterModeOptions('enable'),
  ]) {
    command.addOption(option);
  }
  command.action(async (cluster: string | undefined, raw: RawClusterChangeFlags) => {
    const filename = requireTarget('enable', raw.filename, cluster);
    if (filename === undefined) {
      const { runEnableOnCluster } = await import('../commands/cluster-mode.js');
      return finish(await runEnableOnCluster(cluster!, raw, ctx));
    }
    const { runEnable, parseEnableArgs } = await import('../commands/enable.js');
    finish(await runEnable(parseEnableArgs({ ...raw, filename }), ctx));
  });
};

export const defineDisable: DefineCommand = (program, ctx, finish) => {
  const command: Command = program
    .command('disable')
    .addHelpText('after', examplesHelp(EXAMPLES.disable))
    .description('remove what `enable` added to a kops cluster spec (file mode: -f FILE or -f -)')
    .argument('[cluster]', 'a cluster name, for cluster mode (through kops)')
    .option('-f, --filename <file>', 'the kops spec to change; - for stdin/stdout');
  for (const option of [...outputOptions(), ...clusterModeOptions('disable')]) command.addOption(option);
  command.action(async (cluster: string | undefined, raw: RawOutputFlags & RawClusterFlags) => {
    const filename = requireTarget('disable', raw.filename, cluster);
    if (filename === undefined) {
      const { runDisableOnCluster } = await import('../commands/cluster-mode.js');
      return finish(await runDisableOnCluster(cluster!, raw, ctx));
    }
    const { runDisable, parseDisableArgs } = await import('../commands/disable.js');
    finish(await runDisable(parseDisableArgs({ ...raw, filename }), ctx));
  });
};

export const defineStatus: DefineCommand = (program, ctx, finish) => {
  const command = program
    .command('status')
    .addHelpText('after', examplesHelp(EXAMPLES.status))
    .description('show the audit setup of a kops cluster spec and check it (exit 1 when a check fails)')
    .argument('[cluster]', 'a cluster name, for cluster mode (through kops)')
    .option('-f, --filename <file>', 'the kops spec to read; - for stdin')
    .addOption(
      new Option('-o, --output <format>', 'text, or json for one object on stdout')
        .choices(['text', 'json'])
        .default('text'),
    )
    .addOption(
      new Option('--kops-version <version>', 'check for this kops version (default: for every version)'),
    );
  for (const option of clusterModeOptions('status')) command.addOption(option);
  command.action(async (cluster: string | undefined, raw: RawStatusFlags & RawClusterFlags) => {
    const filename = requireTarget('status', raw.filename, cluster);
    if (filename === undefined) {
      const { runStatusOnCluster } = await import('../commands/cluster-mode.js');
      return finish(await runStatusOnCluster(cluster!, raw, ctx));
    }
    const { runStatus, parseStatusArgs } = await import('../commands/status.js');
    finish(await runStatus(parseStatusArgs({ ...raw, filename }), ctx));
  });
};
