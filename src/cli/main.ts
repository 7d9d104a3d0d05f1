import { Command, CommanderError, Option } from 'commander';
import { ExitCode, KopsAuditError, PolicyError } from '../errors.js';
import type { Ctx } from '../io.js';
import { VERSION } from '../version.js';
import type { DefineCommand } from './define/define-command.js';
import { defineOrder } from './define/order.js';
import { defineExplain, defineLint, defineRender } from './define/policy-commands.js';
import { defineSimulate } from './define/simulate.js';
import { defineDisable, defineEnable, defineStatus } from './define/spec-commands.js';
import { formatDiagnostics } from './output.js';

/**
 * Parse argv, run one command, and map every error to text and an exit code. This is the only place
 * that decides how errors look; `bin.ts` only hands the code to the process.
 */
export async function main(argv: readonly string[], ctx: Ctx): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode: number = ExitCode.OK;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, { ctx, debug, argv, program });
  }
}

/** Every sub-command, in the order `--help` lists them. */
const COMMANDS: DefineCommand[] = [
  defineRender,
  defineEnable,
  defineDisable,
  defineStatus,
  defineExplain,
  defineLint,
  defineOrder,
  defineSimulate,
];

export function buildProgram(ctx: Ctx, finish: (code: number) => void): Command {
  const program = new Command('kops-audit')
    .description('Turn on Kubernetes API-server audit logging for kops clusters, and see what a policy logs.')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(new Option('--debug', 'show stack traces of errors'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      // Usage errors are reported by reportError, with a hint, in one paragraph.
      outputError: () => {},
    });
  for (const define of COMMANDS) define(program, ctx, finish);
  return program;
}

interface ErrorContext {
  ctx: Ctx;
  debug: boolean;
  argv: readonly string[];
  program: Command;
}

function reportError(error: unknown, { ctx, debug, argv, program }: ErrorContext): number {
  const { stderr } = ctx.io;
  if (error instanceof CommanderError) {
    // --help and --version end through exitOverride as "errors" with code 0.
    if (error.exitCode === 0) return ExitCode.OK;
    const message = error.message.replace(/^error: /, '');
    const command = program.commands.find((c) => argv.includes(c.name()));
    const helpCommand = command ? `kops-audit ${command.name()} --help` : 'kops-audit --help';
    stderr.write(`Error: ${message}\nRun '${helpCommand}' for what it takes.\n`);
    return ExitCode.ERROR;
  }
  if (error instanceof KopsAuditError) {
    let text = `Error: ${error.message}\n`;
    if (error instanceof PolicyError && error.diagnostics.length > 0) {
      text += `${formatDiagnostics(error.source ?? 'policy', error.diagnostics)}\n`;
    }
    if (error.hint) text += `Hint: ${error.hint}\n`;
    if (debug && error.stack) text += `${error.stack}\n`;
    stderr.write(text);
    return error.exitCode;
  }
  const detail = error instanceof Error ? error.message : String(error);
  stderr.write(
    `Error: kops-audit failed unexpectedly: ${detail}\n` +
      'This is a bug in kops-audit; please report it with the command you ran and the output of --debug.\n',
  );
  if (debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  return ExitCode.ERROR;
}
