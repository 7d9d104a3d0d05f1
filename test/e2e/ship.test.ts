/**
 * `enable --ship-to` end to end: every emulated kops version takes the spec (replace, update and a
 * control-plane roll that checks kube-apiserver starts), cluster mode ships through kops, and no
 * output of any command shows the shipper's credentials.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planEnable } from '../../src/plan/plan.js';
import { parseKopsVersion } from '../../src/spec/kops-version.js';
import { parseShipCredentials, parseShipTarget } from '../../src/spec/ship-target.js';
import { runCli } from '../helpers/cli.js';
import { NAME, world } from '../helpers/cluster-world.js';
import { emulatorWorld, runKops, withoutKlog } from '../helpers/kops-emulator.js';
import {
  minimalCluster,
  readCluster,
  readInstanceGroups,
  seedCluster,
  toKopsYaml,
} from '../kops-emulator/store.mjs';
import { basicPolicy } from '../unit/spec/fixtures.js';

const TOKEN = 'Sh1pp1ng-s3cr3t-T0ken-4f9c';

const DESTINATIONS = [
  'cloudwatch://us-east-1/kube-apiserver-audit',
  'loki://logs.example.com',
  'https://audit.example.com/ingest',
  's3://acme-audit-logs/kube-apiserver?region=us-east-1',
  'elasticsearch://search.example.com/kube-audit',
  'splunk://hec.example.com',
  'logdna://',
  'stackdriver://',
];

/** What the --ship-credentials file of a destination holds in these tests (none for cloud identities). */
function secretFor(url: string): string | undefined {
  if (/^(cloudwatch|s3|stackdriver):/.test(url)) return undefined;
  return url.startsWith('elasticsearch:') ? `fluent-bit:${TOKEN}` : TOKEN;
}

describe('every emulated kops version takes the shipper (kops replace, update, control-plane roll)', () => {
  const versions = ['1.21.0', '1.25.4', '1.26.2', '1.26.6', '1.27.0', '1.28.4', '1.34.1'];
  it.each(versions.flatMap((version) => DESTINATIONS.map((url) => [version, url] as const)))(
    'kops %s, %s',
    async (version, url) => {
      const emu = emulatorWorld(version);
      const target = parseShipTarget(url);
      // stackdriver:// is for GCE clusters.
      const cluster = minimalCluster(NAME, emu.stateDir);
      if (target.kind === 'stackdriver') cluster.spec.cloudProvider = 'gce';
      seedCluster(emu.stateDir, NAME, { apiserver: version !== '1.21.0', cluster });
      const spec = [readCluster(emu.stateDir, NAME), ...readInstanceGroups(emu.stateDir, NAME)]
        .map((object) => toKopsYaml(object))
        .join('\n---\n\n');
      const secret = secretFor(url);
      const plan = planEnable(spec, {
        source: 'cluster.yaml',
        policy: basicPolicy,
        backend: 'log',
        kopsVersion: parseKopsVersion(version)!,
        ship: {
          target,
          ...(secret === undefined ? {} : { credentials: parseShipCredentials(target, 'f', secret) }),
        },
      });
      const env = emu.env();
      const replaced = await runKops(['replace', '-f', '-'], env, plan.after);
      expect(withoutKlog(replaced.stderr).trim()).toBe('');
      expect(replaced.code).toBe(0);
      expect((await runKops(['update', 'cluster', '--name', NAME, '--yes'], env)).code).toBe(0);
      const roles =
        version.startsWith('1.2') && Number(version.split('.')[1]) < 26 ? 'master' : 'control-plane';
      const rolled = await runKops(
        [
          'rolling-update',
          'cluster',
          '--name',
          NAME,
          '--instance-group-roles',
          `${roles},apiserver`,
          '--yes',
        ],
        env,
      );
      expect(rolled.code, rolled.stderr).toBe(0);
      const stored = readCluster(emu.stateDir, NAME)!.spec as {
        fileAssets: { name: string }[];
        additionalPolicies?: Record<string, string>;
      };
      expect(stored.fileAssets.map((a) => a.name)).toContain('kops-audit-shipper-manifest');
      if (target.kind === 'cloudwatch' || target.kind === 's3') {
        expect(Object.keys(stored.additionalPolicies!)).toContain('master');
      } else {
        expect(stored.additionalPolicies).toBeUndefined();
      }
    },
    60_000,
  );
});

