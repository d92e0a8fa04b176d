/** Where progress goes (stderr) and how: a terminal gets one line redrawn in place, anything else whole lines. */
export interface ProgressSink {
  readonly write: (text: string) => void;
  readonly interactive: boolean;
  /** ms since the epoch */
  readonly nowMs: () => number;
}

/** How often a line is drawn, ms: often on a terminal, where it is redrawn in place; seldom in a log. */
export const PROGRESS_EVERY_MS = { terminal: 250, log: 5_000 } as const;

const ERASE_LINE = "\r\u001b[K";

/**
 * A progress line on stderr while a long command runs. `tick()` is cheap and may be called as
 * often as liked: it draws `render()` only when the interval (PROGRESS_EVERY_MS) has passed
 * since the last drawing (or the start). On a terminal the line is redrawn in place (`\r`) and
 * erased by `clear()` before other output and at the end; elsewhere (a pipe, a file) it is a
 * whole line each time, so logs stay readable.
 */
export class ProgressLine {
  private lastDrawnMs: number;
  private shown = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly render: () => string,
  ) {
    this.lastDrawnMs = sink.nowMs();
  }

  tick(): void {
    const now = this.sink.nowMs();
    const every = this.sink.interactive ? PROGRESS_EVERY_MS.terminal : PROGRESS_EVERY_MS.log;
    if (now - this.lastDrawnMs < every) return;
    this.lastDrawnMs = now;
    if (this.sink.interactive) {
      this.sink.write(`\r${this.render()}\u001b[K`);
      this.shown = true;
    } else {
      this.sink.write(`${this.render()}\n`);
    }
  }

  /** Erases the line on a terminal, so what is printed next does not land in the middle of it. */
  clear(): void {
    if (!this.shown) return;
    this.sink.write(ERASE_LINE);
    this.shown = false;
  }
}
