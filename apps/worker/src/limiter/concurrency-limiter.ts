import { LimiterAbortedError } from "./errors.js";
import type { LimiterObserver } from "./types.js";

/**
 * The limiter when no rate is configured and nothing is shared (no Redis, no campaign
 * buckets): only the concurrent-call cap, in-process. Bottleneck schedules each job through
 * timers and tops out near 420 jobs/s on our machines, which would cap an unlimited worker
 * below what the API can take.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: { start: () => void; cancel: () => void }[] = [];
  private closed = false;

  constructor(
    private readonly maxConcurrent: number,
    private readonly observer: LimiterObserver = {},
  ) {}

  async ready(): Promise<void> {}

  async run<T>(_campaignId: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new LimiterAbortedError("The call limiter is closed.");
    if (signal?.aborted) throw new LimiterAbortedError("Aborted before the call started.");
    const enqueued = performance.now();
    if (this.active >= this.maxConcurrent) await this.waitForSlot(signal);
    this.active += 1;
    this.observer.onWait?.((performance.now() - enqueued) / 1000);
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.start();
      this.observer.onQueued?.(this.waiting.length);
    }
  }

  throttled(): void {
    // No bucket to slow down: the caller's Retry-After wait is the back-off.
  }

  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.cancel();
  }

  private waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        cancel: () => {
          signal?.removeEventListener("abort", onAbort);
          reject(new LimiterAbortedError("The call limiter was closed before the call started."));
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        this.observer.onQueued?.(this.waiting.length);
        reject(new LimiterAbortedError("Aborted before the call started."));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
      this.observer.onQueued?.(this.waiting.length);
    });
  }
}
