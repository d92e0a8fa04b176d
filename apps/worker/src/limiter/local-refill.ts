import { performance } from "node:perf_hooks";
import type Bottleneck from "bottleneck";

/**
 * Refills an in-process Bottleneck reservoir from elapsed monotonic time.
 *
 * Bottleneck's own local refill (reservoirIncrease*) re-anchors to "now" on every tick and adds nothing when
 * a timer fires a millisecond early, and fractional amounts accumulate float error: measured 19.0/s for a
 * configured 20/s and 1.74/s for 2/s. Here the tokens added by time t are exactly floor(rate × elapsed),
 * minus what a full bucket had to discard, so the rate is neither exceeded nor lost.
 */
export class LocalRefill {
  private credit = 0;
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly limiter: Bottleneck,
    private rate: number,
    private readonly burst: number,
    intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** New rate from now on; `emptied` drops the credit earned so far along with the bucket. */
  setRate(rate: number, emptied: boolean): void {
    this.accrue();
    this.rate = rate;
    if (emptied) this.credit = 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private accrue(): void {
    const now = performance.now();
    this.credit += (this.rate * (now - this.last)) / 1000;
    this.last = now;
  }

  private tick(): void {
    this.accrue();
    const whole = Math.floor(this.credit);
    if (whole < 1) return;
    this.credit -= whole;
    // Jobs may take tokens between the read and the increment; that only leaves the bucket lower, never above burst.
    this.limiter
      .currentReservoir()
      .then((current) => {
        const add = Math.min(whole, this.burst - (current ?? 0));
        // A full bucket discards what does not fit, as a token bucket does.
        if (add < whole) this.credit = 0;
        return add > 0 ? this.limiter.incrementReservoir(add) : undefined;
      })
      .catch(this.onError);
  }
}
