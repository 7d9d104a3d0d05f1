import type { TextSink } from '../../io.js';

/** A spinner's frames, in ASCII (the bundle stays ASCII: see scripts/build.mjs). */
const FRAMES = ['|', '/', '-', '\\'];
/** Erase the line the cursor is on and go back to its start. */
const CLEAR_LINE = '\r\u001b[K';

/**
 * Signs of life at a terminal: once a step has printed nothing for a couple of seconds (kops
 * validating a rolled node can be silent for minutes), a spinner line with the time the step has
 * taken is drawn under the output and redrawn every second; it is erased before kops prints again
 * and when the step ends, so it never mixes with kops' lines. Only between whole lines of output, and
 * never on a pipe or in a log.
 */
export class QuietStepTicker {
  private lastWrite = 0;
  private atLineStart = true;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the spinner line is on screen now. */
  private drawn = false;
  private frame = 0;

  /** The sink kops' output goes through, so quiet periods are measured from its last line. */
  readonly tracked: TextSink;

  constructor(
    private readonly sink: TextSink,
    private readonly now: () => number,
    private readonly quietMs = 2_000,
  ) {
    this.tracked = {
      isTTY: sink.isTTY,
      write: (text: string) => {
        this.erase();
        sink.write(text);
        this.lastWrite = this.now();
        this.atLineStart = text.endsWith('\n');
      },
    };
  }

  start(label: string, startedAt: number): void {
    this.stop();
    if (!this.sink.isTTY) return;
    this.lastWrite = startedAt;
    this.timer = setInterval(() => {
      if (!this.atLineStart || this.now() - this.lastWrite < this.quietMs) return;
      const seconds = Math.round((this.now() - startedAt) / 1000);
      const frame = FRAMES[this.frame++ % FRAMES.length];
      this.sink.write(`${CLEAR_LINE}    ${frame} ${label}: ${formatSeconds(seconds)} so far`);
      this.drawn = true;
    }, 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.erase();
  }

  private erase(): void {
    if (!this.drawn) return;
    this.sink.write(CLEAR_LINE);
    this.drawn = false;
  }
}

function formatSeconds(seconds: number): string {
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
