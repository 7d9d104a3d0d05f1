import type { Command } from 'commander';
import type { Ctx } from '../../io.js';

/**
 * Adds one sub-command, its flags and help to the program. Its action runs the command and calls
 * `finish(exitCode)`; errors are thrown as KopsAuditError and reported by cli/main.
 */
export type DefineCommand = (program: Command, ctx: Ctx, finish: (code: number) => void) => void;
