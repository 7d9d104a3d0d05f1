/**
 * `enable --ship-to` (issue 14) on specs: the shipper's files per destination (golden), checked
 * against a Pod schema subset and fluent-bit's documented options; enable -> disable byte for
 * byte; a re-run changes nothing; the IAM statement merges with statements already there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Pod } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ConflictError, UsageError } from '../../../src/errors.js';
import { type EnableOptions, planDisable, planEnable } from '../../../src/plan/plan.js';
import { parseSpec } from '../../../src/spec/document.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';
import type { ShipSettings } from '../../../src/spec/ship.js';
import { listPrice, whyNoListPrice } from '../../../src/spec/ship-price.js';
import { renderShipFiles, SHIP_CREDENTIALS_ASSET, type ShipPlan } from '../../../src/spec/ship-render.js';
import { credentialStrings, parseShipCredentials, parseShipTarget } from '../../../src/spec/ship-target.js';
import { auditStatus } from '../../../src/spec/status.js';
import { expectGolden } from '../../helpers/golden.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { basicPolicy, exampleSpec, kopsSpec } from './fixtures.js';

const TOKEN = 'glc_s3cr3t-Sh1pp1ng-T0ken';
/** An Elasticsearch API key as Elasticsearch encodes it (base64 of ID:KEY). */
const API_KEY = Buffer.from(`VuaCfGcBCdbkQm-e5aOx:${TOKEN}`).toString('base64');
/** An image whose fluent-bit has a working http_api_key (the default one has none). */
const API_KEY_IMAGE = 'registry.example.com/fluent/fluent-bit:api-key-fixed';

const DESTINATIONS: Record<string, () => ShipSettings> = {
  cloudwatch: () => ({ target: parseShipTarget('cloudwatch://us-east-1/kube-apiserver-audit') }),
  loki: () => {
    const target = parseShipTarget('loki://logs-prod-eu-west-0.grafana.net');
    return { target, credentials: parseShipCredentials(target, 'loki.token', `123456:${TOKEN}\n`) };
  },
  https: () => {
    const target = parseShipTarget('https://audit.example.com/ingest');
    return { target, credentials: parseShipCredentials(target, 'https.token', `${TOKEN}\n`) };
  },
  s3: () => ({ target: parseShipTarget('s3://acme-audit-logs/kube-apiserver?region=us-east-1') }),
  elasticsearch: () => {
    const target = parseShipTarget('elasticsearch://search.example.com:9200/kube-audit');
    return { target, credentials: parseShipCredentials(target, 'es.credentials', `fluent-bit:${TOKEN}\n`) };
  },
  'elasticsearch-apikey': () => {
    const target = parseShipTarget('elasticsearch://search.example.com/kube-audit?tls=off');
    return {
      target,
      credentials: parseShipCredentials(target, 'es.key', `${API_KEY}\n`),
      image: API_KEY_IMAGE,
    };
  },
  splunk: () => {
    const target = parseShipTarget('splunk://http-inputs-acme.splunkcloud.com:443');
    return { target, credentials: parseShipCredentials(target, 'hec.token', `${TOKEN}\n`) };
  },
  logdna: () => {
    const target = parseShipTarget('logdna://');
    return { target, credentials: parseShipCredentials(target, 'mezmo.key', `${TOKEN}\n`) };
  },
  stackdriver: () => ({ target: parseShipTarget('stackdriver://') }),
};

/** The secrets of a destination's settings, each replaced by `<token>` (golden files). */
function placeholders(text: string, settings: ShipSettings): string {
  return credentialStrings(settings.credentials).reduce((t, secret) => t.split(secret).join('<token>'), text);
}

/** The spec a destination runs on: stackdriver:// is for GCE clusters, the others take these AWS ones. */
const onCloudOf = (destination: string, spec: string) =>
  destination === 'stackdriver' ? spec.replace('cloudProvider: aws', 'cloudProvider: gce') : spec;