describe('no output shows the shipper credentials', () => {
  const tokenFile = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ship-'));
    const file = path.join(dir, 'token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    return { dir, file };
  };

  it('file mode: enable (dry run, JSON, write, re-run), status, disable, errors, --debug', async () => {
    const { dir, file } = tokenFile();
    const spec = path.join(dir, 'cluster.yaml');
    writeFileSync(spec, readFileSync(path.join(process.cwd(), 'examples/cluster.yaml'), 'utf8'), {
      mode: 0o644,
    });
    const ship = [
      '--policy',
      'basic',
      '--ship-to',
      'https://audit.example.com/ingest',
      '--ship-credentials',
      file,
    ];
    const outputs = [
      await runCli(['enable', '-f', spec, ...ship, '--dry-run']),
      await runCli(['enable', '-f', spec, ...ship, '--dry-run', '-o', 'json']),
      await runCli(['enable', '-f', spec, ...ship]),
      await runCli(['enable', '-f', spec, ...ship, '--dry-run', '--detailed-exitcode']),
      await runCli(['status', '-f', spec]),
      await runCli(['status', '-f', spec, '-o', 'json']),
      await runCli(['disable', '-f', spec, '--dry-run']),
      await runCli(['disable', '-f', spec, '--dry-run', '-o', 'json']),
      await runCli([
        'enable',
        '-f',
        spec,
        '--ship-to',
        'https://audit.example.com/ingest',
        '--ship-credentials',
        '-',
      ]),
      await runCli([
        'enable',
        '-f',
        spec,
        '--ship-to',
        `https://x:${TOKEN}@audit.example.com/ingest`,
        '--debug',
      ]),
    ];
    writeFileSync(file, `${TOKEN}\n${TOKEN}\n`);
    outputs.push(await runCli(['enable', '-f', spec, ...ship, '--debug']));
    outputs.push(await runCli(['enable', '-f', spec, ...ship, '-o', 'json', '--dry-run']));
    expect(outputs[2]!.code).toBe(0);
    expect(readFileSync(spec, 'utf8')).toContain(TOKEN);
    // The written file is readable by others: enable warns, without the secret.
    expect(outputs[2]!.stderr).toContain("now holds the log shipper's credentials");
    expect(outputs[3]!.code).toBe(0);
    expect(outputs[4]!.stdout).toContain(
      'ships    /var/log/kube-apiserver-audit.log to https://audit.example.com/ingest',
    );
    expect(outputs[8]!.stderr).toContain('--ship-credentials - is refused');
    for (const [i, result] of outputs.entries()) {
      expect(`${result.stdout}\n${result.stderr}`, `output ${i}`).not.toContain(TOKEN);
    }
  });

  it('file mode, every destination that takes credentials: enable, JSON, status, disable, errors', async () => {
    const { dir, file } = tokenFile();
    const outputs = [];
    for (const url of DESTINATIONS) {
      const secret = secretFor(url);
      if (secret === undefined) continue;
      writeFileSync(file, `${secret}\n`);
      const spec = path.join(dir, `${parseShipTarget(url).kind}.yaml`);
      writeFileSync(spec, readFileSync(path.join(process.cwd(), 'examples/cluster.yaml'), 'utf8'), {
        mode: 0o600,
      });
      const ship = ['--policy', 'basic', '--ship-to', url, '--ship-credentials', file];
      const written = await runCli(['enable', '-f', spec, ...ship]);
      expect(written.code, written.stderr).toBe(0);
      expect(readFileSync(spec, 'utf8')).toContain(TOKEN);
      outputs.push(
        written,
        await runCli(['enable', '-f', spec, ...ship, '--dry-run', '-o', 'json', '--debug']),
        await runCli(['status', '-f', spec]),
        await runCli(['status', '-f', spec, '-o', 'json']),
        await runCli(['disable', '-f', spec, '--dry-run']),
        await runCli(['disable', '-f', spec, '--dry-run', '-o', 'json']),
      );
      // A second line in the file: refused, without quoting it.
      writeFileSync(file, `${secret}\n${secret}\n`);
      const refused = await runCli(['enable', '-f', spec, ...ship, '--debug']);
      expect(refused.code).toBe(1);
      outputs.push(refused);
    }
    expect(outputs).toHaveLength(5 * 7);
    for (const [i, result] of outputs.entries()) {
      expect(`${result.stdout}\n${result.stderr}`, `output ${i}`).not.toContain(TOKEN);
    }
  });

  it('cluster mode: the plan, JSON, the run, status and disable', async () => {
    const w = world('1.28.4');
    const { file } = tokenFile();
    const ship = ['--ship-to', 'loki://logs.example.com', '--ship-credentials', file];
    const outputs = [
      await w.cli(['enable', NAME, '--policy', 'basic', ...ship, '--dry-run']),
      await w.cli(['enable', NAME, '--policy', 'basic', ...ship, '--dry-run', '-o', 'json']),
      await w.cli(['enable', NAME, '--policy', 'basic', ...ship, '--yes']),
    ];
    expect(outputs[2]!.code, outputs[2]!.stderr).toBe(0);
    const stored = JSON.stringify(readCluster(w.stateDir, NAME)!.spec);
    expect(stored).toContain('kops-audit-shipper-credentials');
    outputs.push(await runCli(['status', NAME], { env: w.env() }));
    expect(outputs[3]!.code, outputs[3]!.stdout).toBe(0);
    expect(outputs[3]!.stdout).toContain('to loki://logs.example.com');
    outputs.push(await w.cli(['enable', NAME, '--policy', 'basic', ...ship, '--yes']));
    expect(`${outputs[4]!.stdout}${outputs[4]!.stderr}`).toContain('Nothing to do');
    outputs.push(await w.cli(['disable', NAME, '--yes', '-o', 'json']));
    expect(outputs[5]!.code).toBe(0);
    expect(JSON.stringify(readCluster(w.stateDir, NAME)!.spec)).not.toContain('kops-audit-shipper');
    for (const [i, result] of outputs.entries()) {
      expect(`${result.stdout}\n${result.stderr}`, `output ${i}`).not.toContain(TOKEN);
    }
  }, 120_000);
});
