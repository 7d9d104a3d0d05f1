// The emulator against the kops facts in ../shared/research/kops.md §2-§4 (cited per test).
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorWorld, runKops, withoutKlog } from '../helpers/kops-emulator.js';
import { parseObjects, readCloud, readCluster, seedCluster, toKopsYaml } from '../kops-emulator/store.mjs';

const NAME = 'demo.example.com';

function seeded(version = '1.28.4', apiserver = false) {
  const world = emulatorWorld(version);
  seedCluster(world.stateDir, NAME, { apiserver });
  return world;
}

/** The seeded spec with an audit policy delivered by a fileAsset for `roles` at `dir`. */
function withAudit(world: ReturnType<typeof emulatorWorld>, roles: string[], dir: string): string {
  const cluster = readCluster(world.stateDir, NAME)!;
  cluster.spec.kubeAPIServer = {
    auditLogPath: '/var/log/kube-apiserver-audit.log',
    auditPolicyFile: `${dir}/policy-config.yaml`,
  };
  cluster.spec.fileAssets = [
    {
      name: 'audit-policy-config',
      path: `${dir}/policy-config.yaml`,
      roles,
      content: 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n',
    },
  ];
  return toKopsYaml(cluster);
}

async function applyAndRoll(world: ReturnType<typeof emulatorWorld>, spec: string, roles: string) {
  const env = world.env();
  expect((await runKops(['replace', '-f', '-'], env, spec)).code).toBe(0);
  expect((await runKops(['update', 'cluster', '--name', NAME, '--yes'], env)).code).toBe(0);
  return runKops(
    ['rolling-update', 'cluster', '--name', NAME, '--instance-group-roles', roles, '--yes'],
    env,
  );
}

describe('kops emulator: version (kops.md §4 "kops version")', () => {
  it.each([
    ['1.21.0', {}, 'Version 1.21.0 (git-v1.21.0)\n'],
    ['1.23.2', { KOPS_EMULATOR_GIT_VERSION: '' }, 'Version 1.23.2\n'],
    ['1.26.2', {}, 'Client version: 1.26.2 (git-v1.26.2)\n'],
    [
      '1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264',
      {},
      'Client version: 1.37.0-alpha.2+v1.37.0-alpha.1-280-g268927e264 (git-v1.37.0-alpha.1-280-g268927e264)\n',
    ],
  ])('kops %s prints its long form', async (version, extra, expected) => {
    const result = await runKops(['version'], emulatorWorld(version).env(extra));
    expect(result).toMatchObject({ code: 0, stdout: expected });
  });

  it('--short prints the bare version', async () => {
    expect((await runKops(['version', '--short'], emulatorWorld('1.34.1').env())).stdout).toBe('1.34.1\n');
  });
});