const enable = (text: string, options: Partial<EnableOptions> = {}) =>
  planEnable(text, { source: 'cluster.yaml', policy: basicPolicy, backend: 'log', ...options });
const v = (text: string) => parseKopsVersion(text)!;

function shipPlan(name: string): ShipPlan {
  const settings = DESTINATIONS[name]!();
  return {
    target: settings.target,
    image: settings.image ?? 'cr.fluentbit.io/fluent/fluent-bit:4.0.3',
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    logPath: '/var/log/kube-apiserver-audit.log',
    clusterName: 'prod.example.com',
  };
}

describe('the shipper files per destination', () => {
  const validatePod = new Ajv({ strict: true, allErrors: true }).compile(
    JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/pod-schema-subset.json'), 'utf8')),
  );
  const options = JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'test/fixtures/fluent-bit-options.json'), 'utf8'),
  );

  it.each(Object.keys(DESTINATIONS))('%s: golden files', (name) => {
    const files = renderShipFiles(shipPlan(name));
    expectGolden(files.manifest, `ship/${name}/kops-audit-shipper.manifest`);
    expectGolden(files.config, `ship/${name}/fluent-bit.conf`);
    expectGolden(files.parsers, `ship/${name}/parsers.conf`);
    // The credentials file holds the secret; its golden shows the form with a placeholder.
    if (files.credentials) {
      expectGolden(placeholders(files.credentials, DESTINATIONS[name]!()), `ship/${name}/credentials.conf`);
    }
  });

  it.each(Object.keys(DESTINATIONS))(
    '%s: the pod manifest is a Pod (schema subset, see its $comment)',
    (name) => {
      const pod = parse(renderShipFiles(shipPlan(name)).manifest) as {
        spec: { volumes: { name: string }[]; containers: { volumeMounts: { name: string }[] }[] };
      };
      expect(validatePod(pod), JSON.stringify(validatePod.errors)).toBe(true);
      const volumes = pod.spec.volumes.map((volume) => volume.name);
      for (const mount of pod.spec.containers[0]!.volumeMounts) expect(volumes).toContain(mount.name);
    },
  );

  it.each(Object.keys(DESTINATIONS))(
    '%s: the pod manifest validates against the Pod schema of the Kubernetes OpenAPI (kubernetes-models)',
    (name) => {
      // kubernetes-models compiles Kubernetes' own OpenAPI definitions (io.k8s.api.core.v1.Pod and all
      // it refers to) into JSON schemas; Pod has kept every field the shipper uses since long before
      // the oldest Kubernetes that kops 1.21 runs.
      const manifest = parse(renderShipFiles(shipPlan(name)).manifest) as ConstructorParameters<
        typeof Pod
      >[0];
      expect(() => new Pod(manifest).validate()).not.toThrow();
      // The check can fail: a port given as text is refused.
      const broken = structuredClone(manifest) as { spec: { containers: { ports?: unknown[] }[] } };
      broken.spec.containers[0]!.ports = [{ containerPort: 'http' }];
      expect(() => new Pod(broken as ConstructorParameters<typeof Pod>[0]).validate()).toThrow(
        /containerPort/,
      );
    },
  );

  it.each(Object.keys(DESTINATIONS))(
    '%s: where the output speaks TLS, it checks the certificate and that it names the host',
    (name) => {
      const { config } = renderShipFiles(shipPlan(name));
      const output = config.slice(config.indexOf('[OUTPUT]'));
      if (!/^\s*tls\s+on$/m.test(output)) return;
      expect(output).toMatch(/^\s*tls\.verify\s+on$/m);
      // fluent-bit's tls.verify alone accepts a valid certificate issued for another host.
      expect(output).toMatch(/^\s*tls\.verify_hostname\s+on$/m);
    },
  );

  it.each(Object.keys(DESTINATIONS))(
    '%s: the configuration names only options fluent-bit documents',
    (name) => {
      const files = renderShipFiles(shipPlan(name));
      const unknown: string[] = [];
      const lower = (list: string[]) => list.map((key) => key.toLowerCase());
      for (const [text, kind] of [
        [files.config, 'config'],
        [files.parsers, 'parsers'],
      ] as const) {
        for (const block of text.split(/\n(?=\[)/)) {
          const head = /^\[([A-Z]+)\]\n/.exec(block);
          if (!head) {
            // Only comments and commands outside sections.
            for (const line of block.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
              const command = line.split(' ')[0]!;
              if (!options.commands.keys.includes(command)) unknown.push(`${kind}: ${line}`);
            }
            continue;
          }
          const entries = block
            .slice(head[0].length)
            .split('\n')
            .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
            .map((line) => line.trim().split(/\s+/, 2) as [string, string]);
          const plugin = entries.find(([key]) => key.toLowerCase() === 'name')?.[1];
          const section = head[1]!.toLowerCase();
          let allowed: string[];
          if (section === 'service') allowed = lower(options.service.keys);
          else if (section === 'parser') allowed = lower(options.parser.keys);
          else {
            const table = options[section];
            expect(table.plugins[plugin!], `${section} plugin ${plugin} is in the fixture`).toBeDefined();
            allowed = lower([
              ...table.keys,
              ...table.plugins[plugin!].keys,
              ...(table.tls?.plugins.includes(plugin) ? table.tls.keys : []),
            ]);
          }
          for (const [key] of entries) {
            if (!allowed.includes(key.toLowerCase())) unknown.push(`[${head[1]}] ${plugin ?? ''} ${key}`);
          }
        }
      }
      expect(unknown).toEqual([]);
    },
  );

  it('tails exactly auditLogPath, keeps its place on the host, bounds memory and retries without limit', () => {
    const config = renderShipFiles({ ...shipPlan('cloudwatch'), logPath: '/var/log/audit/kube.log' }).config;
    expect(config).toMatch(/^ {4}path +\/var\/log\/audit\/kube\.log$/m);
    expect(config).toMatch(/^ {4}db +\/var\/lib\/kops-audit-shipper\/tail\.db$/m);
    expect(config).toMatch(/^ {4}mem_buf_limit +16M$/m);
    expect(config).toMatch(/^ {4}storage\.type +filesystem$/m);
    expect(config).toMatch(/^ {4}retry_limit +no_limits$/m);
    expect(config).toMatch(/^ {4}record +cluster prod\.example\.com$/m);
    const manifest = renderShipFiles({
      ...shipPlan('cloudwatch'),
      logPath: '/var/log/audit/kube.log',
    }).manifest;
    expect(manifest).toContain('mountPath: /var/log/audit\n');
  });
});

