/**
 * `enable --ship-to URL`: where the audit log goes, parsed and checked, and the credentials that
 * go with it. Pure: strings in, a typed destination (or a UsageError naming the flag) out. Nothing
 * here ever puts a credential into a message.
 */
import { UsageError } from '../errors.js';

export type ShipKind =
  | 'cloudwatch'
  | 's3'
  | 'loki'
  | 'elasticsearch'
  | 'splunk'
  | 'logdna'
  | 'https'
  | 'stackdriver';

/** The destinations `--ship-to` takes, with an example of each (help, README, errors). */
export const SHIP_DESTINATIONS: readonly { kind: ShipKind; form: string; example: string }[] = [
  {
    kind: 'cloudwatch',
    form: 'cloudwatch://REGION/LOG_GROUP[?create_group=true]',
    example: 'cloudwatch://us-east-1/kube-apiserver-audit',
  },
  {
    kind: 's3',
    form: 's3://BUCKET[/PREFIX]?region=REGION',
    example: 's3://acme-audit-logs/kube-apiserver?region=us-east-1',
  },
  {
    kind: 'loki',
    form: 'loki://HOST[:PORT][/PATH][?tls=off]',
    example: 'loki://logs-prod-eu-west-0.grafana.net',
  },
  {
    kind: 'elasticsearch',
    form: 'elasticsearch://HOST[:PORT]/INDEX[?tls=off]',
    example: 'elasticsearch://search.example.com:9200/kube-audit',
  },
  {
    kind: 'splunk',
    form: 'splunk://HOST[:PORT][?tls=off]',
    example: 'splunk://http-inputs-acme.splunkcloud.com:443',
  },
  { kind: 'logdna', form: 'logdna://[HOST[:PORT]]', example: 'logdna://' },
  { kind: 'https', form: 'https://HOST[:PORT]/PATH', example: 'https://audit.example.com/ingest' },
  { kind: 'stackdriver', form: 'stackdriver://', example: 'stackdriver://' },
];

export interface CloudWatchTarget {
  kind: 'cloudwatch';
  url: string;
  region: string;
  logGroup: string;
  /** `?create_group=true`: fluent-bit creates the group (and needs logs:CreateLogGroup). */
  createGroup: boolean;
}

export interface S3Target {
  kind: 's3';
  url: string;
  bucket: string;
  /** The key prefix without a leading `/`: empty, or ending in `/`. */
  prefix: string;
  region: string;
}

export interface HttpTarget {
  kind: 'loki' | 'https';
  url: string;
  host: string;
  port: number;
  path: string;
  tls: boolean;
}

export interface ElasticsearchTarget {
  kind: 'elasticsearch';
  url: string;
  host: string;
  port: number;
  index: string;
  tls: boolean;
}

export interface SplunkTarget {
  kind: 'splunk';
  url: string;
  host: string;
  port: number;
  tls: boolean;
}

/** Mezmo (formerly LogDNA); without a host, fluent-bit's default ingestion host. */
export interface LogdnaTarget {
  kind: 'logdna';
  url: string;
  host?: string;
  port?: number;
}

/** Google Cloud Logging, with the GCE node's service account. */
export interface StackdriverTarget {
  kind: 'stackdriver';
  url: string;
}

export type ShipTarget =
  | CloudWatchTarget
  | S3Target
  | HttpTarget
  | ElasticsearchTarget
  | SplunkTarget
  | LogdnaTarget
  | StackdriverTarget;

/**
 * The secret of a destination, as fluent-bit reads it: a token (a bearer token, a Splunk HEC
 * token, a Mezmo ingestion key), a user and password (Loki or Elasticsearch behind basic auth),
 * or an Elasticsearch API key.
 */
export type ShipCredentials =
  | { kind: 'token'; token: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'apiKey'; apiKey: string };

/** The destinations that sign with the node's cloud identity and take no credentials file. */
const CLOUD_IDENTITY: Partial<Record<ShipKind, string>> = {
  cloudwatch:
    'fluent-bit signs its CloudWatch Logs requests with the control-plane instance role, and enable adds the IAM statements it needs',
  s3: 'fluent-bit signs its S3 uploads with the control-plane instance role, and enable adds the IAM statement it needs',
  stackdriver:
    "fluent-bit gets its Cloud Logging token from the GCE metadata server, for the node's service account",
};

