import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuietStepTicker } from '../../../src/cli/views/quiet-step-ticker.js';
import { bufferSink } from '../../helpers/ctx.js';

const CLEAR = '\r\u001b[K';

describe('QuietStepTicker (signs of life while kops is quiet)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('at a terminal, a step quiet for 2s gets a spinner line with its elapsed time, redrawn each second', () => {
    vi.useFakeTimers();
    const sink = bufferSink(true);
    const ticker = new QuietStepTicker(sink, () => Date.now());
    ticker.start('rolling-update', Date.now());
    vi.advanceTimersByTime(1_000);
    expect(sink.text).toBe('');
    vi.advanceTimersByTime(2_000);
    expect(sink.text).toBe(`${CLEAR}    | rolling-update: 2s so far${CLEAR}    / rolling-update: 3s so far`);
    ticker.stop();
    // Stopping erases the line, and nothing is drawn after.
    expect(sink.text.endsWith(CLEAR)).toBe(true);
    const after = sink.text;
    vi.advanceTimersByTime(60_000);
    expect(sink.text).toBe(after);
  });

  it('the line is erased before kops prints, and never drawn in the middle of a line of kops output', () => {
    vi.useFakeTimers();
    const sink = bufferSink(true);
    const ticker = new QuietStepTicker(sink, () => Date.now());
    ticker.start('update', Date.now());
    vi.advanceTimersByTime(3_000);
    ticker.tracked.write('I1204 cloudup done');
    expect(sink.text.endsWith(`so far${CLEAR}I1204 cloudup done`)).toBe(true);
    const partial = sink.text;
    vi.advanceTimersByTime(10_000);
    expect(sink.text).toBe(partial);
    ticker.tracked.write('\n');
    vi.advanceTimersByTime(75_000);
    expect(sink.text).toMatch(/update: 1m28s so far$/);
    ticker.stop();
  });

  it('writes nothing extra when stderr is not a terminal', () => {
    vi.useFakeTimers();
    const sink = bufferSink(false);
    const ticker = new QuietStepTicker(sink, () => Date.now());
    ticker.start('update', Date.now());
    vi.advanceTimersByTime(120_000);
    ticker.tracked.write('kops output\n');
    ticker.stop();
    expect(sink.text).toBe('kops output\n');
  });
});
