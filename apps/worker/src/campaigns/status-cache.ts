import { CAMPAIGN_STATUS_KEY_PREFIX, type CampaignStatus } from "@callbridge/schemas";
import type { Redis } from "ioredis";

/** A campaign's status as last read from the API. `unknown`: the read failed. */
export interface SeenStatus {
  readonly status: CampaignStatus | "unknown";
  /** Ms since the epoch, on the reader's clock. */
  readonly checkedAtMs: number;
}

/**
 * Where replicas share what they read of campaigns, so N replicas do not poll a campaign N
 * times: entries live `ttlMs` (the poll interval), and one reader at a time refreshes one.
 */
export interface StatusCache {
  get(campaignId: string): Promise<SeenStatus | undefined>;
  set(campaignId: string, seen: SeenStatus, ttlMs: number): Promise<void>;
  /** Takes the right to poll a campaign for `ttlMs`; false while another reader holds it. */
  lock(campaignId: string, owner: string, ttlMs: number): Promise<boolean>;
  forget(campaignId: string): Promise<void>;
}

/** In one process (no REDIS_URL). */
export class MemoryStatusCache implements StatusCache {
  private readonly entries = new Map<string, { seen: SeenStatus; expiresAt: number }>();
  private readonly locks = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(campaignId: string): Promise<SeenStatus | undefined> {
    const entry = this.entries.get(campaignId);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return entry.seen;
  }

  async set(campaignId: string, seen: SeenStatus, ttlMs: number): Promise<void> {
    this.entries.set(campaignId, { seen, expiresAt: this.now() + ttlMs });
    this.locks.delete(campaignId);
  }

  async lock(campaignId: string, _owner: string, ttlMs: number): Promise<boolean> {
    const until = this.locks.get(campaignId);
    if (until !== undefined && until > this.now()) return false;
    this.locks.set(campaignId, this.now() + ttlMs);
    return true;
  }

  async forget(campaignId: string): Promise<void> {
    this.entries.delete(campaignId);
    this.locks.delete(campaignId);
  }
}

/** Redis key prefix of the poll lock (docs/deferral.md#what-it-costs). */
const LOCK_KEY_PREFIX = "callbridge:campaign-status-lock:";

/** Shared by every replica through Redis; both keys expire by themselves. */
export class RedisStatusCache implements StatusCache {
  constructor(private readonly redis: Redis) {}

  async get(campaignId: string): Promise<SeenStatus | undefined> {
    const text = await this.redis.get(CAMPAIGN_STATUS_KEY_PREFIX + campaignId);
    if (text === null) return undefined;
    try {
      const parsed = JSON.parse(text) as { status?: unknown; checked_at_ms?: unknown };
      if (typeof parsed.status !== "string" || typeof parsed.checked_at_ms !== "number") return undefined;
      return { status: parsed.status as SeenStatus["status"], checkedAtMs: parsed.checked_at_ms };
    } catch {
      return undefined;
    }
  }

  async set(campaignId: string, seen: SeenStatus, ttlMs: number): Promise<void> {
    const text = JSON.stringify({ status: seen.status, checked_at_ms: seen.checkedAtMs });
    await this.redis
      .multi()
      .set(CAMPAIGN_STATUS_KEY_PREFIX + campaignId, text, "PX", ttlMs)
      .del(LOCK_KEY_PREFIX + campaignId)
      .exec();
  }

  async lock(campaignId: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(LOCK_KEY_PREFIX + campaignId, owner, "PX", ttlMs, "NX")) === "OK";
  }

  async forget(campaignId: string): Promise<void> {
    await this.redis.del(CAMPAIGN_STATUS_KEY_PREFIX + campaignId, LOCK_KEY_PREFIX + campaignId);
  }
}
