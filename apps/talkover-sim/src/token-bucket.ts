/** Outcome of asking the bucket for one token. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * A token bucket: `burst` tokens at most, refilled continuously at `ratePerSecond`.
 * Time comes from the caller so tests and the simulator agree on one clock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.updatedAtMs = nowMs;
  }

  take(nowMs: number): TakeResult {
    const elapsedMs = Math.max(0, nowMs - this.updatedAtMs);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.ratePerSecond) / 1000);
    this.updatedAtMs = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: ((1 - this.tokens) * 1000) / this.ratePerSecond };
  }
}
