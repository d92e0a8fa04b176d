import { gcraTake, intervalMsOf, tatStartingAt } from "./gcra.js";
import type { BucketStore, CallLimiterConfig, Grant, LimiterMode, LimitSettings } from "./types.js";

/**
 * The buckets in this process, on an injected clock. `share` scales every limit down to one
 * replica's part (rate, burst and concurrency, never rounded up), which is what a replica
 * uses while the shared Redis state is unreachable.
 */
export class LocalBucketStore implements BucketStore {
  private readonly tats = new Map<string, number>();
  readonly localCap: number;

  constructor(
    private readonly config: CallLimiterConfig,
    /** The global rate now, after 429s (the limiter's RateControl). */
    private readonly globalRateAt: (now: number) => number,
    private readonly now: () => number,
    private readonly share = 1,
    readonly mode: LimiterMode = "local",
  ) {
    this.localCap = Math.max(1, Math.floor(config.maxConcurrent * share));
  }

  async acquire(campaignId: string | undefined, slotIds: readonly string[]): Promise<Grant> {
    return this.take(campaignId, slotIds.length);
  }

  /** The same as `acquire`, without a promise: the in-process path is on every call. */
  take(campaignId: string | undefined, wanted: number): Grant {
    const now = this.now();
    const buckets: [string, LimitSettings][] = [];
    if (this.config.global) buckets.push(["", this.globalNow(now)]);
    const campaign = campaignId === undefined ? undefined : this.config.campaigns.get(campaignId);
    if (campaign) buckets.push([campaignId as string, campaign]);
    let granted = wanted;
    let waitMs = 0;
    for (const [key, limit] of buckets) {
      const take = gcraTake(this.tats.get(key) ?? now, now, this.interval(limit), this.burst(limit), granted);
      granted = take.granted;
      waitMs = Math.max(waitMs, take.waitMs);
    }
    if (granted > 0) {
      for (const [key, limit] of buckets) this.tats.set(key, Math.max(this.tats.get(key) ?? now, now) + granted * this.interval(limit));
    }
    return { granted, waitMs, keysLost: false };
  }

  async release(): Promise<void> {}

  async renew(): Promise<undefined> {
    return undefined;
  }

  /** Empties the global bucket at the (already lowered) rate, and keeps it shut for `retryAfterMs`. */
  async throttle(retryAfterMs: number | undefined): Promise<undefined> {
    const global = this.config.global;
    if (!global) return undefined;
    const now = this.now();
    const limit = this.globalNow(now);
    const interval = this.interval(limit);
    const reopensAt = now + Math.max(interval, retryAfterMs ?? 0);
    this.tats.set("", Math.max(this.tats.get("") ?? now, tatStartingAt(reopensAt, interval, this.burst(limit))));
    return undefined;
  }

  async close(): Promise<void> {}

  /** The global bucket now: after a 429 at the lowered rate, and holding one call (no bursts) until it has recovered. */
  private globalNow(now: number): LimitSettings {
    const global = this.config.global as LimitSettings;
    const rate = this.globalRateAt(now);
    return { ratePerSecond: rate, burst: rate < global.ratePerSecond ? 1 : global.burst };
  }

  private interval(limit: LimitSettings): number {
    return intervalMsOf(limit.ratePerSecond * this.share);
  }

  private burst(limit: LimitSettings): number {
    return Math.max(1, Math.floor(limit.burst * this.share));
  }
}
