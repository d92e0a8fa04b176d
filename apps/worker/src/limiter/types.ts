import type { Logger } from "@callbridge/observability";

export interface LimitSettings {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface CallLimiterConfig {
  /** Bottleneck id prefix shared by every worker replica (keys b_<id>...). */
  readonly id: string;
  /** Token bucket over all calls: refill rate per second, capacity `burst` (starts full). */
  readonly global: LimitSettings;
  /** Most calls running at once (per replica when local; shared when clustered). */
  readonly maxConcurrent: number;
  /** Optional per-campaign buckets, applied in addition to the global one. */
  readonly campaigns: ReadonlyMap<string, LimitSettings>;
  /**
   * Refill tick in ms (also Bottleneck's heartbeat); default 100. Smaller is smoother. A bucket that one tick
   * would overflow (burst < rate × tick / 500) gets a shorter tick of its own, down to 10 ms (see refillIntervalFor).
   */
  readonly refillIntervalMs?: number;
  /** Rebuild the limiter when calls are queued but none has started for this long; default max(10 s, 5 refill periods of one token). */
  readonly stallTimeoutMs?: number;
  /** For tests: period of the additive rate recovery after a 429 (default 5000 ms). */
  readonly recoveryStepMs?: number;
}

export interface LimiterObserver {
  /** Time a task waited in the limiter before starting. */
  onWait?(seconds: number): void;
  /** Queue depth changes. */
  onQueued?(queued: number): void;
  onRecovery?(reason: RecoveryReason): void;
  /** Effective global rate after throttling changes. */
  onRate?(ratePerSecond: number): void;
}

export type RecoveryReason = "keys_lost" | "stalled";

export interface CallLimiterDeps {
  readonly logger: Logger;
  /** When present, the limiter is clustered through this Redis; absent: in-process. */
  readonly redisUrl?: string;
  readonly observer?: LimiterObserver;
}
