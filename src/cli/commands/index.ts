import type { Command } from 'commander';
import type { Ctx } from '../io.js';
import { defineDisable } from './disable.js';
import { defineEnable } from './enable.js';
import { defineExplain } from './explain.js';
import { defineLint } from './lint.js';
import { defineRender } from './render.js';
import { defineStatus } from './status.js';

/**
 * Adds one sub-command to the program. Its action calls `finish(exitCode)`; errors are thrown as
 * KopsAuditError and reported by cli/main. Definitions must be cheap: heavy modules (execa, prompts)
 * are imported inside the action.
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
];
