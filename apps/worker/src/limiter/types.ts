import type { Logger } from "@callbridge/observability";
import type { Redis } from "ioredis";
import type { ThrottleState } from "./rate-control.js";

export interface LimitSettings {
  /** Refill, calls per second (> 0). */
  readonly ratePerSecond: number;
  /** Capacity: calls that may start at once after a quiet spell (integer ≥ 1). */
  readonly burst: number;
}

export interface CallLimiterConfig {
  /** Names the shared state in Redis; replicas of one worker group use the same id. */
  readonly id: string;
  /** Token bucket over all calls (starts full); `null`: no rate limit, only the concurrency cap. */
  readonly global: LimitSettings | null;
  /** Most calls at the API at once: per process, and over all replicas when shared through Redis. */
  readonly maxConcurrent: number;
  /** Optional per-campaign buckets, taken together with the global one. */
  readonly campaigns: ReadonlyMap<string, LimitSettings>;
  /** Period of the additive recovery after a 429, ms (default 5000). */
  readonly recoveryStepMs?: number;
  /** How long a concurrency slot in Redis outlives its holder without renewal, ms (default 3000). */
  readonly slotLeaseMs?: number;
}

export type LimiterMode = "local" | "shared" | "local_share";

export interface LimiterObserver {
  /** Time a call waited in the limiter before starting, seconds. */
  onWait?(seconds: number): void;
  /** Calls waiting in this process. */
  onQueued?(queued: number): void;
  /** Redis lost the shared buckets (restart without persistence, failover, FLUSHALL); they were recreated empty. */
  onRecovery?(reason: "keys_lost"): void;
  /** Effective global rate after a 429 lowered it or it recovered, calls/s. */
  onRate?(ratePerSecond: number): void;
  /** `shared`: the Redis buckets; `local_share`: Redis unreachable, this replica's share in-process. */
  onMode?(mode: LimiterMode): void;
}

export interface CallLimiterDeps {
  readonly logger: Logger;
  /** Share the buckets and the concurrency cap through this Redis (a client, or a URL to connect to). */
  readonly redis?: Redis;
  readonly redisUrl?: string;
  readonly observer?: LimiterObserver;
  /** Replicas sharing the limit (the worker reads it from the consumer group); sizes the share used while Redis is unreachable. */
  readonly replicas?: () => number;
  /** Prefixes this process's slot ids in Redis (random, 8 characters, by default). */
  readonly slotTag?: string;
}

/** One answer of a bucket store: how many calls may start now, or how long until one may. */
export interface Grant {
  readonly granted: number;
  /** With fewer granted than asked: ms until the next may start. */
  readonly waitMs: number;
  /** The shared state was missing although this process had used it: Redis lost it. */
  readonly keysLost: boolean;
  /** The shared 429 state, on this process's clock (Redis stores only). */
  readonly throttle?: ThrottleState | undefined;
}

/**
 * Where the buckets and the concurrency slots live: in-process, or in Redis. `slotIds` name the
 * slots the granted calls hold (the first `granted` of them); a store without shared slots
 * ignores them.
 */
export interface BucketStore {
  /** `releasing`: slots of calls that just finished, freed first in the same step. */
  acquire(campaignId: string | undefined, slotIds: readonly string[], releasing?: readonly string[]): Promise<Grant>;
  release(slotIds: readonly string[]): Promise<void>;
  /** Extends the leases of slots still held; answers the shared 429 state. */
  renew(slotIds: readonly string[]): Promise<ThrottleState | undefined>;
  /** A 429: halve the rate (at most once a second over all replicas), empty the bucket, pause it until `retryAfterMs` from now. */
  throttle(retryAfterMs: number | undefined): Promise<ThrottleState | undefined>;
  /** Calls this process may run at once under this store. */
  readonly localCap: number;
  readonly mode: LimiterMode;
  close(): Promise<void>;
}
