import { Redis } from "ioredis";
import type { WorkerConfig } from "../config.js";
import { InMemoryLedger, type Ledger } from "./ledger.js";
import { RedisLedger } from "./redis-ledger.js";

/** The ledger the configuration asks for: Redis when REDIS_URL is set, else in-process. */
export function createLedger(config: WorkerConfig, keyPrefix?: string): Ledger {
  if (!config.redisUrl) return new InMemoryLedger(config.ledgerTtlSeconds * 1000);
  // Few retries per command: the processor waits and retries the whole operation itself.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  return new RedisLedger(redis, config.ledgerTtlSeconds, keyPrefix);
}
