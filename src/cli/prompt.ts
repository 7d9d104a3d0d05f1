/**
 * The one way kops-audit asks a person something: @inquirer/prompts, drawn on stderr so that stdout
 * keeps only results, and Ctrl-C at a prompt is an InterruptedError (exit 130) saying nothing changed.
 * Tests fake prompts by mocking '@inquirer/prompts' (vi.mock).
 */
import { Writable } from 'node:stream';
import { confirm, input, select } from '@inquirer/prompts';
import { InterruptedError } from '../errors.js';
import type { Ctx } from '../io.js';

const prompts = { confirm, input, select };
type Prompts = typeof prompts;

/** Run `ask` with the prompts and a context that draws on stderr. */
async function withPrompts<T>(
  ctx: Ctx,
  ask: (library: Prompts, context: { input: Ctx['io']['stdin']; output: Writable }) => Promise<T>,
  interrupted: string,
): Promise<T> {
  const output = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        ctx.io.stderr.write(String(chunk));
        done();
      },
    }),
    // Only asked when stderr is a terminal (canPrompt); inquirer reads these to draw.
    { isTTY: true, columns: 80 },
  );
  try {
    return await ask(prompts, { input: ctx.io.stdin, output });
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new InterruptedError(interrupted);
    }
    throw error;
  }
}

/** May we ask? Only when a person is at the terminal on both ends (never decided by trying). */
export function canPrompt(ctx: Ctx): boolean {
  return ctx.io.stdinIsTTY && ctx.io.stderr.isTTY;
}

/** Yes or no, No by default. */
export function confirmOnTerminal(message: string, ctx: Ctx): Promise<boolean> {
  return withPrompts(
    ctx,
    ({ confirm }, context) => confirm({ message, default: false }, context),
    'Interrupted at the prompt; nothing was changed.',
  );
}

export interface Choice {
  value: string;
  description: string;
  /** Shown instead of the value. */
  name?: string;
}

/** One of `choices`; when the one chosen is `askPath`, then a file path. */
export function chooseOnTerminal(
  message: string,
  choices: Choice[],
  options: { default: string; askPath?: { choice: string; message: string } },
  ctx: Ctx,
): Promise<string> {
  return withPrompts(
    ctx,
    async ({ select, input }, context) => {
      const choice = await select(
        {
          message,
          default: options.default,
          choices: choices.map((c) => ({
            name: c.name ?? c.value,
            value: c.value,
            description: c.description,
          })),
        },
        context,
      );
      if (options.askPath === undefined || choice !== options.askPath.choice) return choice;
      return input({ message: options.askPath.message, required: true }, context);
    },
    'Interrupted: nothing was chosen; nothing was changed.',
  );
}
