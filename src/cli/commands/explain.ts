import { ExitCode, KopsAuditError, UsageError } from '../../errors.js';
import type { Ctx } from '../../io.js';
import { readAuditLog } from '../../logs/read-audit-log.js';
import { readLines } from '../../logs/read-lines.js';
import { compilePolicy, type PolicyEvaluator } from '../../policy/evaluate.js';
import { requestFromEvent } from '../../policy/event-request.js';
import { shapeRequest } from '../../policy/request-shape.js';
import type { Evaluation, RequestAttributes } from '../../policy/types.js';
import { reportedAsJson, toJsonLine } from '../output.js';
import { readPolicyArg, writePolicyWarnings } from '../policy-arg.js';
import { AS_WRITTEN, type PolicyOrder, shipPolicy } from '../policy-order.js';
import { describeRequest, formatExplanation } from '../views/explain.js';

/** What to explain: one request from flags, a file of request lines, or a file of audit events. */
export type ExplainInput =
  | { kind: 'request'; request: RequestAttributes; notes?: string[] }
  | { kind: 'requests'; file: string }
  | { kind: 'events'; file: string };

export interface ExplainOptions {
  policy: string;
  input: ExplainInput;
  output: 'text' | 'json';
  /** `--order specific`: explain the compiled policy, naming each rule as written too. */
  order?: PolicyOrder;
}

/** Raw commander options, before checking. */
export interface ExplainFlags {
  policy?: string;
  user?: string;
  group?: string[];
  verb?: string;
  namespace?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  path?: string;
  requests?: string;
  events?: string;
  output?: string;
}

const HELP = "Run 'kops-audit explain --help' for what it takes.";

/** Keys of a --requests line whose values are strings. */
const REQUEST_STRING_KEYS = [
  'user',
  'verb',
  'namespace',
  'apiGroup',
  'resource',
  'subresource',
  'name',
  'path',
];
/** Every key a --requests line may have, in the order the error message lists them. */
const REQUEST_KEYS = ['user', 'groups', ...REQUEST_STRING_KEYS.slice(1), 'resourceRequest'];

