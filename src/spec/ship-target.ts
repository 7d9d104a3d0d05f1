/**
 * `enable --ship-to URL`: where the audit log goes, parsed and checked, and the credentials that
 * go with it. Pure: strings in, a typed destination (or a UsageError naming the flag) out. Nothing
 * here ever puts a credential into a message.
 */
import { UsageError } from '../errors.js';

export type ShipKind = 'cloudwatch' | 'loki' | 'https';

/** The destinations `--ship-to` takes, with an example of each (help, README, errors). */
export const SHIP_DESTINATIONS: readonly { kind: ShipKind; form: string; example: string }[] = [
  {
    kind: 'cloudwatch',
    form: 'cloudwatch://REGION/LOG_GROUP[?create_group=true]',
    example: 'cloudwatch://us-east-1/kube-apiserver-audit',
  },
  {
    kind: 'loki',
    form: 'loki://HOST[:PORT][/PATH][?tls=off]',
    example: 'loki://logs-prod-eu-west-0.grafana.net',
  },
  { kind: 'https', form: 'https://HOST[:PORT]/PATH', example: 'https://audit.example.com/ingest' },
];

export interface CloudWatchTarget {
  kind: 'cloudwatch';
  url: string;
  region: string;
  logGroup: string;
  /** `?create_group=true`: fluent-bit creates the group (and needs logs:CreateLogGroup). */
  createGroup: boolean;
}

export interface HttpTarget {
  kind: 'loki' | 'https';
  url: string;
  host: string;
  port: number;
  path: string;
  tls: boolean;
}

export type ShipTarget = CloudWatchTarget | HttpTarget;

/**
 * The secret of a destination, as fluent-bit reads it: a bearer token, or a user and password
 * (Loki behind basic auth, as Grafana Cloud is).
 */
export type ShipCredentials =
  | { kind: 'token'; token: string }
  | { kind: 'basic'; user: string; password: string };

/** `--ship-to none` removes the shipping that an earlier `--ship-to` added. */
export const SHIP_TO_NONE = 'none';

