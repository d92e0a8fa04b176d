import type { ThrottleState } from "./rate-control.js";
import type { BucketStore, Grant, LimiterMode } from "./types.js";

/** How long to stay on the local share after Redis failed before asking it again, ms. */
const RETRY_SHARED_AFTER_MS = 1_000;

/**
 * The shared store while Redis answers; while it does not, this replica's share of every limit
 * in-process (`localShare(replicas)`, with 1/replicas of the rate, burst and concurrency), so
 * calls neither stall nor, summed over the replicas, exceed the limits. Redis is asked again
 * every second.
 */
export class FallbackBucketStore implements BucketStore {
  private degraded = false;
  private retryAt = 0;
  private local: { replicas: number; store: BucketStore } | undefined;

  constructor(
    private readonly shared: BucketStore,
    private readonly localShare: (replicas: number) => BucketStore,
    private readonly replicas: () => number,
    /** Called when the mode changes, with Redis's error when it becomes unreachable. */
    private readonly onChange: (mode: LimiterMode, error?: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get mode(): LimiterMode {
    return this.degraded ? "local_share" : "shared";
  }

  get localCap(): number {
    return this.mode === "shared" ? this.shared.localCap : this.share().localCap;
  }

  async acquire(campaignId: string | undefined, slotIds: readonly string[], releasing: readonly string[] = []): Promise<Grant> {
    if (this.degraded && this.now() < this.retryAt) {
      // Slots granted while Redis was away were never added there; removing them is harmless.
      void this.release(releasing);
      return this.share().acquire(campaignId, slotIds);
    }
    try {
      const grant = await this.shared.acquire(campaignId, slotIds, releasing);
      this.succeeded();
      return grant;
    } catch (error) {
      this.failed(error);
      return this.share().acquire(campaignId, slotIds);
    }
  }

  async release(slotIds: readonly string[]): Promise<void> {
    await this.shared.release(slotIds).catch(() => undefined);
  }

  async renew(slotIds: readonly string[]): Promise<ThrottleState | undefined> {
    try {
      const state = await this.shared.renew(slotIds);
      this.succeeded();
      return state;
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  async throttle(retryAfterMs: number | undefined): Promise<ThrottleState | undefined> {
    await this.share().throttle(retryAfterMs);
    try {
      return await this.shared.throttle(retryAfterMs);
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.shared.close();
  }

  private succeeded(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.onChange("shared");
  }

  private failed(error: unknown): void {
    this.retryAt = this.now() + RETRY_SHARED_AFTER_MS;
    if (this.degraded) return;
    this.degraded = true;
    this.onChange("local_share", error);
  }

  private share(): BucketStore {
    const replicas = Math.max(1, Math.floor(this.replicas()));
    if (this.local?.replicas !== replicas) this.local = { replicas, store: this.localShare(replicas) };
    return this.local.store;
  }
}