/** Flags → options, or a UsageError that says which flag is wrong. Pure. */
export function parseExplainFlags(flags: ExplainFlags): ExplainOptions {
  if (!flags.policy)
    throw new UsageError('explain needs --policy (basic, gce, or a policy file).', { hint: HELP });
  const output = flags.output === 'json' ? 'json' : 'text';
  // The request flags are the string keys of a --requests line, plus --group (repeatable).
  const single = [...REQUEST_STRING_KEYS, 'group'].filter((key) => {
    const value = flags[key as keyof ExplainFlags];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
  const sources = [flags.requests !== undefined, flags.events !== undefined, single.length > 0].filter(
    Boolean,
  ).length;
  if (sources > 1) {
    throw new UsageError(
      'Give one request (--user, --verb, ...), or --requests FILE, or --events FILE, not several.',
      {
        hint: HELP,
      },
    );
  }
  if (flags.requests !== undefined)
    return { policy: flags.policy, output, input: { kind: 'requests', file: flags.requests } };
  if (flags.events !== undefined)
    return { policy: flags.policy, output, input: { kind: 'events', file: flags.events } };

  if (!flags.verb) {
    throw new UsageError(
      'explain needs a request: --verb and --resource (or --path), or --requests/--events FILE.',
      {
        hint: 'For example: kops-audit explain --policy gce --user alice --verb get --resource pods --namespace default',
      },
    );
  }
  if (flags.user === undefined) {
    throw new UsageError('explain needs --user: the authenticated user name the request comes from.', {
      hint: HELP,
    });
  }
  if (flags.path !== undefined && flags.resource !== undefined) {
    throw new UsageError(
      '--path is for non-resource URLs (/healthz, /metrics); give either --path or --resource.',
      {
        hint: HELP,
      },
    );
  }
  const base = { user: flags.user, groups: flags.group ?? [], verb: flags.verb };
  if (flags.path !== undefined) {
    const resourceOnly = ['namespace', 'apiGroup', 'subresource', 'name'].filter((k) => single.includes(k));
    if (resourceOnly.length > 0) {
      throw new UsageError(`--${kebab(resourceOnly[0]!)} applies to resource requests, not to --path.`, {
        hint: HELP,
      });
    }
    return {
      policy: flags.policy,
      output,
      input: asKubeApiserverSees({ ...base, resourceRequest: false, path: flags.path }),
    };
  }
  if (flags.resource === undefined) {
    throw new UsageError(
      'explain needs --resource (e.g. pods, or pods/log) or --path for a non-resource URL.',
      {
        hint: HELP,
      },
    );
  }
  // `--resource pods/log` is the policy's spelling of resource pods, subresource log.
  let resource = flags.resource;
  let subresource = flags.subresource ?? '';
  const slash = resource.indexOf('/');
  if (slash !== -1) {
    if (flags.subresource !== undefined) {
      throw new UsageError(`--resource ${resource} already names a subresource; drop --subresource.`, {
        hint: HELP,
      });
    }
    subresource = resource.slice(slash + 1);
    resource = resource.slice(0, slash);
  }
  return {
    policy: flags.policy,
    output,
    input: asKubeApiserverSees({
      ...base,
      resourceRequest: true,
      namespace: flags.namespace ?? '',
      apiGroup: flags.apiGroup ?? '',
      resource,
      subresource,
      name: flags.name ?? '',
    }),
  };
}

/** The request of the flags as kube-apiserver will see it (policy/request-shape.ts), or a usage error. */
function asKubeApiserverSees(request: RequestAttributes): Extract<ExplainInput, { kind: 'request' }> {
  const shaped = shapeRequest(request);
  if ('error' in shaped) throw new UsageError(`${capitalize(shaped.error)}.`, { hint: HELP });
  return { kind: 'request', request: shaped.request, notes: shaped.notes };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export async function runExplain(options: ExplainOptions, ctx: Ctx): Promise<number> {
  const read = await readPolicyArg(options.policy, ctx);
  writePolicyWarnings(ctx, read.loaded.map.source, read.warnings);
  const shipped = shipPolicy(read.loaded, options.order ?? AS_WRITTEN);
  const { loaded } = shipped;
  const evaluator = compilePolicy(loaded.policy);
  const asWritten = (i: number | null) => {
    const entry = i === null ? undefined : shipped.compiled?.rules[i];
    if (!entry) return {};
    if ('overlapOf' in entry) return { asWritten: { overlapOf: entry.overlapOf } };
    const line = shipped.compiled!.asWritten.map.ruleLines[entry.written];
    return { asWritten: { rule: entry.written, line: line ?? null } };
  };
  const input = options.input;

  if (input.kind === 'request') {
    const notes = input.notes ?? [];
    if (options.output !== 'json') for (const note of notes) ctx.io.stderr.write(`Note: ${note}.\n`);
    const evaluation = evaluator.evaluate(input.request);
    const alsoMatching = evaluator.matchingRules(input.request).filter((i) => i !== evaluation.rule);
    if (options.output === 'json') {
      ctx.io.stdout.write(
        toJsonLine({
          policy: loaded.map.source,
          request: input.request,
          notes,
          ...evaluationObject(evaluation),
          line: evaluation.rule === null ? null : (loaded.map.ruleLines[evaluation.rule] ?? null),
          ...asWritten(evaluation.rule),
          alsoMatching: alsoMatching.map((i) => ({
            rule: i,
            level: loaded.policy.rules[i]?.level,
            line: loaded.map.ruleLines[i] ?? null,
            ...asWritten(i),
          })),
        }),
      );
    } else {
      ctx.io.stdout.write(
        formatExplanation(loaded, { request: input.request, evaluation, alsoMatching }, shipped.compiled),
      );
    }
    return ExitCode.OK;
  }
  return explainStream(evaluator, input, options.output, ctx);
}

/** The JSON line shape shared with `simulate`: level, rule index, sorted omitStages, omitManagedFields. */
function evaluationObject(evaluation: Evaluation) {
  return {
    level: evaluation.level,
    rule: evaluation.rule,
    omitStages: evaluation.omitStages,
    omitManagedFields: evaluation.omitManagedFields,
  };
}

/** Output is buffered and written in large pieces: millions of tiny writes dominate otherwise. */
const FLUSH_AT = 1 << 16;

async function explainStream(
  evaluator: PolicyEvaluator,
  input: Extract<ExplainInput, { kind: 'requests' | 'events' }>,
  output: 'text' | 'json',
  ctx: Ctx,
): Promise<number> {
  // Evaluations are shared per rule, so each one's JSON line is built once.
  const jsonLines = new Map<Evaluation, string>();
  let buffer = '';
  let problems = 0;
  let firstProblem: string | undefined;
  const write = (text: string) => {
    buffer += text;
    if (buffer.length >= FLUSH_AT) {
      ctx.io.stdout.write(buffer);
      buffer = '';
    }
  };
  const problem = (lineNumber: number, message: string) => {
    problems++;
    firstProblem ??= `line ${lineNumber}: ${message}`;
    write(
      output === 'json'
        ? `${JSON.stringify({ line: lineNumber, error: message })}\n`
        : `${lineNumber}\terror\t${message}\n`,
    );
  };
  // One output line per input line, blank ones too, so that output line N answers input line N.
  const BLANK_TEXT = '\tblank\t(blank line: nothing to explain)\n';
  const blank = (lineNumber: number) =>
    write(output === 'json' ? `{"line":${lineNumber},"blank":true}\n` : `${lineNumber}${BLANK_TEXT}`);
  const explainOne = (request: RequestAttributes, lineNumber: number, stage?: string) => {
    const evaluation = evaluator.evaluate(request);
    if (output === 'json') {
      let line = jsonLines.get(evaluation);
      if (line === undefined) {
        line = `${JSON.stringify(evaluationObject(evaluation))}\n`;
        jsonLines.set(evaluation, line);
      }
      write(line);
    } else {
      const rule = evaluation.rule === null ? 'no rule' : `rules[${evaluation.rule}]`;
      // An event of a stage the policy omits is one kube-apiserver would not have written.
      const omitted =
        stage !== undefined &&
        evaluation.level !== 'None' &&
        (evaluation.omitStages as string[]).includes(stage)
          ? ` (stage ${stage} omitted: not written)`
          : '';
      write(`${lineNumber}\t${evaluation.level}\t${rule}\t${describeRequest(request)}${omitted}\n`);
    }
  };

  const explainRequestLine = (line: string, lineNumber: number) => {
    if (line.trim() === '') {
      blank(lineNumber);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problem(lineNumber, 'not JSON');
      return;
    }
    const parsed = requestFromLine(value);
    if (typeof parsed === 'string') problem(lineNumber, parsed);
    else explainOne(parsed, lineNumber);
  };

  // The same byte reader for both (gzip by its magic bytes, stdin, bounded lines); events are parsed
  // as simulate parses them, so both see the same events (and count the same per level).
  const read =
    input.kind === 'events'
      ? await readAuditLog(input.file, ctx, {
          managedFields: false,
          reuseRecords: true, // each event is explained and written before the next is read
          onEvent: (record) => {
            const request = requestFromEvent(record.event);
            if (request) explainOne(request, record.line, record.event.stage);
            else problem(record.line, 'not an audit event (no verb)');
          },
          onMalformed: ({ line, reason }) => problem(line, reason),
          onBlank: blank,
        })
      : await readLines(
          input.file,
          ctx,
          { onLine: explainRequestLine, onLongLine: (line) => problem(line, 'longer than 64 MiB') },
          {
            what: 'the request list',
            hint: '--requests takes a file of JSON lines (gzip allowed, whatever its name) or - for stdin.',
          },
        );
  if (read.truncated) {
    ctx.io.stderr.write(
      `Warning: ${input.file} is a gzip stream cut short: only the ${input.kind} it holds were explained.\n`,
    );
  }
  if (buffer !== '') ctx.io.stdout.write(buffer);
  if (problems > 0) {
    // Everything else was explained and written; the error says what was not (exit 1). With -o json
    // each of those lines already has its error line, so no error object follows the lines.
    const error = new KopsAuditError(
      `${problems} line${problems === 1 ? '' : 's'} of ${input.file} could not be explained (first: ${firstProblem}); each has an error line in the output, in its place.`,
      {
        hint:
          input.kind === 'events'
            ? '--events reads audit events, one JSON object per line, as kube-apiserver writes them.'
            : `--requests reads one JSON object per line with the keys ${REQUEST_KEYS.join(', ')}.`,
      },
    );
    reportedAsJson.add(error);
    throw error;
  }
  return ExitCode.OK;
}

/** One `--requests` line → request attributes, or what is wrong with it. */
export function requestFromLine(value: unknown): RequestAttributes | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  const unknown = Object.keys(v).filter((k) => !REQUEST_KEYS.includes(k));
  if (unknown.length > 0) return `unknown key "${unknown[0]}" (keys: ${REQUEST_KEYS.join(', ')})`;
  for (const key of REQUEST_STRING_KEYS) {
    // "user": null (or no "user") is a request with no user: one that failed authentication.
    if (key === 'user' && v[key] === null) continue;
    if (v[key] !== undefined && typeof v[key] !== 'string') return `"${key}" must be a string`;
  }
  if (v.groups !== undefined && !(Array.isArray(v.groups) && v.groups.every((g) => typeof g === 'string'))) {
    return '"groups" must be a list of strings';
  }
  if (v.resourceRequest !== undefined && typeof v.resourceRequest !== 'boolean')
    return '"resourceRequest" must be true or false';
  if (typeof v.verb !== 'string' || v.verb === '') return '"verb" is required';
  const user = typeof v.user === 'string' ? v.user : null;
  if (user === null && Array.isArray(v.groups) && v.groups.length > 0)
    return '"groups" need a "user": a request with no user (one that failed authentication) has no groups; an anonymous request is "user": "system:anonymous", "groups": ["system:unauthenticated"]';
  const resourceRequest = (v.resourceRequest as boolean | undefined) ?? v.resource !== undefined;
  if (!resourceRequest && v.resource === undefined && v.path === undefined)
    return 'give "resource" or "path"';
  const base = { user, groups: (v.groups as string[]) ?? [], verb: v.verb };
  const request: RequestAttributes = resourceRequest
    ? {
        ...base,
        resourceRequest: true,
        namespace: (v.namespace as string) ?? '',
        apiGroup: (v.apiGroup as string) ?? '',
        resource: (v.resource as string) ?? '',
        subresource: (v.subresource as string) ?? '',
        name: (v.name as string) ?? '',
      }
    : { ...base, resourceRequest: false, path: (v.path as string) ?? '' };
  // As kube-apiserver will see it; the output line shows the namespace and name it evaluates.
  const shaped = shapeRequest(request);
  return 'error' in shaped ? shaped.error : shaped.request;
}
