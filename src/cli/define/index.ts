/** Every sub-command's flags and help; each action calls its command's module (cli/commands/). */
import type { Command } from 'commander';
import type { Ctx } from '../../io.js';
import { defineExplain, defineLint, defineRender } from './policy-commands.js';
import { defineSimulate } from './simulate.js';
import { defineDisable, defineEnable, defineStatus } from './spec-commands.js';

/**
 * Adds one sub-command to the program. Its action runs the command and calls `finish(exitCode)`;
 * errors are thrown as KopsAuditError and reported by cli/main.
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