describe('--ship-to and --ship-credentials', () => {
  it.each([
    ['cloudwatch://us-east-1/', 'names no log group'],
    ['cloudwatch://useast1/group', 'is not an AWS region'],
    ['cloudwatch://us-east-1/group?retention=7', 'query parameter "retention"'],
    ['https://user:pass@audit.example.com/x', 'carries credentials'],
    ['http://audit.example.com/x', 'unencrypted'],
    ['s4://bucket', 'does not ship to s4://'],
    ['loki://logs.example.com/push?tls=maybe', 'takes true or false'],
    ['not a url', 'is not a URL'],
  ])('%s is refused: %s', (url, message) => {
    expect(() => parseShipTarget(url)).toThrow(UsageError);
    expect(() => parseShipTarget(url)).toThrow(message);
  });

  it('reads the parts of each destination, TLS on by default', () => {
    expect(parseShipTarget('cloudwatch://eu-west-1//aws/kops/audit?create_group=true')).toMatchObject({
      region: 'eu-west-1',
      logGroup: '/aws/kops/audit',
      createGroup: true,
    });
    expect(parseShipTarget('loki://loki.example.com')).toMatchObject({
      port: 443,
      path: '/loki/api/v1/push',
      tls: true,
    });
    expect(parseShipTarget('loki://loki.internal:3100?tls=off')).toMatchObject({ port: 3100, tls: false });
    expect(parseShipTarget('https://audit.example.com:8443/in')).toMatchObject({
      port: 8443,
      path: '/in',
      tls: true,
    });
  });

  it('refuses a bad credentials file without quoting it', () => {
    const https = parseShipTarget('https://audit.example.com/in');
    for (const text of [`${TOKEN}\n${TOKEN}\n`, `Bearer ${TOKEN}`, `${TOKEN}\${x}`, '', `a:${TOKEN}`]) {
      let message = '';
      try {
        parseShipCredentials(https, 'token.txt', text);
      } catch (error) {
        message = `${(error as UsageError).message} ${(error as UsageError).hint}`;
      }
      expect(message).toContain('--ship-credentials token.txt');
      expect(message).not.toContain(TOKEN);
    }
    expect(() => parseShipCredentials(parseShipTarget('cloudwatch://us-east-1/g'), 'f', TOKEN)).toThrow(
      'instance role',
    );
  });
});

