/**
 * Which audit policy `enable` ships: `--policy basic|gce|PATH`, or, at a terminal without --policy,
 * the user's choice. The policy is validated as kube-apiserver would before anything is planned.
 */
import { Writable } from 'node:stream';
import { input, select } from '@inquirer/prompts';
import { InterruptedError, UsageError } from '../errors.js';
import type { Ctx } from '../io.js';
import type { SourcedText } from '../spec/apply.js';
import {
  isTemplate,
  readPolicyArgWithWarnings,
  readPolicySource,
  writePolicyWarnings,
} from './policy-arg.js';

export const DEFAULT_POLICY = 'gce';

/**
 * The policy text for `--policy VALUE` (shared reader of policy-arg.ts), validated as kube-apiserver
 * would; a PolicyError lists every problem. The shipped templates are validated by the tests
 * (test/unit/cli/spec-flags.test.ts) and not loaded again here, which keeps enable's start-up close
 * to bare node's.
 */
export async function readPolicyChoice(value: string, ctx: Ctx, specFromStdin = false): Promise<SourcedText> {
  if (value === '-' && specFromStdin) {
    throw new UsageError('--policy - and -f - cannot both read stdin.', {
      hint: 'Give the policy as a file (--policy PATH) when the spec comes from stdin.',
    });
  }
  if (isTemplate(value)) {
    const { text, source } = await readPolicySource(value, ctx);
    return { source, text };
  }
  const { loaded, warnings } = await readPolicyArgWithWarnings(value, ctx);
  writePolicyWarnings(ctx, value, warnings);
  return { source: value, text: loaded.text };
}

/** May we ask? Only when a person is at the terminal on both ends (never decided by trying). */
export function canPrompt(ctx: Ctx): boolean {
  return ctx.io.stdinIsTTY && ctx.io.stderr.isTTY;
}

/** Ask which policy to use (basic, gce or a file), writing the prompt to stderr. Ctrl-C exits 130. */
export async function askPolicy(ctx: Ctx): Promise<string> {
  try {
    return await promptPolicy(ctx);
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new InterruptedError('Interrupted: no policy chosen; nothing was changed.');
    }
    throw error;
  }
}

async function promptPolicy(ctx: Ctx): Promise<string> {
  const output = new Writable({
    write(chunk, _encoding, done) {
      ctx.io.stderr.write(String(chunk));
      done();
    },
  });
  const context = { input: ctx.io.stdin, output };
  const choice = await select(
    {
      message: 'Which audit policy should kube-apiserver use?',
      default: DEFAULT_POLICY,
      choices: [
        {
          name: 'gce',
          value: 'gce',
          description: "kube-up's GCE policy: far fewer events, bodies for writes (recommended)",
        },
        { name: 'basic', value: 'basic', description: 'every request at Metadata: complete but noisy' },
        { name: 'a file...', value: 'file', description: 'your own audit.k8s.io/v1 Policy file' },
      ],
    },
    context,
  );
  if (choice !== 'file') return choice;
  return input({ message: 'Policy file:', required: true }, context);
}
