// KopsClient over the real execa runner and the kops emulator (the fake-runner tests are in test/unit/kops/).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InterruptedError, type KopsError } from '../../src/errors.js';
import { KopsClient, KopsCommandError } from '../../src/kops/client.js';
import { execaRunner } from '../../src/kops/runner.js';
import { rollingUpdateRoles } from '../../src/spec/compat.js';
import { parseSpec } from '../../src/spec/document.js';
import { bufferSink } from '../helpers/ctx.js';
import { emulatorWorld } from '../helpers/kops-emulator.js';
import { readCluster, seedCluster, toKopsYaml } from '../kops-emulator/store.mjs';

const NAME = 'demo.example.com';

function clientFor(version: string, options: { apiserver?: boolean; env?: Record<string, string> } = {}) {
  const world = emulatorWorld(version);
  seedCluster(world.stateDir, NAME, { apiserver: options.apiserver });
  const output = bufferSink();
  const client = new KopsClient({
    runner: execaRunner(),
    env: world.env(options.env),
    onOutput: (text) => output.write(text),
  });
  return { world, output, client };
}

describe('KopsClient against the emulator', () => {
  it('reads the version, the cluster and its instance groups with --name, on 1.25 and 1.28', async () => {
    for (const version of ['1.25.4', '1.28.4']) {
      const { world, client } = clientFor(version, { apiserver: true });
      expect((await client.version()).text).toBe(version);
      expect(await client.getCluster(NAME)).toContain(`name: ${NAME}`);
      const all = await client.getAll(NAME);
      const roles = parseSpec(all, 'live').instanceGroups.map((ig) => ig.role);
      expect(roles.sort()).toEqual(['APIServer', 'Master', 'Node']);
      const argv = world.invocations().map((i) => i.argv);
      expect(argv.slice(1)).toEqual([
        ['get', 'cluster', '--name', NAME, '-o', 'yaml'],
        version === '1.28.4'
          ? ['get', 'all', '--name', NAME, '-o', 'yaml']
          : ['get', '--name', NAME, '-o', 'yaml'],
      ]);
      expect(rollingUpdateRoles(await client.version(), parseSpec(all, 'live').instanceGroups)).toEqual(
        version === '1.28.4' ? ['control-plane', 'apiserver'] : ['master', 'apiserver'],
      );
    }
  });

  it('replaces from a 0600 temp file that is gone afterwards, and streams update output', async () => {
    const { world, client, output } = clientFor('1.28.4');
    const cluster = readCluster(world.stateDir, NAME)!;
    cluster.spec.kubeAPIServer = { auditLogMaxAge: 10 };
    await client.replace(toKopsYaml(cluster));
    const replace = world.invocations().at(-1)!;
    expect(replace.files?.[0]?.mode).toBe('0600');
    expect(existsSync(replace.files![0]!.path)).toBe(false);
    expect(readCluster(world.stateDir, NAME)!.spec.kubeAPIServer).toEqual({ auditLogMaxAge: 10 });
    await client.update(NAME);
    expect(output.text).toContain('Cluster changes have been applied to the cloud.');
  });

  it('--state is passed through on every call', async () => {
    const world = emulatorWorld('1.28.4');
    seedCluster(world.stateDir, NAME);
    const client = new KopsClient({
      runner: execaRunner(),
      env: world.env({ KOPS_STATE_STORE: undefined }),
      state: `file://${world.stateDir}`,
    });
    await client.getCluster(NAME);
    expect(world.invocations()[0]!.argv.slice(0, 2)).toEqual(['--state', `file://${world.stateDir}`]);
  });

  it("a kops failure is a KopsError quoting kops' Error line", async () => {
    const { client } = clientFor('1.28.4');
    const error = await client.getCluster('missing.example.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KopsCommandError);
    expect((error as KopsError).message).toBe(
      '`kops get cluster --name missing.example.com -o yaml` failed: cluster not found "missing.example.com"',
    );
  });

  it('a --kops path that does not exist is named as such, not as a missing kops on PATH', async () => {
    const world = emulatorWorld();
    const client = new KopsClient({
      runner: execaRunner(),
      kopsPath: '/nonexistent/kops',
      env: world.env(),
    });
    const error = (await client.version().catch((e: unknown) => e)) as KopsError;
    // --kops was given, so the message is about that path, not about PATH.
    expect(error.message).toBe('kops was not found: --kops /nonexistent/kops does not exist.');
    expect(error.hint).toContain('Check the path given with --kops');
  });

  it('interrupt() forwards SIGINT to a hanging kops and fails as interrupted (exit 130)', async () => {
    const { world, client, output } = clientFor('1.28.4', { env: { KOPS_EMULATOR_HANG: 'update' } });
    const pending = client.update(NAME).catch((e: unknown) => e);
    // The emulator announces its hang point on stderr, which the client streams live.
    while (!output.text.includes('KOPS_EMULATOR_HANG')) await new Promise((r) => setTimeout(r, 20));
    client.interrupt();
    const error = (await pending) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    expect(world.invocations().at(-1)).toMatchObject({ command: 'update', signal: 'SIGINT' });
  });
});
