import type { TextSink } from '../../io.js';

/**
 * On a terminal, a step that runs quietly for a while (kops validating a rolled node can be silent for
 * minutes) gets a progress line now and then, so the user can tell it is alive. Only between whole
 * lines of kops output, never on a pipe or in a log.
 */
export class QuietStepTicker {
  private lastWrite = 0;
  private atLineStart = true;
  private timer: NodeJS.Timeout | undefined;

  /** The sink kops' output goes through, so quiet periods are measured from its last line. */
  readonly tracked: TextSink;

  constructor(
    private readonly sink: TextSink,
    private readonly now: () => number,
    private readonly everyMs = 15_000,
  ) {
    this.tracked = {
      isTTY: sink.isTTY,
      write: (text: string) => {
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
      if (!this.atLineStart || this.now() - this.lastWrite < this.everyMs) return;
      this.tracked.write(`    ... ${label}: ${Math.round((this.now() - startedAt) / 1000)}s so far\n`);
    }, 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
