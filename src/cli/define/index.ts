/**
 * Every sub-command's flags and help, kept apart from the code that runs it: start-up (and --help,
 * --version) loads only this and commander; a command's own module, with yaml and the rest, is
 * imported when that command runs. Node 20 has no compile cache, so what is not loaded is not paid.
 */
import type { Command } from 'commander';
import type { Ctx } from '../../io.js';
import { defineExplain, defineLint, defineRender } from './policy-commands.js';
import { defineSimulate } from './simulate.js';
import { defineDisable, defineEnable, defineStatus } from './spec-commands.js';

/**
 * Adds one sub-command to the program. Its action imports the command's module and calls
 * `finish(exitCode)`; errors are thrown as KopsAuditError and reported by cli/main.
 */
export type DefineCommand = (program: Command, ctx: Ctx, finish: (code: number) => void) => void;

/** Every sub-command, in the order `--help` lists them. */
export const COMMANDS: DefineCommand[] = [
  defineRender,
  defineEnable,
  defineDisable,
  defineStatus,
  defineExplain,
  defineLint,
  defineSimulate,
];