/** The destinations that cannot work without `--ship-credentials`. */
export const CREDENTIALS_REQUIRED: Partial<Record<ShipKind, string>> = {
  splunk: 'the HEC token',
  logdna: 'the Mezmo ingestion key',
};

/** Does the destination send with the node's own cloud identity (and take no credentials)? */
export const usesCloudIdentity = (target: ShipTarget) => CLOUD_IDENTITY[target.kind] !== undefined;

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
// S3 bucket names (general purpose buckets): 3-63 of lower-case letters, digits, `.` and `-`,
// starting and ending with a letter or digit, no `..`, not an IPv4 address.
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// An S3 key prefix of the characters S3 calls safe, without `*` (an IAM wildcard), `%` and `$`
// (fluent-bit's s3_key_format reads them as strftime and $TAG/$UUID).
const PREFIX = /^[A-Za-z0-9!_.'()/-]*$/;
// Elasticsearch index names: lower case, none of \ / * ? " < > | space , # :, not starting with
// - _ +, not . or .., at most 255 bytes.
const INDEX = /^(?![-_+])(?!\.{1,2}$)[^A-Z\\/*?"<>| ,#:]{1,255}$/;

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

/** HOST[:PORT] of a URL, the host in lower case. */
function hostAndPort(url: string, authority: string, defaultPort: number): { host: string; port: number } {
  const hostPort = /^([^:]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!hostPort || !HOST.test(hostPort[1]!)) refuse(url, `${JSON.stringify(authority)} is not a host name`);
  const port = hostPort[2] === undefined ? defaultPort : Number(hostPort[2]);
  if (port < 1 || port > 65535) refuse(url, `port ${hostPort[2]} is out of range`);
  return { host: hostPort[1]!.toLowerCase(), port };
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
  if (scheme === 's3') {
    if (!BUCKET.test(authority)) {
      refuse(
        url,
        `${JSON.stringify(authority)} is not an S3 bucket name (3-63 lower-case letters, digits, . and -)`,
      );
    }
    const prefix = path.replace(/^\/+/, '');
    if (
      !PREFIX.test(prefix) ||
      prefix
        .split('/')
        .some((part, i, all) => part === '.' || part === '..' || (part === '' && i < all.length - 1))
    ) {
      refuse(
        url,
        `the prefix ${JSON.stringify(prefix)} has characters or parts that do not make a plain S3 key prefix (letters, digits, ! _ . ' ( ) - and /)`,
      );
    }
    const params = queryOf(url, query, ['region']);
    const region = params.get('region');
    if (region === undefined || region === '') {
      refuse(
        url,
        'it names no region (s3://BUCKET/PREFIX?region=REGION): fluent-bit sends to that region and the IAM statement names its partition',
      );
    }
    if (!AWS_REGION.test(region))
      refuse(url, `${JSON.stringify(region)} is not an AWS region such as us-east-1`);
    return {
      kind: 's3',
      url,
      bucket: authority,
      prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
      region,
    };
  }
  if (scheme === 'stackdriver') {
    if (authority !== '' || (path !== '' && path !== '/') || query !== '') {
      refuse(
        url,
        'stackdriver:// takes nothing after it: the project is the one of the GCE nodes, from their metadata server',
      );
    }
    return { kind: 'stackdriver', url };
  }
  if (scheme === 'logdna') {
    if (path !== '' && path !== '/')
      refuse(url, 'logdna:// takes no path (fluent-bit posts to /logs/ingest)');
    queryOf(url, query, []);
    if (authority === '') return { kind: 'logdna', url };
    const { host, port } = hostAndPort(url, authority, 443);
    return { kind: 'logdna', url, host, ...(authority.includes(':') ? { port } : {}) };
  }
  if (scheme === 'elasticsearch') {
    const { host, port } = hostAndPort(url, authority, 9200);
    const index = path.slice(1);
    if (index === '') refuse(url, 'it names no index (elasticsearch://HOST[:PORT]/INDEX)');
    if (!INDEX.test(index)) {
      refuse(
        url,
        `${JSON.stringify(index)} is not an Elasticsearch index name (lower case, one path segment, no spaces or \\ / * ? " < > | , # :, not starting with - _ +)`,
      );
    }
    const params = queryOf(url, query, ['tls']);
    return {
      kind: 'elasticsearch',
      url,
      host,
      port,
      index,
      tls: booleanParam(url, 'tls', params.get('tls'), true),
    };
  }
  if (scheme === 'splunk') {
    const { host, port } = hostAndPort(url, authority, 8088);
    if (path !== '' && path !== '/') {
      refuse(url, 'splunk:// takes no path (fluent-bit posts to the HEC endpoint /services/collector/event)');
    }
    const params = queryOf(url, query, ['tls']);
    return { kind: 'splunk', url, host, port, tls: booleanParam(url, 'tls', params.get('tls'), true) };
  }
  if (scheme === 'loki' || scheme === 'https') {
    const { host, port } = hostAndPort(url, authority, 443);
    if (path !== '' && !PATH.test(path))
      refuse(url, `the path ${JSON.stringify(path)} has characters fluent-bit cannot take`);
    const params = queryOf(url, query, scheme === 'loki' ? ['tls'] : []);
    const tls = booleanParam(url, 'tls', params.get('tls'), true);
    return {
      kind: scheme,
      url,
      host,
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

/** What a `--ship-credentials` file holds for each destination (the hint of every refusal). */
const CREDENTIALS_FORM: Partial<Record<ShipKind, string>> = {
  loki: 'Write one line: the bearer token, or USER:PASSWORD for basic auth (Grafana Cloud: the user id and an access policy token).',
  https: 'Write one line: the bearer token the endpoint expects in `Authorization: Bearer ...`.',
  elasticsearch:
    'Write one line: USER:PASSWORD for basic auth, or an API key as Elasticsearch encodes it (the `encoded` value of the create API key response: base64 of ID:KEY, no `:` in it).',
  splunk:
    'Write one line: the HTTP Event Collector token (a GUID such as 12345678-1234-1234-1234-123456789012).',
  logdna: 'Write one line: the Mezmo ingestion key (Settings > Organization > API Keys > Ingestion Keys).',
};

// Base64 as Elasticsearch writes an encoded API key (standard alphabet, padded).
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The secret in a `--ship-credentials` file: one line, whose form depends on the destination
 * (CREDENTIALS_FORM). It goes into fluent-bit's configuration as a variable (`@SET NAME=VALUE`,
 * which splits at the first `=`), so it must be printable ASCII without spaces and without `${`,
 * fluent-bit's variable syntax. Messages name the file and the rule, never the content.
 */
export function parseShipCredentials(target: ShipTarget, source: string, text: string): ShipCredentials {
  const identity = CLOUD_IDENTITY[target.kind];
  if (identity !== undefined) {
    throw new UsageError(`--ship-credentials is not used with ${target.url}: ${identity}.`, {
      hint: 'Drop --ship-credentials.',
    });
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const fail = (why: string): never => {
    throw new UsageError(`--ship-credentials ${source}: ${why} (its content is not shown).`, {
      hint: CREDENTIALS_FORM[target.kind] ?? 'Write the secret on one line.',
    });
  };
  if (lines.length === 0) fail('the file is empty');
  if (lines.length > 1) fail('the file has more than one line');
  const secret = lines[0]!.trim();
  if (!/^[\x21-\x7e]+$/.test(secret)) fail('it has spaces or characters other than printable ASCII');
  if (secret.includes('${')) fail('it contains `${`, which fluent-bit would read as a variable');
  const colon = secret.indexOf(':');
  if ((target.kind === 'loki' && colon > 0) || (target.kind === 'elasticsearch' && colon >= 0)) {
    const password = secret.slice(colon + 1);
    if (colon === 0) fail('USER:PASSWORD has no user');
    if (password === '') fail('USER:PASSWORD has no password');
    return { kind: 'basic', user: secret.slice(0, colon), password };
  }
  if (target.kind === 'elasticsearch') {
    if (!BASE64.test(secret)) fail('it is neither USER:PASSWORD nor a base64 encoded API key');
    return { kind: 'apiKey', apiKey: secret };
  }
  if (target.kind !== 'loki' && colon >= 0) {
    fail(
      target.kind === 'https'
        ? 'a bearer token has no `:`; basic auth is not offered for https://'
        : `${CREDENTIALS_REQUIRED[target.kind] ?? 'the token'} has no \`:\``,
    );
  }
  return { kind: 'token', token: secret };
}

/** Every string of `credentials` that must never appear in output. */
export function credentialStrings(credentials: ShipCredentials | undefined): string[] {
  if (!credentials) return [];
  if (credentials.kind === 'token') return [credentials.token];
  if (credentials.kind === 'apiKey') return [credentials.apiKey];
  return [credentials.password, `${credentials.user}:${credentials.password}`];
}
