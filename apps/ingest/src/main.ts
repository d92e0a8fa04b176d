import { KafkaClient } from "@callbridge/kafka";
import { createLogger, createRegistry, ShutdownManager, startMetricsServer } from "@callbridge/observability";
import { Redis } from "ioredis";
import { createIngestApp } from "./app.js";
import { loadConfig } from "./config.js";
import { InMemoryDeliveredEvents, RedisDeliveredEvents } from "./delivery/delivered-events.js";

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  console.error(`ingest: invalid configuration\n  ${loaded.problems.join("\n  ")}`);
  process.exit(2);
}
const { config } = loaded;
const logger = createLogger({ name: "ingest", level: config.logLevel });
for (const reference of config.routesEnv.filter((r) => r.usedDefault)) {
  logger.warn(
    { variable: reference.variable, path: reference.path },
    "routes file uses its built-in default; set the variable outside development",
  );
}

const registry = createRegistry();
const kafka = new KafkaClient({
  brokers: config.kafka.brokers,
  clientId: config.kafka.clientId,
  logger,
  // Fail a produce within the webhook's time budget so the sender gets 503 and retries.
  requestTimeoutMs: Math.min(5_000, config.produceTimeoutMs),
  retry: { retries: 3, initialRetryTimeMs: 100, maxRetryTimeMs: 1_000 },
});
const delivered = config.redisUrl
  ? new RedisDeliveredEvents(new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }), config.dedupe.ttlSeconds)
  : new InMemoryDeliveredEvents(config.dedupe.ttlSeconds * 1000, config.dedupe.maxKeys);
const ingest = createIngestApp(config, { logger, kafka, delivered, registry });

// Stop order: refuse and drain webhooks, flush the producer, then stop serving metrics.
const shutdown = new ShutdownManager(logger, config.shutdownTimeoutMs).add("ingest", () => ingest.stop());
try {
  const metrics = await startMetricsServer(registry, { port: config.metricsPort, host: config.host });
  shutdown.add("metrics server", () => metrics.close());
  await ingest.start();
  const url = await ingest.listen(config.port, config.host);
  logger.info({ url, webhooks: `${url}/webhooks/{source_id}`, metrics: metrics.url, routesFile: config.routesFile }, "ingest listening");
} catch (error) {
  logger.fatal({ err: error }, "ingest could not start");
  await shutdown.run("start-up failed");
  process.exit(1);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void shutdown.run(signal).then((clean) => process.exit(clean ? 0 : 1));
  });
}
