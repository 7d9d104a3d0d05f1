import { Command, CommanderError, Option } from 'commander';
import { ExitCode, KopsAuditError, PolicyError, UsageError } from '../errors.js';
import type { Ctx } from '../io.js';
import { VERSION } from '../version.js';
import type { DefineCommand } from './define/define-command.js';
import { defineOrder } from './define/order.js';
import { defineExplain, defineLint, defineRender } from './define/policy-commands.js';
import { defineSimulate } from './define/simulate.js';
import { defineDisable, defineEnable, defineStatus } from './define/spec-commands.js';
import { errorJson, formatDiagnostics, reportedAsJson, toJsonLine } from './output.js';

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
    const words = argv.filter((word) => word !== '--debug');
    // No command: the help, and no error (as kops and kubectl do).
    if (words.length === 0) {
      ctx.io.stdout.write(program.helpInformation());
      return ExitCode.OK;
    }
    if (
      words[0] === 'help' &&
      words[1] !== undefined &&
      !program.commands.some((c) => c.name() === words[1])
    ) {
      // One line, as an unknown command gets: the topic, and what there is help on.
      const topics = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
      throw new UsageError(
        `unknown help topic ${JSON.stringify(words[1])}; kops-audit has help on ${topics.join(', ')}.`,
      );
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, { ctx, debug, argv, program });
  }
}

/** `-o json`, `-ojson`, `--output json` or `--output=json` among the words (the last one given wins). */
function wantsJson(argv: readonly string[]): boolean {
  let json = false;
  argv.forEach((word, i) => {
    const value =
      word === '-o' || word === '--output'
        ? argv[i + 1]
        : word.startsWith('--output=')
          ? word.slice('--output='.length)
          : word.startsWith('-o') && word.length > 2 && !word.startsWith('--')
            ? word.slice(2)
            : undefined;
    if (value !== undefined) json = value === 'json';
  });
  return json;
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

/**
 * The error in words on stderr, and with `--output json` also as one object on stdout,
 * `{"version": 1, "error": {"message", "hint", "exitCode"}}`, so a pipeline reading stdout sees it
 * (unless the command already put it in its own JSON object).
 */
function reportError(error: unknown, context: ErrorContext): number {
  const exitCode = describeError(error, context);
  if (
    exitCode !== ExitCode.OK &&
    wantsJson(context.argv) &&
    !(error instanceof Error && reportedAsJson.has(error))
  ) {
    const usage =
      error instanceof CommanderError
        ? new UsageError(error.message.replace(/^error: /, ''), {
            hint: `Run '${helpCommandFor(context)}' for what it takes.`,
          })
        : error;
    context.ctx.io.stdout.write(toJsonLine({ error: errorJson(usage, exitCode) }));
  }
  return exitCode;
}

/** `kops-audit CMD --help` for the command in argv, or the program's help. */
function helpCommandFor({ argv, program }: Pick<ErrorContext, 'argv' | 'program'>): string {
  const command = program.commands.find((c) => argv.includes(c.name()));
  return command ? `kops-audit ${command.name()} --help` : 'kops-audit --help';
}

function describeError(error: unknown, { ctx, debug, argv, program }: ErrorContext): number {
  const { stderr } = ctx.io;
  if (error instanceof CommanderError) {
    // --help and --version end through exitOverride as "errors" with code 0.
    if (error.exitCode === 0) return ExitCode.OK;
    const message = error.message.replace(/^error: /, '');
    stderr.write(`Error: ${message}\nRun '${helpCommandFor({ argv, program })}' for what it takes.\n`);
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
