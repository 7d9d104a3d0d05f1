// KopsClient with a fake runner: nothing is spawned (the emulator tests are in test/e2e/kops-client.test.ts).
import { describe, expect, it } from 'vitest';
import { InterruptedError, type KopsError } from '../../../src/errors.js';
import { KopsClient, kopsErrorLine } from '../../../src/kops/client.js';
import type { Runner, RunResult } from '../../../src/kops/runner.js';

const NAME = 'demo.example.com';

const finished = (result: Partial<RunResult>): RunResult => ({
  exitCode: 0,
  signal: undefined,
  stdout: '',
  stderr: '',
  notFound: false,
  startError: undefined,
  ...result,
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
    const client = new KopsClient({ runner, env: {} });
    const pending = client.update(NAME).catch((e: unknown) => e);
    client.interrupt();
    expect(await pending).toBeInstanceOf(InterruptedError);
    expect(await client.rollingUpdate(NAME, ['master']).catch((e: unknown) => e)).toBeInstanceOf(
      InterruptedError,
    );
    expect(started).toHaveLength(1);
  });

  it('without --kops, a missing kops is one missing from PATH', async () => {
    const runner: Runner = {
      start: () => ({
        result: Promise.resolve(finished({ exitCode: undefined, notFound: true })),
        interrupt() {},
      }),
    };
    const error = (await new KopsClient({ runner, env: {} }).version().catch((e: unknown) => e)) as KopsError;
    expect(error.message).toBe('kops was not found: there is no `kops` executable on PATH.');
    expect(error.hint).toContain('--kops PATH');
  });

  it('kopsErrorLine prefers cobra "Error:" and knows kops 1.21\'s "error:"', () => {
    expect(kopsErrorLine('W1 x\nError: unknown flag: --x\nUsage:\n')).toBe('unknown flag: --x');
    expect(kopsErrorLine('\nerror: cluster not found "a"\n')).toBe('cluster not found "a"');
    expect(kopsErrorLine('nothing\n')).toBeUndefined();
  });
});
