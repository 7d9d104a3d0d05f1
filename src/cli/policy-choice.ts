/**
 * Which audit policy `enable` ships: `--policy basic|gce|PATH`, or, at a terminal without --policy,
 * the user's choice. The policy is validated as kube-apiserver would before anything is planned.
 */
import { UsageError } from '../errors.js';
import type { Ctx } from '../io.js';
import type { SourcedText } from '../spec/apply.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { isTemplate, readPolicyArg, readPolicySource, writePolicyWarnings } from './policy-arg.js';
import { AS_WRITTEN, type PolicyOrder, shipPolicy } from './policy-order.js';
import { chooseOnTerminal } from './prompt.js';

/**
 * The policy text for `--policy VALUE` (shared reader of policy-arg.ts), validated as kube-apiserver
 * would; a PolicyError lists every problem. The shipped templates are validated by the tests
 * (test/unit/cli/spec-flags.test.ts) and not loaded again here, which keeps enable's start-up close
 * to bare node's.
 */
export async function readPolicyChoice(
  value: string,
  ctx: Ctx,
  specFromStdin = false,
  order: PolicyOrder = AS_WRITTEN,
): Promise<SourcedText> {
  if (value === '-' && specFromStdin) {
    throw new UsageError('--policy - and -f - cannot both read stdin.', {
      hint: 'Give the policy as a file (--policy PATH) when the spec comes from stdin.',
    });
  }
  if (isTemplate(value) && order.order === 'written') {
    const { text, source } = await readPolicySource(value, ctx);
    return { source, text };
  }
  const { loaded, warnings } = await readPolicyArg(value, ctx);
  writePolicyWarnings(ctx, value, warnings);
  // --order specific ships the compiled policy: the file asset holds what kube-apiserver reads.
  return { source: value, text: shipPolicy(loaded, order).loaded.text };
}

/** Ask which policy to use (basic, gce or a file). Ctrl-C exits 130. */
export function askPolicy(ctx: Ctx): Promise<string> {
  return chooseOnTerminal(
    'Which audit policy should kube-apiserver use?',
    [
      {
        value: 'gce',
        description: "kube-up's GCE policy: far fewer events, bodies for writes (recommended)",
      },
      { value: 'basic', description: 'every request at Metadata: complete but noisy' },
      { value: 'file', name: 'a file...', description: 'your own audit.k8s.io/v1 Policy file' },
    ],
    { default: DEFAULT_POLICY, askPath: { choice: 'file', message: 'Policy file:' } },
    ctx,
  );
}