const LOKI_PUSH_PATH = '/loki/api/v1/push';
// AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5 ...
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// CloudWatch Logs log group names: 1-512 of [.-_/#A-Za-z0-9] (CreateLogGroup API reference).
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;
// A DNS name or an IPv4 address; IPv6 literals are not taken (fluent-bit's host option wants a name).
const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
// A URL path fluent-bit can put in its config: no spaces, no `${` (its variable syntax), no `#`.
const PATH = /^\/[A-Za-z0-9._~!&'()*+,;=:@%/-]*$/;

const examples = () => SHIP_DESTINATIONS.map((d) => d.example).join(', ');

function refuse(url: string, why: string, hint?: string): never {
  throw new UsageError(`--ship-to ${JSON.stringify(redactUrl(url))}: ${why}.`, {
    hint:
      hint ??
      `Give one of ${SHIP_DESTINATIONS.map((d) => d.form).join(', ')}; e.g. --ship-to ${SHIP_DESTINATIONS[0]!.example}.`,
  });
}

/** The URL without a password someone put in it by mistake (it is never printed back). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1***@');
}

function queryOf(url: string, query: string, allowed: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  if (query === '') return params;
  for (const part of query.split('&')) {
    const [key, value = ''] = part.split('=', 2) as [string, string?];
    if (!allowed.includes(key)) {
      refuse(
        url,
        allowed.length > 0
          ? `it has the query parameter ${JSON.stringify(key)}; this destination takes only ${allowed.join(', ')}`
          : `this destination takes no query parameters (${JSON.stringify(key)})`,
      );
    }
    params.set(key, value);
  }
  return params;
}

function booleanParam(url: string, name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (/^(true|on|yes|1)$/i.test(value)) return true;
  if (/^(false|off|no|0)$/i.test(value)) return false;
  return refuse(url, `?${name}= takes true or false, not ${JSON.stringify(value)}`);
}

/** `--ship-to URL` as a destination, or a UsageError that says what is wrong with it. */
export function parseShipTarget(url: string): ShipTarget {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/i.exec(url);
  if (!match) return refuse(url, 'it is not a URL');
  const scheme = match[1]!.toLowerCase();
  const authority = match[2]!;
  const path = match[3]!;
  const query = match[4] ?? '';
  if (match[5] !== undefined) refuse(url, 'a #fragment means nothing here');
  if (authority.includes('@')) {
    refuse(
      url,
      'it carries credentials, which would be printed in every diff and stored in plain sight in the spec',
      'Put the secret in a file and give it with --ship-credentials FILE (mode 0400 on the nodes, never printed).',
    );
  }
  if (scheme === 'cloudwatch') {
    const region = authority;
    if (!AWS_REGION.test(region))
      refuse(url, `${JSON.stringify(region)} is not an AWS region such as us-east-1`);
    const logGroup = path.slice(1);
    if (logGroup === '') refuse(url, 'it names no log group (cloudwatch://REGION/LOG_GROUP)');
    if (!LOG_GROUP.test(logGroup)) {
      refuse(
        url,
        `${JSON.stringify(logGroup)} is not a CloudWatch log group name (letters, digits and . - _ / #)`,
      );
    }
    const params = queryOf(url, query, ['create_group']);
    return {
      kind: 'cloudwatch',
      url,
      region,
      logGroup,
      createGroup: booleanParam(url, 'create_group', params.get('create_group'), false),
    };
  }
  if (scheme === 'loki' || scheme === 'https') {
    const hostPort = /^([^:]+)(?::(\d{1,5}))?$/.exec(authority);
    if (!hostPort || !HOST.test(hostPort[1]!)) refuse(url, `${JSON.stringify(authority)} is not a host name`);
    const port = hostPort[2] === undefined ? 443 : Number(hostPort[2]);
    if (port < 1 || port > 65535) refuse(url, `port ${hostPort[2]} is out of range`);
    if (path !== '' && !PATH.test(path))
      refuse(url, `the path ${JSON.stringify(path)} has characters fluent-bit cannot take`);
    const params = queryOf(url, query, scheme === 'loki' ? ['tls'] : []);
    const tls = booleanParam(url, 'tls', params.get('tls'), true);
    return {
      kind: scheme,
      url,
      host: hostPort[1]!.toLowerCase(),
      port,
      path: path === '' || path === '/' ? (scheme === 'loki' ? LOKI_PUSH_PATH : '/') : path,
      tls,
    };
  }
  if (scheme === 'http') {
    return refuse(
      url,
      'plain http would send the audit log (and any token) unencrypted',
      'Use https://HOST/PATH.',
    );
  }
  return refuse(url, `kops-audit does not ship to ${scheme}:// (yet)`, `Destinations: ${examples()}.`);
}

/**
 * The secret in a `--ship-credentials` file: one line, a token, or USER:PASSWORD for Loki's basic
 * auth. It goes into fluent-bit's configuration as a variable (`@SET NAME=VALUE`), so it must be
 * printable ASCII without spaces and without `${`, fluent-bit's variable syntax. Messages name the
 * file and the rule, never the content.
 */
export function parseShipCredentials(target: ShipTarget, source: string, text: string): ShipCredentials {
  if (target.kind === 'cloudwatch') {
    throw new UsageError(
      `--ship-credentials is not used with ${target.url}: fluent-bit signs its CloudWatch Logs requests with the control-plane instance role, and enable adds the IAM statements it needs.`,
      { hint: 'Drop --ship-credentials.' },
    );
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const fail = (why: string): never => {
    throw new UsageError(`--ship-credentials ${source}: ${why} (its content is not shown).`, {
      hint:
        target.kind === 'loki'
          ? 'Write one line: the bearer token, or USER:PASSWORD for basic auth (Grafana Cloud: the user id and an access policy token).'
          : 'Write one line: the bearer token the endpoint expects in `Authorization: Bearer ...`.',
    });
  };
  if (lines.length === 0) fail('the file is empty');
  if (lines.length > 1) fail('the file has more than one line');
  const secret = lines[0]!.trim();
  if (!/^[\x21-\x7e]+$/.test(secret)) fail('it has spaces or characters other than printable ASCII');
  if (secret.includes('${')) fail('it contains `${`, which fluent-bit would read as a variable');
  const colon = secret.indexOf(':');
  if (target.kind === 'loki' && colon > 0) {
    const password = secret.slice(colon + 1);
    if (password === '') fail('USER:PASSWORD has no password');
    return { kind: 'basic', user: secret.slice(0, colon), password };
  }
  if (target.kind === 'https' && colon >= 0)
    fail('a bearer token has no `:`; basic auth is not offered for https://');
  return { kind: 'token', token: secret };
}

/** Every string of `credentials` that must never appear in output. */
export function credentialStrings(credentials: ShipCredentials | undefined): string[] {
  if (!credentials) return [];
  return credentials.kind === 'token'
    ? [credentials.token]
    : [credentials.password, `${credentials.user}:${credentials.password}`];
}
