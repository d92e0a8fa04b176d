import { KafkaClient } from "@callbridge/kafka";
import { createRegistry, runService, startOpsServer } from "@callbridge/observability";
import { Redis } from "ioredis";
import { createIngestApp } from "./app.js";
import { type IngestConfig, loadConfig } from "./config.js";
import { InMemoryDeliveredEvents, RedisDeliveredEvents } from "./delivery/delivered-events.js";
import { connectDoNotCallList } from "./delivery/do-not-call.js";

await runService<IngestConfig>(
  {
    name: "ingest",
    loadConfig,
    shutdownDeadlineMs: (config) => config.shutdownTimeoutMs,
    // The webhook handler passes its spans' contexts by hand (http/webhook-span.ts): an
    // AsyncLocalStorage context manager would hook every promise, ~18% of the ingest's throughput.
    asyncTraceContext: false,
    async start({ config, logger, shutdown }) {
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
        ? new RedisDeliveredEvents(
            new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
            config.dedupe.ttlSeconds,
          )
        : new InMemoryDeliveredEvents(config.dedupe.ttlSeconds * 1000, config.dedupe.maxKeys);
      // loadConfig refuses opt-outs without REDIS_URL.
      const doNotCall = config.redisUrl && config.routes.opt_outs.length > 0 ? connectDoNotCallList(config.redisUrl) : undefined;
      const ingest = createIngestApp(config, { logger, kafka, delivered, registry, ...(doNotCall ? { doNotCall } : {}) });
      // Stop order: refuse and drain webhooks, flush the producer, then stop serving metrics.
      shutdown.add("ingest", () => ingest.stop());
      const ops = await startOpsServer({
        registry,
        port: config.metricsPort,
        host: config.host,
        readiness: () => ({ ready: ingest.ready }),
      });
      shutdown.add("ops server", () => ops.close());
      await ingest.start();
      const url = await ingest.listen(config.port, config.host);
      logger.info(
        { url, webhooks: `${url}/webhooks/{source_id}`, metrics: `${ops.url}/metrics`, routesFile: config.routesFile },
        "ingest listening",
      );
      return undefined;
    },
  },
  process.env,
);
