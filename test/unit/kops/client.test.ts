// KopsClient over the real execa runner and the kops emulator; a fake runner for Ctrl-C timing.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InterruptedError, type KopsError } from '../../../src/errors.js';
import { KopsClient, KopsCommandError, kopsErrorLine } from '../../../src/kops/client.js';
import { apiserverRoles } from '../../../src/kops/rolling-update.js';
import { execaRunner, type Runner } from '../../../src/kops/runner.js';
import { bufferSink } from '../../helpers/ctx.js';
import { emulatorWorld } from '../../helpers/kops-emulator.js';
import { readCluster, seedCluster, toKopsYaml } from '../../kops-emulator/store.mjs';

const NAME = 'demo.example.com';

function clientFor(version: string, options: { apiserver?: boolean; env?: Record<string, string> } = {}) {
  const world = emulatorWorld(version);
  seedCluster(world.stateDir, NAME, { apiserver: options.apiserver });
  const output = bufferSink();
  const client = new KopsClient({ runner: execaRunner(), env: world.env(options.env), output });
  return { world, output, client };
}

describe('KopsClient against the emulator', () => {
  it('reads the version, the cluster and its instance groups with --name, on 1.25 and 1.28', async () => {
    for (const version of ['1.25.4', '1.28.4']) {
      const { world, client } = clientFor(version, { apiserver: true });
      expect((await client.version()).text).toBe(version);
      expect(await client.getCluster(NAME)).toContain(`name: ${NAME}`);
      const all = await client.getAll(NAME);
      expect(all.instanceGroups.map((ig) => ig.role).sort()).toEqual(['APIServer', 'Master', 'Node']);
      const argv = world.invocations().map((i) => i.argv);
      expect(argv.slice(1)).toEqual([
        ['get', 'cluster', '--name', NAME, '-o', 'yaml'],
        version === '1.28.4'
          ? ['get', 'all', '--name', NAME, '-o', 'yaml']
          : ['get', '--name', NAME, '-o', 'yaml'],
      ]);
      expect(apiserverRoles(await client.version(), all.instanceGroups)).toEqual(
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
      output: bufferSink(),
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

  it('a missing kops binary says so, with a hint for --kops', async () => {
    const world = emulatorWorld();
    const client = new KopsClient({
      runner: execaRunner(),
      kopsPath: '/nonexistent/kops',
      env: world.env(),
      output: bufferSink(),
    });
    const error = (await client.version().catch((e: unknown) => e)) as KopsError;
    expect(error.message).toContain('kops was not found');
    expect(error.hint).toContain('--kops PATH');
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

describe('KopsClient with a fake runner', () => {
  it('an interrupt before kops started still stops it, and later calls refuse to run', async () => {
    const started: string[][] = [];
    const runner: Runner = {
      start(_file, args) {
        started.push([...args]);
        let resolve: (r: unknown) => void = () => {};
        const result = new Promise((r) => {
          resolve = r;
        });
        return {
          result: result as never,
          interrupt: () =>
            resolve({
              exitCode: undefined,
              signal: 'SIGINT',
              stdout: '',
              stderr: '',
              notFound: false,
              startError: undefined,
            }),
        };
      },
    };
    const client = new KopsClient({ runner, env: {}, output: bufferSink() });
    const pending = client.update(NAME).catch((e: unknown) => e);
    client.interrupt();
    expect(await pending).toBeInstanceOf(InterruptedError);
    expect(await client.rollingUpdate(NAME, ['master']).catch((e: unknown) => e)).toBeInstanceOf(
      InterruptedError,
    );
    expect(started).toHaveLength(1);
  });

  it('kopsErrorLine prefers cobra "Error:" and knows kops 1.21\'s "error:"', () => {
    expect(kopsErrorLine('W1 x\nError: unknown flag: --x\nUsage:\n')).toBe('unknown flag: --x');
    expect(kopsErrorLine('\nerror: cluster not found "a"\n')).toBe('cluster not found "a"');
    expect(kopsErrorLine('nothing\n')).toBeUndefined();
  });
});
