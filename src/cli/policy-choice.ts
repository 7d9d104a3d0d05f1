/**
 * Which audit policy `enable` ships: `--policy basic|gce|PATH`, or, at a terminal without --policy,
 * the user's choice. The policy is validated as kube-apiserver would before anything is planned.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { loadPolicyOrThrow } from '../policy/load.js';
import type { SourcedText } from '../spec/apply.js';
import { templatePath } from './assets.js';
import type { Ctx } from './io.js';

export const DEFAULT_POLICY = 'gce';
const TEMPLATES = ['basic', 'gce'];

/** The policy text for `--policy VALUE`, validated; a PolicyError lists every problem. */
export async function readPolicyChoice(value: string, ctx: Ctx): Promise<SourcedText> {
  let text: string;
  if (TEMPLATES.includes(value)) {
    // The shipped templates are validated by the tests (test/unit/cli/policy-choice.test.ts); not
    // loading them again here keeps enable's start-up close to bare node's.
    return { source: value, text: await readFile(templatePath(value), 'utf8') };
  } else {
    try {
      text = await readFile(path.resolve(ctx.cwd, value), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        `--policy ${value}: not one of ${TEMPLATES.join(', ')}, and ${code === 'ENOENT' ? 'no file has that name' : `the file cannot be read (${code ?? (error as Error).message})`}.`,
        { hint: 'Use --policy basic, --policy gce, or --policy PATH to an audit.k8s.io/v1 Policy file.' },
      );
    }
  }
  loadPolicyOrThrow(text, value);
  return { source: value, text };
}

/** May we ask? Only when a person is at the terminal on both ends (never decided by trying). */
export function canPrompt(ctx: Ctx): boolean {
  return ctx.io.stdinIsTTY && ctx.io.stderr.isTTY;
}

/** Ask which policy to use (basic, gce or a file), writing the prompt to stderr. */
export async function askPolicy(ctx: Ctx): Promise<string> {
  const { select, input } = await import('@inquirer/prompts');
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
