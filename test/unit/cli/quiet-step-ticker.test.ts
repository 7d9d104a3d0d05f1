import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuietStepTicker } from '../../../src/cli/views/quiet-step-ticker.js';
import { bufferSink } from '../../helpers/ctx.js';

describe('QuietStepTicker', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('on a terminal, a step silent for 15s gets a progress line, only at a line start', () => {
    vi.useFakeTimers();
    const sink = bufferSink(true);
    const ticker = new QuietStepTicker(sink, () => Date.now());
    ticker.start('rolling-update', Date.now());
    ticker.tracked.write('NAME STATUS');
    vi.advanceTimersByTime(20_000);
    expect(sink.text).toBe('NAME STATUS');
    ticker.tracked.write('\n');
    vi.advanceTimersByTime(16_000);
    expect(sink.text).toBe('NAME STATUS\n    ... rolling-update: 35s so far\n');
    ticker.stop();
    vi.advanceTimersByTime(60_000);
    expect(sink.text.match(/so far/g)).toHaveLength(1);
  });

  it('never writes progress lines when stderr is not a terminal', () => {
    vi.useFakeTimers();
    const sink = bufferSink(false);
    const ticker = new QuietStepTicker(sink, () => Date.now());
    ticker.start('update', Date.now());
    vi.advanceTimersByTime(120_000);
    expect(sink.text).toBe('');
    ticker.stop();
  });
});