describe('kops emulator: get (kops.md §4 "kops get cluster")', () => {
  it('get cluster --name -o yaml prints one Cluster document with sorted keys', async () => {
    const world = seeded();
    const result = await runKops(['get', 'cluster', '--name', NAME, '-o', 'yaml'], world.env());
    expect(result.code).toBe(0);
    const docs = parseObjects(result.stdout);
    expect(docs.map((d) => d.kind)).toEqual(['Cluster']);
    expect(result.stdout.startsWith('apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n')).toBe(
      true,
    );
  });

  it('a missing cluster is `cluster not found "NAME"`, exit 1', async () => {
    const result = await runKops(
      ['get', 'cluster', '--name', 'nope.example.com', '-o', 'yaml'],
      seeded().env(),
    );
    expect(result.code).toBe(1);
    expect(withoutKlog(result.stderr)).toBe('Error: cluster not found "nope.example.com"\n');
  });

  it('a positional name together with --name is refused', async () => {
    const result = await runKops(['get', 'cluster', NAME, '--name', NAME], seeded().env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: cannot mix --name for cluster with positional arguments');
  });

  it('no state store is kops STATE_ERROR', async () => {
    const result = await runKops(
      ['get', 'cluster', '--name', NAME],
      seeded().env({ KOPS_STATE_STORE: undefined }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: Please set the --state flag or export KOPS_STATE_STORE\./);
  });

  it('get all exists from 1.26 and prints the Cluster then its InstanceGroups', async () => {
    const modern = await runKops(['get', 'all', '--name', NAME, '-o', 'yaml'], seeded('1.26.2', true).env());
    expect(parseObjects(modern.stdout).map((d) => d.kind)).toEqual([
      'Cluster',
      'InstanceGroup',
      'InstanceGroup',
      'InstanceGroup',
    ]);
    expect(modern.stdout).toContain('\n---\n\n');
    const old = await runKops(['get', 'all', '--name', NAME, '-o', 'yaml'], seeded('1.25.4').env());
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('cannot mix --name for cluster with positional arguments');
    const legacy = await runKops(['get', '--name', NAME, '-o', 'yaml'], seeded('1.25.4').env());
    expect(parseObjects(legacy.stdout).map((d) => d.kind)).toEqual([
      'Cluster',
      'InstanceGroup',
      'InstanceGroup',
    ]);
  });
});

describe('kops emulator: flags per version (kops.md §4 "rolling-update")', () => {
  it('--control-plane-interval is an unknown flag before 1.26, as cobra reports it', async () => {
    const args = ['rolling-update', 'cluster', '--name', NAME, '--control-plane-interval=0s'];
    const old = await runKops(args, seeded('1.25.4').env());
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/^Error: unknown flag: --control-plane-interval\n/);
    expect((await runKops(args, seeded('1.26.2').env())).code).toBe(0);
  });

  // pflag's duration flags parse with Go's time.ParseDuration.
  it('a duration flag takes what time.ParseDuration takes and refuses the rest, as pflag reports it', async () => {
    const env = seeded('1.28.4').env();
    const withTimeout = (value: string) =>
      runKops(['rolling-update', 'cluster', '--name', NAME, `--validation-timeout=${value}`], env);
    for (const good of ['0', '-0', '15m', '1h2m3.5s', '.5s', '2.s', '100\u00b5s', '100\u03bcs']) {
      expect((await withTimeout(good)).code, good).toBe(0);
    }
    for (const bad of ['s', '.s', '15', '15 m', '']) {
      const result = await withTimeout(bad);
      expect(result.code, bad).toBe(1);
      expect(result.stderr).toContain(
        `invalid argument ${JSON.stringify(bad)} for "--validation-timeout" flag: time: invalid duration ${JSON.stringify(bad)}`,
      );
    }
  });

  it('kops 1.21 prints the error a second time (exitWithError)', async () => {
    const result = await runKops(['update', 'cluster', '--name', NAME, '--prune'], seeded('1.21.0').env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: unknown flag: --prune');
    expect(result.stderr).toContain('\nerror: unknown flag: --prune\n');
  });

  it.each([
    ['1.21.0', 'control-plane', false],
    ['1.25.4', 'masters', true],
    ['1.25.4', 'Master,APIServer', true],
    ['1.26.2', 'control-plane', true],
    ['1.26.2', 'controlplane', true],
    ['1.28.4', 'master', true],
    ['1.28.4', 'etcd', false],
  ])('kops %s --instance-group-roles=%s accepted: %s', async (version, roles, ok) => {
    const result = await runKops(
      ['rolling-update', 'cluster', '--name', NAME, `--instance-group-roles=${roles}`],
      seeded(version, true).env(),
    );
    expect(result.code).toBe(ok ? 0 : 1);
    if (!ok) expect(withoutKlog(result.stderr)).toMatch(/^Error: invalid instance group role "/);
  });
});

describe('kops emulator: replace (kops.md §4 "kops replace", §1 validation)', () => {
  it('bumps metadata.generation only when the spec changed; accepts the legacy apiVersion', async () => {
    const world = seeded();
    const spec = withAudit(world, ['ControlPlane'], '/etc/kubernetes/audit');
    expect((await runKops(['replace', '-f', '-'], world.env(), spec)).code).toBe(0);
    expect(readCluster(world.stateDir, NAME)!.metadata.generation).toBe(1);
    const legacy = spec.replace('kops.k8s.io/v1alpha2', 'kops/v1alpha2');
    const file = path.join(world.dir, 'spec.yaml');
    writeFileSync(file, legacy, { mode: 0o600 });
    expect((await runKops(['replace', '-f', file], world.env())).code).toBe(0);
    expect(readCluster(world.stateDir, NAME)!.metadata.generation).toBe(1);
    const logged = world.invocations().at(-1)!;
    expect(logged.files).toEqual([{ path: file, mode: '0600', content: legacy }]);
  });

  it('replaces a Cluster and its InstanceGroups from one multi-document file; IGs need the cluster label', async () => {
    const world = seeded();
    const all = await runKops(['get', 'all', '--name', NAME, '-o', 'yaml'], world.env());
    const text = all.stdout.replace('minSize: 2', 'minSize: 3').replace('maxSize: 2', 'maxSize: 3');
    expect((await runKops(['replace', '-f', '-'], world.env(), text)).code).toBe(0);
    const after = await runKops(['get', 'instancegroups', '--name', NAME, '-o', 'yaml'], world.env());
    expect(after.stdout).toContain('minSize: 3');
    const unlabelled = text.replaceAll(`kops.k8s.io/cluster: ${NAME}`, 'team: platform');
    const refused = await runKops(['replace', '-f', '-'], world.env(), unlabelled);
    expect(withoutKlog(refused.stderr)).toBe(
      'Error: must specify "kops.k8s.io/cluster" label with cluster name to replace instanceGroup\n',
    );
  });

  it('KOPS_CLUSTER_NAME and a positional name together: "Found multiple arguments", then the error', async () => {
    const result = await runKops(['update', 'cluster', NAME], seeded().env({ KOPS_CLUSTER_NAME: NAME }));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Found multiple arguments which look like a cluster name');
    expect(withoutKlog(result.stderr)).toBe(
      'Error: cannot specify cluster via --name and positional argument\n',
    );
  });

  it('a webhook config outside the policy directory is refused from 1.27 (and 1.26.6), not by 1.26.2', async () => {
    for (const [version, refused] of [
      ['1.26.2', false],
      ['1.26.6', true],
      ['1.28.4', true],
    ] as const) {
      const world = seeded(version);
      const cluster = parseObjects(withAudit(world, ['ControlPlane'], '/etc/kubernetes/audit'))[0]!;
      (cluster.spec.kubeAPIServer as Record<string, unknown>).auditWebhookConfigFile =
        '/etc/webhook/config.yaml';
      const result = await runKops(['replace', '-f', '-'], world.env(), toKopsYaml(cluster));
      expect(result.code).toBe(refused ? 1 : 0);
      if (refused) {
        expect(withoutKlog(result.stderr)).toBe(
          'Error: error replacing cluster: spec.kubeAPIServer.auditWebhookConfigFile: Invalid value: ' +
            '"/etc/webhook/config.yaml": the audit webhook config must be placed in the same directory as the audit policy\n',
        );
        expect(readCluster(world.stateDir, NAME)!.metadata.generation).toBeUndefined();
      }
    }
  });

  it('a fileAsset without content, a string for an int32 field and an unknown apiVersion are refused', async () => {
    const world = seeded();
    const cluster = parseObjects(withAudit(world, ['ControlPlane'], '/etc/kubernetes/audit'))[0]!;
    const noContent = structuredClone(cluster);
    (noContent.spec.fileAssets as Record<string, unknown>[])[0]!.content = '';
    let result = await runKops(['replace', '-f', '-'], world.env(), toKopsYaml(noContent));
    expect(withoutKlog(result.stderr)).toBe(
      'Error: error replacing cluster: spec.fileAssets[0].content: Required value\n',
    );
    const badType = structuredClone(cluster);
    (badType.spec.kubeAPIServer as Record<string, unknown>).auditLogMaxAge = 'ten';
    result = await runKops(['replace', '-f', '-'], world.env(), toKopsYaml(badType));
    expect(result.stderr).toContain('cannot unmarshal string into Go struct field');
    result = await runKops(
      ['replace', '-f', '-'],
      world.env(),
      toKopsYaml({ ...cluster, apiVersion: 'kops.k8s.io/v1' }),
    );
    expect(result.stderr).toContain('no kind "Cluster" is registered for version "kops.k8s.io/v1"');
    expect(readCluster(world.stateDir, NAME)!.spec.fileAssets).toBeUndefined();
  });
});

describe('kops emulator: replace validates spec.additionalPolicies (validation.go validateAdditionalPolicy)', () => {
  const statement = '[{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": ["*"]}]';
  function withPolicies(world: ReturnType<typeof emulatorWorld>, policies: Record<string, unknown>): string {
    const cluster = readCluster(world.stateDir, NAME)!;
    cluster.spec.additionalPolicies = policies;
    return toKopsYaml(cluster);
  }

  it.each(['1.21.0', '1.25.4', '1.26.2', '1.28.4', '1.34.1'])(
    'kops %s takes `master` (v1alpha2 converts it to control-plane from 1.26) and prints it back as `master`',
    async (version) => {
      const world = seeded(version);
      const result = await runKops(
        ['replace', '-f', '-'],
        world.env(),
        withPolicies(world, { master: statement }),
      );
      expect(result.code).toBe(0);
      expect(readCluster(world.stateDir, NAME)!.spec.additionalPolicies).toEqual({ master: statement });
    },
  );

  it('`control-plane` is refused before 1.26 and stored as `master` from 1.26', async () => {
    const old = seeded('1.25.4');
    const refused = await runKops(
      ['replace', '-f', '-'],
      old.env(),
      withPolicies(old, { 'control-plane': statement }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('spec.additionalPolicies: Unsupported value: "control-plane"');
    const modern = seeded('1.28.4');
    const taken = await runKops(
      ['replace', '-f', '-'],
      modern.env(),
      withPolicies(modern, { 'control-plane': statement }),
    );
    expect(taken.code).toBe(0);
    expect(readCluster(modern.stateDir, NAME)!.spec.additionalPolicies).toEqual({ master: statement });
  });

  it('refuses JSON that is no list of statements, a statement without Effect, and a value that is no string', async () => {
    const world = seeded();
    const notJson = await runKops(
      ['replace', '-f', '-'],
      world.env(),
      withPolicies(world, { master: '{nope' }),
    );
    expect(notJson.stderr).toContain('spec.additionalPolicies[control-plane]: Invalid value');
    expect(notJson.stderr).toContain('policy was not valid JSON');
    const noEffect = await runKops(
      ['replace', '-f', '-'],
      world.env(),
      withPolicies(world, { node: '[{"Action": "s3:*"}]' }),
    );
    expect(noEffect.stderr).toContain('spec.additionalPolicies[node][0].Effect: Required value');
    const notString = await runKops(
      ['replace', '-f', '-'],
      world.env(),
      withPolicies(world, { node: ['x'] }),
    );
    expect(notString.stderr).toContain('ClusterSpec.spec.additionalPolicies of type string');
    for (const result of [notJson, noEffect, notString]) expect(result.code).toBe(1);
  });
});

describe('kops emulator: update and rolling-update (kops.md §2 roles, §3 mounts, §7)', () => {
  it('update without --yes previews; with --yes marks only apiserver-running groups for the rolling update', async () => {
    const world = seeded('1.28.4', true);
    const env = world.env();
    await runKops(
      ['replace', '-f', '-'],
      env,
      withAudit(world, ['ControlPlane', 'APIServer'], '/etc/kubernetes/audit'),
    );
    const preview = await runKops(['update', 'cluster', '--name', NAME], env);
    expect(preview.stdout).toMatch(/Must specify --yes to apply changes\n$/);
    await runKops(['update', 'cluster', '--name', NAME, '--yes'], env);
    const cloud = readCloud(world.stateDir, NAME);
    expect(cloud.instanceGroups['nodes-us-east-1a']).toEqual({ running: 0, target: 0 });
    expect(cloud.instanceGroups['control-plane-us-east-1a']).toEqual({ running: 0, target: 1 });
    expect(cloud.instanceGroups['apiserver-us-east-1a']).toEqual({ running: 0, target: 1 });
    const dry = await runKops(['rolling-update', 'cluster', '--name', NAME], env);
    expect(dry.stdout).toMatch(/control-plane-us-east-1a\tNeedsUpdate/);
    expect(dry.stdout).toMatch(/Must specify --yes to rolling-update\.\n$/);
  });

  it('a cluster new to the cloud: its first update creates the instances, a later audit change needs a roll', async () => {
    // Found by hand: groups unknown to the emulated cloud got a target but no running generation, so
    // rolling-update reported "No rolling-update required." after kops-audit changed kube-apiserver.
    const world = seeded();
    const env = world.env();
    rmSync(path.join(world.stateDir, NAME, 'emulator-cloud.json'));
    await runKops(['update', 'cluster', '--name', NAME, '--yes'], env);
    const first = await runKops(['rolling-update', 'cluster', '--name', NAME], env);
    expect(first.stdout).toMatch(/No rolling-update required\.\n$/);
    const cluster = readCluster(world.stateDir, NAME)!;
    cluster.spec.kubeAPIServer = { auditLogPath: '/var/log/kube-apiserver-audit.log' };
    expect((await runKops(['replace', '-f', '-'], env, toKopsYaml(cluster))).code).toBe(0);
    await runKops(['update', 'cluster', '--name', NAME, '--yes'], env);
    const second = await runKops(['rolling-update', 'cluster', '--name', NAME], env);
    expect(second.stdout).toMatch(/control-plane-us-east-1a\tNeedsUpdate/);
    expect(second.stdout).toMatch(/Must specify --yes to rolling-update\.\n$/);
  });

  it.each([
    ['1.28.4', ['ControlPlane'], '/etc/kubernetes/audit', 'control-plane', true],
    ['1.28.4', ['Master'], '/etc/kubernetes/audit', 'control-plane', false],
    ['1.25.4', ['Master'], '/etc/kubernetes/audit', 'master', false],
    ['1.25.4', ['Master'], '/srv/kubernetes/kube-apiserver/audit', 'master', true],
    ['1.21.0', ['Master'], '/srv/kubernetes/audit', 'master', true],
    ['1.26.2', ['Master', 'ControlPlane'], '/srv/kubernetes/kube-apiserver/audit', 'master', true],
  ])('kops %s, roles %j, policy in %s: control plane comes up: %s', async (version, roles, dir, role, ok) => {
    const world = seeded(version);
    const result = await applyAndRoll(world, withAudit(world, roles, dir), role);
    expect(result.code).toBe(ok ? 0 : 1);
    if (ok) expect(result.stderr).toContain(`Rolling update completed for cluster "${NAME}"!`);
    else
      expect(withoutKlog(result.stderr)).toMatch(
        /^Error: (control-plane node|master) not healthy after update/,
      );
  });
});

describe('kops emulator: fault injection, hang, log', () => {
  it('KOPS_EMULATOR_FAIL=update:2 fails only the second update, before any change', async () => {
    const world = seeded();
    const env = world.env({ KOPS_EMULATOR_FAIL: 'update:2' });
    expect((await runKops(['update', 'cluster', '--name', NAME], env)).code).toBe(0);
    const second = await runKops(['update', 'cluster', '--name', NAME, '--yes'], env);
    expect(second.code).toBe(1);
    expect(withoutKlog(second.stderr)).toMatch(/^Error: error running tasks: /);
    expect((await runKops(['update', 'cluster', '--name', NAME, '--yes'], env)).code).toBe(0);
    expect(world.invocations().map((i) => i.exitCode)).toEqual([0, 1, 0]);
  });

  it('KOPS_EMULATOR_HANG stops mid-way; SIGINT kills kops by the signal and is logged', async () => {
    const world = seeded();
    const { spawn } = await import('node:child_process');
    const env = { ...process.env, ...world.env({ KOPS_EMULATOR_HANG: 'replace' }) } as NodeJS.ProcessEnv;
    const child = spawn('kops', ['replace', '-f', '-'], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    child.stdin.end(withAudit(world, ['ControlPlane'], '/etc/kubernetes/audit'));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('KOPS_EMULATOR_HANG')) resolve();
      });
    });
    child.kill('SIGINT');
    const signal = await new Promise((resolve) => child.on('close', (_code, s) => resolve(s)));
    expect(signal).toBe('SIGINT');
    expect(world.invocations()[0]).toMatchObject({ command: 'replace', exitCode: 130, signal: 'SIGINT' });
    expect(readCluster(world.stateDir, NAME)!.spec.fileAssets).toBeUndefined();
  });

  it('KOPS_EMULATOR_CONCURRENT_EDIT=1 changes the stored spec right after the first get', async () => {
    const world = seeded();
    const env = world.env({ KOPS_EMULATOR_CONCURRENT_EDIT: '1' });
    const first = await runKops(['get', 'cluster', '--name', NAME, '-o', 'yaml'], env);
    const second = await runKops(['get', 'cluster', '--name', NAME, '-o', 'yaml'], env);
    expect(first.stdout).not.toBe(second.stdout);
    expect(second.stdout).toContain('maxRequestsInflight: 1000');
  });
});