const SPECS: Record<string, string> = {
  example: exampleSpec,
  'kops style': kopsSpec(),
  'with additionalPolicies': kopsSpec(
    '',
    `  additionalPolicies:
    master: |
      [
        {
          "Effect": "Allow",
          "Action": ["dynamodb:GetItem"],
          "Resource": ["*"]
        }
      ]
    node: |
      [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]
`,
  ),
};

describe('enable --ship-to -> disable', () => {
  const versions = [undefined, '1.21.0', '1.25.4', '1.26.2', '1.28.4', '1.34.1'];
  for (const [specName, spec] of Object.entries(SPECS)) {
    for (const destination of Object.keys(DESTINATIONS)) {
      it.each(versions)(
        `${specName}, ${destination}, kops %s: re-run changes nothing, disable restores every byte`,
        (version) => {
          const options: Partial<EnableOptions> = {
            ship: DESTINATIONS[destination]!(),
            ...(version ? { kopsVersion: v(version) } : {}),
          };
          const first = enable(onCloudOf(destination, spec), options);
          expect(first.changed).toBe(true);
          expect(enable(first.after, options).changed).toBe(false);
          // Without --ship-to, the recorded shipper stays as it is.
          expect(enable(first.after, version ? { kopsVersion: v(version) } : {}).changed).toBe(false);
          const status = auditStatus(
            parseSpec(first.after, 'cluster.yaml'),
            version ? v(version) : undefined,
          );
          expect(status.checks.filter((c) => !c.ok)).toEqual([]);
          expect(status.shipping?.to).toBe(DESTINATIONS[destination]!().target.url);
          expect(planDisable(first.after, { source: 'cluster.yaml' }).after).toBe(
            onCloudOf(destination, spec),
          );
        },
      );
    }
  }

  it('merges the IAM statement after the statements already there and keeps theirs byte for byte', () => {
    const spec = SPECS['with additionalPolicies']!;
    const plan = enable(spec, { ship: DESTINATIONS.cloudwatch!() });
    const policies = (
      parseAllDocuments(plan.after)[0]!.toJS() as { spec: { additionalPolicies: Record<string, string> } }
    ).spec.additionalPolicies;
    const master = JSON.parse(policies.master!) as { Sid?: string; Action: string[] }[];
    expect(master.map((s) => s.Sid)).toEqual([undefined, 'KopsAuditShipAuditLog']);
    expect(master[1]!.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(policies.node).toBe('[{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]\n');
    expect(plan.changes).toContainEqual({
      action: 'add',
      target: 'spec.additionalPolicies.master[KopsAuditShipAuditLog]',
      after:
        'allow logs:CreateLogStream, logs:PutLogEvents on arn:aws:logs:us-east-1:*:log-group:kube-apiserver-audit:*',
    });
  });

  it('grants CreateLogGroup only with create_group; the APIServer role gets the statement too', () => {
    const spec = `${kopsSpec()}---
apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  name: apiserver-us-east-1a
spec:
  role: APIServer
`;
    const plan = enable(spec, {
      ship: { target: parseShipTarget('cloudwatch://cn-north-1/audit?create_group=true') },
    });
    const policies = (
      parseAllDocuments(plan.after)[0]!.toJS() as { spec: { additionalPolicies: Record<string, string> } }
    ).spec.additionalPolicies;
    expect(Object.keys(policies).sort()).toEqual(['apiserver', 'master']);
    expect(JSON.parse(policies.apiserver!)[0]).toMatchObject({
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: ['arn:aws-cn:logs:cn-north-1:*:log-group:audit:*'],
    });
    expect(planDisable(plan.after, { source: 'cluster.yaml' }).after).toBe(spec);
  });

  it('a v1alpha2 spec that already says control-plane keeps that key (master beside it would collide in kops)', () => {
    const spec = kopsSpec('', '  additionalPolicies:\n    control-plane: |\n      []\n');
    const plan = enable(spec, { ship: DESTINATIONS.cloudwatch!() });
    expect(plan.after).not.toContain('    master: |');
    expect(plan.after).toContain('KopsAuditShipAuditLog');
    expect(
      auditStatus(parseSpec(plan.after, 'c.yaml'), undefined).checks.find((c) => c.id === 'ship-iam')?.ok,
    ).toBe(true);
    // Their empty list comes back as it was.
    expect(planDisable(plan.after, { source: 'cluster.yaml' }).after).toBe(spec);
  });

  it('a v1alpha3 spec gets the key control-plane (no conversion from master there)', () => {
    const spec = kopsSpec().replace(
      'kops.k8s.io/v1alpha2\nkind: Cluster',
      'kops.k8s.io/v1alpha3\nkind: Cluster',
    );
    const plan = enable(spec, { ship: DESTINATIONS.cloudwatch!() });
    expect(plan.after).toContain('  additionalPolicies:\n    control-plane: |-\n');
  });

  it('follows a new log path without --ship-to, and --ship-to none removes the shipper and its IAM', () => {
    const first = enable(exampleSpec, { ship: DESTINATIONS.cloudwatch!() });
    const moved = enable(first.after, { logPath: '/var/log/audit/kube.log' });
    expect(moved.after).toMatch(/^ +path +\/var\/log\/audit\/kube\.log$/m);
    const none = enable(moved.after, { ship: 'none' });
    expect(none.after).not.toContain('kops-audit-shipper');
    expect(none.after).not.toContain('additionalPolicies');
  });

  it('refuses a log that is no file, a non-AWS cloud for CloudWatch, and a foreign asset at its paths', () => {
    expect(() => enable(exampleSpec, { logPath: '-', ship: DESTINATIONS.loki!() })).toThrow(
      'kube-apiserver stdout',
    );
    expect(() =>
      enable(kopsSpec().replace('cloudProvider: aws', 'cloudProvider: gce'), {
        ship: DESTINATIONS.cloudwatch!(),
      }),
    ).toThrow('gce cluster');
    const clash = kopsSpec(
      '',
      '  fileAssets:\n  - name: mine\n    path: /etc/kubernetes/manifests/kops-audit-shipper.manifest\n    content: x\n',
    );
    expect(() => enable(clash, { ship: DESTINATIONS.loki!() })).toThrow(ConflictError);
  });

  it('never shows the credentials: the diff, the changes and the warnings', () => {
    const withCredentials = Object.keys(DESTINATIONS).filter((d) => DESTINATIONS[d]!().credentials);
    expect(withCredentials).toHaveLength(6);
    for (const destination of withCredentials) {
      const settings = DESTINATIONS[destination]!();
      const secrets = credentialStrings(settings.credentials);
      const plan = enable(exampleSpec, { ship: settings });
      // The spec holds the secret itself (a password, a token, a key); nothing shown does.
      expect(plan.after).toContain(secrets[0]);
      expect(plan.diff).toContain(`"*** hidden: shipping credentials (after) ***"`);
      const disable = planDisable(plan.after, { source: 'cluster.yaml' });
      for (const secret of [TOKEN, API_KEY, ...secrets]) {
        expect(JSON.stringify({ ...plan, before: '', after: '' })).not.toContain(secret);
        expect(JSON.stringify({ ...disable, before: '', after: '' })).not.toContain(secret);
      }
      expect(disable.changes.find((c) => c.target.includes(SHIP_CREDENTIALS_ASSET))?.before).toContain(
        'content hidden',
      );
    }
  });
});

describe('the destinations s3, elasticsearch, splunk, logdna and stackdriver', () => {
  it.each([
    ['s3://Acme_Audit/x?region=us-east-1', 'is not an S3 bucket name'],
    ['s3://acme-audit/kube', 'names no region'],
    ['s3://acme-audit/a*b?region=us-east-1', 'plain S3 key prefix'],
    ['s3://acme-audit/a/%Y?region=us-east-1', 'plain S3 key prefix'],
    ['s3://acme-audit/a//b?region=us-east-1', 'plain S3 key prefix'],
    ['s3://acme-audit/a?region=mars', 'is not an AWS region'],
    ['s3://acme-audit/a?region=us-east-1&acl=public', 'query parameter "acl"'],
    ['elasticsearch://search.example.com', 'names no index'],
    ['elasticsearch://search.example.com/Audit', 'is not an Elasticsearch index name'],
    ['elasticsearch://search.example.com/a/b', 'is not an Elasticsearch index name'],
    ['elasticsearch://search.example.com/_audit', 'is not an Elasticsearch index name'],
    ['elasticsearch://search.example.com/audit?tls=maybe', 'takes true or false'],
    ['splunk://hec.example.com/services/collector', 'takes no path'],
    ['splunk://hec.example.com:99999', 'out of range'],
    ['logdna://logs.mezmo.com/logs/ingest', 'takes no path'],
    ['logdna://?tls=off', 'takes no query parameters'],
    ['stackdriver://my-project', 'takes nothing after it'],
    ['stackdriver://?project=p', 'takes nothing after it'],
  ])('%s is refused: %s', (url, message) => {
    expect(() => parseShipTarget(url)).toThrow(UsageError);
    expect(() => parseShipTarget(url)).toThrow(message);
  });

  it('reads their parts: the S3 prefix as a folder, default ports, TLS on by default', () => {
    expect(parseShipTarget('s3://acme-audit/kube/apiserver?region=eu-west-1')).toMatchObject({
      bucket: 'acme-audit',
      prefix: 'kube/apiserver/',
      region: 'eu-west-1',
    });
    expect(parseShipTarget('s3://acme-audit/kube/?region=eu-west-1')).toMatchObject({ prefix: 'kube/' });
    expect(parseShipTarget('s3://acme-audit?region=eu-west-1')).toMatchObject({ prefix: '' });
    expect(parseShipTarget('elasticsearch://Search.Example.com/kube-audit')).toMatchObject({
      host: 'search.example.com',
      port: 9200,
      index: 'kube-audit',
      tls: true,
    });
    expect(parseShipTarget('elasticsearch://es.internal:9201/audit?tls=off')).toMatchObject({
      port: 9201,
      tls: false,
    });
    expect(parseShipTarget('splunk://hec.example.com')).toMatchObject({ port: 8088, tls: true });
    expect(parseShipTarget('logdna://')).toEqual({ kind: 'logdna', url: 'logdna://' });
    expect(parseShipTarget('logdna://logs.mezmo.com')).toEqual({
      kind: 'logdna',
      url: 'logdna://logs.mezmo.com',
      host: 'logs.mezmo.com',
    });
    expect(parseShipTarget('logdna://logs.example.com:8443')).toMatchObject({ port: 8443 });
    expect(parseShipTarget('stackdriver://')).toEqual({ kind: 'stackdriver', url: 'stackdriver://' });
  });

  it('takes the credentials each destination uses, and refuses the others without quoting them', () => {
    const es = parseShipTarget('elasticsearch://search.example.com/audit');
    expect(parseShipCredentials(es, 'f', `elastic:${TOKEN}:x`)).toEqual({
      kind: 'basic',
      user: 'elastic',
      password: `${TOKEN}:x`,
    });
    expect(parseShipCredentials(es, 'f', API_KEY)).toEqual({ kind: 'apiKey', apiKey: API_KEY });
    const splunk = parseShipTarget('splunk://hec.example.com');
    const logdna = parseShipTarget('logdna://');
    expect(parseShipCredentials(splunk, 'f', TOKEN)).toEqual({ kind: 'token', token: TOKEN });
    expect(parseShipCredentials(logdna, 'f', TOKEN)).toEqual({ kind: 'token', token: TOKEN });
    for (const [target, text, why] of [
      [es, TOKEN, 'neither USER:PASSWORD nor a base64'],
      [es, `:${TOKEN}`, 'has no user'],
      [splunk, `x:${TOKEN}`, 'the HEC token has no `:`'],
      [logdna, `x:${TOKEN}`, 'the Mezmo ingestion key has no `:`'],
      [parseShipTarget('s3://acme-audit?region=us-east-1'), TOKEN, 'instance role'],
      [parseShipTarget('stackdriver://'), TOKEN, 'metadata server'],
    ] as const) {
      let message = '';
      try {
        parseShipCredentials(target, 'secret.txt', text);
      } catch (error) {
        message = `${(error as UsageError).message} ${(error as UsageError).hint}`;
      }
      expect(message).toContain(why);
      expect(message).not.toContain(TOKEN);
    }
  });

  it('splunk and logdna need credentials; a re-run for the same destination keeps them', () => {
    for (const [url, what] of [
      ['splunk://hec.example.com', 'the HEC token'],
      ['logdna://', 'the Mezmo ingestion key'],
    ] as const) {
      const target = parseShipTarget(url);
      expect(() => enable(exampleSpec, { ship: { target } })).toThrow(`needs ${what}`);
      const first = enable(exampleSpec, {
        ship: { target, credentials: parseShipCredentials(target, 'f', TOKEN) },
      });
      expect(enable(first.after, { ship: { target } }).changed).toBe(false);
    }
  });

  it('an Elasticsearch API key is refused with the default image, which has no http_api_key', () => {
    const settings = DESTINATIONS['elasticsearch-apikey']!();
    const { image: _image, ...withDefaultImage } = settings;
    expect(() => enable(exampleSpec, { ship: withDefaultImage })).toThrow('http_api_key');
    let message = '';
    try {
      enable(exampleSpec, { ship: withDefaultImage });
    } catch (error) {
      message = `${(error as UsageError).message} ${(error as UsageError).hint}`;
    }
    expect(message).not.toContain(API_KEY);
    expect(enable(exampleSpec, { ship: settings }).changed).toBe(true);
  });

  it('s3 grants s3:PutObject under the prefix only, to the control-plane key, and status checks it', () => {
    const spec = SPECS['with additionalPolicies']!;
    const plan = enable(spec, { ship: DESTINATIONS.s3!() });
    const policies = (
      parseAllDocuments(plan.after)[0]!.toJS() as { spec: { additionalPolicies: Record<string, string> } }
    ).spec.additionalPolicies;
    const master = JSON.parse(policies.master!) as { Sid?: string; Action: string[]; Resource: string[] }[];
    expect(master[1]).toEqual({
      Sid: 'KopsAuditShipAuditLog',
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: ['arn:aws:s3:::acme-audit-logs/kube-apiserver/*'],
    });
    expect(policies.node).toBe('[{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]\n');
    const iam = auditStatus(parseSpec(plan.after, 'c.yaml'), undefined).checks.find(
      (c) => c.id === 'ship-iam',
    );
    expect(iam).toMatchObject({
      ok: true,
      title: 'IAM lets the control plane write under the bucket prefix',
    });
    expect(planDisable(plan.after, { source: 'cluster.yaml' }).after).toBe(spec);
    // Someone narrowed the statement to another prefix: status says so.
    const narrowed = plan.after.replace('acme-audit-logs/kube-apiserver/*', 'acme-audit-logs/other/*');
    expect(
      auditStatus(parseSpec(narrowed, 'c.yaml'), undefined).checks.find((c) => c.id === 'ship-iam')?.ok,
    ).toBe(false);
    // China and GovCloud ARNs, and a bucket without a prefix.
    const cn = enable(kopsSpec(), {
      ship: { target: parseShipTarget('s3://acme-audit?region=cn-north-1') },
    });
    expect(cn.after).toContain('"arn:aws-cn:s3:::acme-audit/*"');
  });

  it('s3 is for AWS clusters, stackdriver for GCE clusters; stackdriver adds nothing of AWS', () => {
    const gce = kopsSpec().replace('cloudProvider: aws', 'cloudProvider: gce');
    expect(() => enable(gce, { ship: DESTINATIONS.s3!() })).toThrow('gce cluster');
    expect(() => enable(kopsSpec(), { ship: DESTINATIONS.stackdriver!() })).toThrow(
      "sends with the GCE node's service account, but cluster.yaml is a aws cluster",
    );
    const plan = enable(gce, { ship: DESTINATIONS.stackdriver!() });
    expect(plan.after).not.toContain('additionalPolicies');
    expect(plan.changes.map((c) => c.target).join(' ')).not.toContain('additionalPolicies');
    const files = renderShipFiles(shipPlan('stackdriver'));
    expect(files.credentials).toBeUndefined();
    expect(`${files.manifest}${files.config}${files.parsers}`).not.toMatch(/aws|amazon|arn:|region/i);
    expect(auditStatus(parseSpec(plan.after, 'c.yaml'), undefined).checks.map((c) => c.id)).not.toContain(
      'ship-iam',
    );
  });

  it('status fails the credentials check of a splunk shipper whose credentials are gone', () => {
    const first = enable(exampleSpec, { ship: DESTINATIONS.splunk!() });
    const docs = parseAllDocuments(first.after);
    const cluster = docs[0]!.toJS() as { spec: { fileAssets: { name: string; content: string }[] } };
    cluster.spec.fileAssets = cluster.spec.fileAssets
      .filter((a) => a.name !== SHIP_CREDENTIALS_ASSET)
      .map((a) => ({ ...a, content: a.content.replace(/^@INCLUDE .*\n/m, '') }));
    const text = [stringify(cluster), ...docs.slice(1).map((d) => d.toString())].join('---\n');
    const check = auditStatus(parseSpec(text, 'c.yaml'), undefined).checks.find(
      (c) => c.id === 'ship-credentials',
    );
    expect(check).toMatchObject({ ok: false });
    expect(check?.detail).toContain('needs the HEC token');
  });

  it('list prices: S3 storage and Cloud Logging with their sources; none for the others', () => {
    expect(listPrice(parseShipTarget('s3://acme-audit?region=us-east-1'))).toMatchObject({
      usdPerGb: 0.023,
      source: expect.stringContaining('aws.amazon.com/s3/pricing'),
    });
    expect(listPrice(parseShipTarget('stackdriver://'))).toMatchObject({
      usdPerGb: 0.466,
      source: expect.stringContaining('cloud.google.com/stackdriver/pricing'),
    });
    for (const [url, why] of [
      ['elasticsearch://search.example.com/audit', 'Elastic Cloud prices capacity'],
      ['splunk://hec.example.com', 'priced by quote'],
      ['logdna://', 'Mezmo publishes no per-GB list price'],
    ] as const) {
      expect(listPrice(parseShipTarget(url))).toBeUndefined();
      expect(whyNoListPrice(parseShipTarget(url))).toContain(why);
    }
  });
});
