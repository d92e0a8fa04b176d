import { KafkaClient } from "@callbridge/kafka";
import type { Logger, Registry } from "@callbridge/observability";
import { TalkoverClient } from "@callbridge/talkover-client";
import type { WorkerConfig } from "./config.js";
import { InMemoryLedger, type Ledger } from "./ledger/ledger.js";
import { RedisLedger } from "./ledger/redis-ledger.js";
import { connectRedis } from "./redis-client.js";
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
    ? new RedisLedger(redis, config.ledgerTtlSeconds, config.kafka.groupId)
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
