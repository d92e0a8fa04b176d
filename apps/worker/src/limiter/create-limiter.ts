import type { Logger } from "@callbridge/observability";
import type { WorkerConfig } from "../config.js";
import { CallLimiter } from "./call-limiter.js";
import { ConcurrencyLimiter } from "./concurrency-limiter.js";
import type { LimiterObserver } from "./types.js";

/** A rate so high it never binds, for a shared concurrency cap without a rate limit. */
const UNLIMITED_RATE = 1_000_000;

/**
 * The limiter the configuration asks for: Bottleneck token buckets (shared through Redis when
 * REDIS_URL is set), or, with no rate limit, nothing shared and no campaign buckets, only an
 * in-process concurrency cap.
 */
export function createLimiter(config: WorkerConfig, logger: Logger, observer: LimiterObserver): CallLimiter | ConcurrencyLimiter {
  const { limits, redisUrl } = config;
  if (limits.ratePerSecond === null && redisUrl === undefined && limits.campaigns.size === 0) {
    return new ConcurrencyLimiter(limits.maxConcurrent, observer);
  }
  const rate = limits.ratePerSecond ?? UNLIMITED_RATE;
  return new CallLimiter(
    {
      id: `callbridge-${config.kafka.groupId}`,
      global: { ratePerSecond: rate, burst: limits.ratePerSecond === null ? UNLIMITED_RATE : limits.burst },
      maxConcurrent: limits.maxConcurrent,
      campaigns: limits.campaigns,
    },
    { logger, observer, ...(redisUrl ? { redisUrl } : {}) },
  );
}
