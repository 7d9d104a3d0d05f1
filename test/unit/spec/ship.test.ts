/**
 * `enable --ship-to` (issue 14) on specs: the shipper's files per destination (golden), checked
 * against a Pod schema subset and fluent-bit's documented options; enable -> disable byte for
 * byte; a re-run changes nothing; the IAM statement merges with statements already there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ConflictError, UsageError } from '../../../src/errors.js';
import { type EnableOptions, planDisable, planEnable } from '../../../src/plan/plan.js';
import { parseSpec } from '../../../src/spec/document.js';
import { parseKopsVersion } from '../../../src/spec/kops-version.js';
import type { ShipSettings } from '../../../src/spec/ship.js';
import { renderShipFiles, SHIP_CREDENTIALS_ASSET, type ShipPlan } from '../../../src/spec/ship-render.js';
import { parseShipCredentials, parseShipTarget } from '../../../src/spec/ship-target.js';
import { auditStatus } from '../../../src/spec/status.js';
import { expectGolden } from '../../helpers/golden.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { basicPolicy, exampleSpec, kopsSpec } from './fixtures.js';

const TOKEN = 'glc_s3cr3t-Sh1pp1ng-T0ken';

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
};

const enable = (text: string, options: Partial<EnableOptions> = {}) =>
  planEnable(text, { source: 'cluster.yaml', policy: basicPolicy, backend: 'log', ...options });
const v = (text: string) => parseKopsVersion(text)!;

function shipPlan(name: string): ShipPlan {
  const settings = DESTINATIONS[name]!();
  return {
    target: settings.target,
    image: 'cr.fluentbit.io/fluent/fluent-bit:4.0.3',
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
      expectGolden(files.credentials.split(TOKEN).join('<token>'), `ship/${name}/credentials.conf`);
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
          const first = enable(spec, options);
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
          expect(planDisable(first.after, { source: 'cluster.yaml' }).after).toBe(spec);
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
    for (const destination of ['loki', 'https']) {
      const plan = enable(exampleSpec, { ship: DESTINATIONS[destination]!() });
      expect(plan.after).toContain(TOKEN);
      expect(plan.diff).toContain(`"*** hidden: shipping credentials (after) ***"`);
      expect(JSON.stringify({ ...plan, before: '', after: '' })).not.toContain(TOKEN);
      const disable = planDisable(plan.after, { source: 'cluster.yaml' });
      expect(JSON.stringify({ ...disable, before: '', after: '' })).not.toContain(TOKEN);
      expect(disable.changes.find((c) => c.target.includes(SHIP_CREDENTIALS_ASSET))?.before).toContain(
        'content hidden',
      );
    }
  });
});
