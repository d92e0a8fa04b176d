import type { Logger } from "@callbridge/observability";
import type { Redis } from "ioredis";
import type { WorkerConfig } from "./config.js";
import { CallLimiter } from "./limiter/call-limiter.js";
import type { WorkerMetrics } from "./metrics.js";

/**
 * The worker's limiter as its configuration describes it, reporting to its metrics. Shared by
 * every replica of the consumer group (the id) through `redis`; `replicas` is the group's size,
 * for each replica's share while Redis is unreachable.
 */
export function createWorkerLimiter(
  config: WorkerConfig,
  deps: { logger: Logger; redis?: Redis | undefined; metrics: WorkerMetrics; replicas: () => number },
): CallLimiter {
  const { limits } = config;
  const { metrics } = deps;
  if (limits.ratePerSecond !== null) metrics.limiterRate.set(limits.ratePerSecond);
  metrics.limiterLocalShare.set(0);
  return new CallLimiter(
    {
      id: `callbridge-${config.kafka.groupId}`,
      global: limits.ratePerSecond === null ? null : { ratePerSecond: limits.ratePerSecond, burst: limits.burst },
      maxConcurrent: limits.maxConcurrent,
      campaigns: limits.campaigns,
      slotLeaseMs: config.slotLeaseMs,
    },
    {
      logger: deps.logger,
      ...(deps.redis ? { redis: deps.redis } : {}),
      replicas: deps.replicas,
      observer: {
        onWait: (seconds) => metrics.limiterWait.observe(seconds),
        onQueued: (queued) => metrics.limiterQueued.set(queued),
        onRecovery: (reason) => metrics.limiterRecoveries.inc({ reason }),
        onRate: (rate) => metrics.limiterRate.set(rate),
        onMode: (mode) => {
          metrics.limiterLocalShare.set(mode === "local_share" ? 1 : 0);
          if (mode === "local_share") metrics.limiterRecoveries.inc({ reason: "redis_unreachable" });
        },
      },
    },
  );
}
