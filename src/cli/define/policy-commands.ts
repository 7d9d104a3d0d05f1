/** Flags and help of the policy commands: render, explain, lint. */
import { Option } from 'commander';
import { NEWEST_KUBERNETES_VERSION } from '../../policy/version.js';
import type { ExplainFlags } from '../commands/explain.js';
import { DEFAULT_POLICY } from '../default-policy.js';
import type { DefineCommand } from './define-command.js';
import { collect, EXAMPLES, examplesHelp, orderOptions, POLICY_ARG_HELP, parsePolicyOrder } from './flags.js';

export const defineRender: DefineCommand = (program, ctx, finish) => {
  const command = program
    .command('render')
    .addHelpText('after', examplesHelp(EXAMPLES.render))
    .description('print an audit policy (basic, gce, or your file), checked as kube-apiserver would read it')
    .addOption(new Option('--policy <policy>', POLICY_ARG_HELP).default(DEFAULT_POLICY))
    .addOption(
      new Option('-o, --output <format>', 'yaml: the file as written; json: the Policy object')
        .choices(['yaml', 'json'])
        .default('yaml'),
    )
    .action(async (opts: { policy: string; output: 'yaml' | 'json'; order?: string; prefer?: string }) => {
      const order = parsePolicyOrder(opts);
      const { runRender } = await import('../commands/render.js');
      finish(await runRender({ policy: opts.policy, output: opts.output, order }, ctx));
    });
  for (const option of orderOptions()) command.addOption(option);
};

export const defineExplain: DefineCommand = (program, ctx, finish) => {
  const command = program
    .command('explain')
    .addHelpText('after', examplesHelp(EXAMPLES.explain))
    .description('show which rule of a policy decides the audit level of a request, and why')
    .addOption(new Option('--policy <policy>', POLICY_ARG_HELP))
    .option('--user <name>', 'authenticated user name (the impersonator, not the impersonated user)')
    .option('--group <group>', 'a group of the user (repeat for several)', collect)
    .option(
      '--verb <verb>',
      'request verb: get, list, watch, create, update, patch, delete, deletecollection; lower-case HTTP method for --path',
    )
    .option('--namespace <ns>', 'namespace ("" or omitted: cluster-scoped or cluster-wide)')
    .option('--api-group <group>', 'API group ("" or omitted: the core group)')
    .option('--resource <resource>', 'resource, e.g. pods; pods/log also sets the subresource')
    .option('--subresource <sub>', 'subresource, e.g. log, exec, status, scale')
    .option('--name <name>', 'object name ("" for create)')
    .option('--path <path>', 'URL path of a non-resource request, e.g. /healthz')
    .option(
      '--requests <file>',
      'JSON lines of requests {user, groups, verb, namespace, apiGroup, resource, subresource, name, path, resourceRequest}',
    )
    .option('--events <file>', 'kube-apiserver audit log (JSON lines; .gz or - for stdin)')
    .addOption(
      new Option('-o, --output <format>', 'text, or json (one JSON line per request for --requests/--events)')
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (flags: ExplainFlags & { order?: string; prefer?: string }) => {
      const order = parsePolicyOrder(flags);
      const { runExplain, parseExplainFlags } = await import('../commands/explain.js');
      finish(await runExplain({ ...parseExplainFlags(flags), order }, ctx));
    });
  for (const option of orderOptions()) command.addOption(option);
};

export const defineLint: DefineCommand = (program, ctx, finish) => {
  const command = program
    .command('lint')
    .addHelpText('after', examplesHelp(EXAMPLES.lint))
    .description(
      'check an audit policy: what kube-apiserver would refuse, and what it would silently get wrong',
    )
    .argument('<policy>', 'policy file (or basic, gce, - for stdin)')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .option('--strict', 'exit 1 on warnings too', false)
    .option(
      '--kubernetes-version <version>',
      'check for this kube-apiserver version (group "*" needs 1.36, v1beta1 policies need < 1.24)',
      NEWEST_KUBERNETES_VERSION,
    )
    .action(
      async (
        policy: string,
        opts: {
          output: 'text' | 'json';
          strict: boolean;
          kubernetesVersion: string;
          order?: string;
          prefer?: string;
        },
      ) => {
        const order = parsePolicyOrder(opts);
        const { runLint } = await import('../commands/lint.js');
        finish(
          await runLint(
            {
              policy,
              output: opts.output,
              strict: opts.strict,
              kubernetesVersion: opts.kubernetesVersion,
              order,
            },
            ctx,
          ),
        );
      },
    );
  for (const option of orderOptions()) command.addOption(option);
};
