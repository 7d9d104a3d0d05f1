import type { OrderedRule } from '../../policy/order.js';
import type { Evaluation, LoadedPolicy, RequestAttributes } from '../../policy/types.js';

/** Human text for `explain` of one request: the level, the rule that decided it and why. */

export function describeRequest(request: RequestAttributes): string {
  const who = `${request.user === null ? '(no user: unauthenticated)' : request.user === '' ? '(user "")' : request.user}${
    request.groups.length > 0 ? ` (groups ${request.groups.join(', ')})` : ''
  }`;
  if (!request.resourceRequest)
    return `${who} ${request.verb} ${request.path || '(no path)'} (non-resource URL)`;
  const group = request.apiGroup ? `${request.apiGroup}/` : '';
  const sub = request.subresource ? `/${request.subresource}` : '';
  const name = request.name ? ` "${request.name}"` : '';
  const where = request.namespace ? ` in namespace ${request.namespace}` : ' (cluster-wide)';
  return `${who} ${request.verb} ${group}${request.resource ?? ''}${sub}${name}${where}`;
}

export interface Explanation {
  request: RequestAttributes;
  evaluation: Evaluation;
  /** Later rules that match the request too, but never apply to it. */
  alsoMatching: number[];
}

export function formatExplanation(
  loaded: LoadedPolicy,
  { request, evaluation, alsoMatching }: Explanation,
  /** With --order specific: the file as written and where each rule of `loaded` comes from. */
  compiled?: { asWritten: LoadedPolicy; rules: readonly OrderedRule[] },
): string {
  const { policy, map } = loaded;
  const where = (i: number) => {
    const entry = compiled?.rules[i];
    if (!entry) return `${map.source} line ${map.ruleLines[i] ?? '?'}`;
    if ('overlapOf' in entry)
      return `added by kops-audit order for the overlap of rules[${entry.overlapOf[0]}] and rules[${entry.overlapOf[1]}] as written`;
    const written = compiled!.asWritten.map;
    return `rules[${entry.written}] as written, ${written.source} line ${written.ruleLines[entry.written] ?? '?'}`;
  };
  const lines: string[] = [`Request: ${describeRequest(request)}`];
  if (evaluation.rule === null) {
    lines.push('Level:   None: no rule matches, so kube-apiserver does not log this request');
    return `${lines.join('\n')}\n`;
  }
  const i = evaluation.rule;
  if (evaluation.level === 'None') {
    lines.push(`Level:   None, by rules[${i}] (${where(i)}): kube-apiserver does not log this request`);
  } else {
    lines.push(`Level:   ${evaluation.level}, by rules[${i}] (${where(i)})`);
    lines.push(
      `Stages:  ${evaluation.omitStages.length === 0 ? 'none omitted' : `${evaluation.omitStages.join(', ')} omitted`}`,
    );
    if (evaluation.level === 'Request' || evaluation.level === 'RequestResponse') {
      lines.push(
        `Managed fields: ${evaluation.omitManagedFields ? 'omitted from' : 'kept in'} logged objects`,
      );
    }
  }
  const entry = compiled?.rules[i];
  lines.push(
    '',
    ...(entry && 'written' in entry ? ruleSource(compiled!.asWritten, entry.written) : ruleSource(loaded, i)),
  );
  if (alsoMatching.length > 0) {
    lines.push(
      '',
      'Later rules that also match (the first match wins, so they never apply to this request):',
    );
    const width = Math.max(...alsoMatching.map((j) => `rules[${j}]`.length));
    for (const j of alsoMatching) {
      lines.push(
        `  ${`rules[${j}]`.padEnd(width)}  ${(policy.rules[j]?.level ?? '').padEnd(15)}  ${where(j)}`,
      );
    }
  } else {
    lines.push('', 'No later rule matches this request.');
  }
  return `${lines.join('\n')}\n`;
}

/** The rule as written in the file, with line numbers. */
function ruleSource(loaded: LoadedPolicy, index: number): string[] {
  const first = loaded.map.ruleLines[index];
  const span = loaded.map.spanOf?.(`rules[${index}]`);
  if (first === undefined || span === undefined) return [];
  const all = loaded.text.split('\n');
  const last = loaded.text.slice(0, span[1]).split('\n').length;
  const body = all.slice(first - 1, last);
  // Trailing comments and blank lines belong to the next rule.
  while (body.length > 1 && /^\s*(#.*)?$/.test(body[body.length - 1]!)) body.pop();
  const width = String(first + body.length - 1).length;
  return body.map((text, k) => `  ${String(first + k).padStart(width)} | ${text}`);
}
