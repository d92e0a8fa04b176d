import { KafkaClient } from "@callbridge/kafka";
import type { Logger, Registry } from "@callbridge/observability";
import { TalkoverClient } from "@callbridge/talkover-client";
import { Redis } from "ioredis";
import type { WorkerConfig } from "./config.js";
import { InMemoryLedger, type Ledger } from "./ledger/ledger.js";
import { RedisLedger } from "./ledger/redis-ledger.js";
import { createWorker, type Worker } from "./worker.js";

export interface BuildWorkerDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** This replica's name in claims and slots; random by default. */
  readonly owner?: string;
  /** Kafka client id; `config.kafka.clientId` by default. */
  readonly kafkaClientId?: string;
}

/**
 * The worker as the configuration describes it: its Kafka client, Talkover client, one Redis
 * connection shared by the ledger and the limiter (or both in-process without REDIS_URL).
 * `main.ts` and the tests build it the same way; `stop()` closes everything made here.
 */
export function buildWorker(config: WorkerConfig, deps: BuildWorkerDeps): Worker {
  const kafka = new KafkaClient({
    brokers: config.kafka.brokers,
    clientId: deps.kafkaClientId ?? config.kafka.clientId,
    logger: deps.logger,
  });
  const client = new TalkoverClient({
    baseUrl: config.talkover.baseUrl,
    token: config.talkover.token,
    timeoutMs: config.talkover.timeoutMs,
    connections: config.limits.maxConcurrent * 2,
  });
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  const ledger: Ledger = redis
    ? new RedisLedger(redis, config.ledgerTtlSeconds)
    : new InMemoryLedger(config.ledgerTtlSeconds * 1000, config.ledgerMaxEntries);
  return createWorker(config, {
    logger: deps.logger,
    registry: deps.registry,
    kafka,
    client,
    ledger,
    ...(redis ? { redis } : {}),
    ...(deps.owner ? { owner: deps.owner } : {}),
    closeAfter: [
      ["talkover client", () => client.close()],
      ["redis", () => redis?.quit().catch(() => redis.disconnect())],
    ],
  });
}

/**
 * One client for the ledger and the limiter. A command fails after one reconnect attempt rather
 * than queueing while Redis is away: the ledger's callers wait and retry, and the limiter falls
 * back to this replica's share.
 */
function connectRedis(url: string): Redis {
  // Auto-pipelining sends the commands of one event-loop turn in one write: a syscall per command was a tenth of the CPU.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000, enableAutoPipelining: true });
  // Failures reach the callers of each command; without a listener ioredis also prints every reconnect attempt.
  redis.on("error", () => {});
  return redis;
}
