import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KafkaClient } from "@callbridge/kafka";
import { createLogger, createRegistry, type Registry } from "@callbridge/observability";
import { freePort, uniqueName } from "@callbridge/test-infra";
import type { DestinationStream } from "pino";
import { createIngestApp, type IngestApp } from "../app.js";
import { EXAMPLE_ROUTES_FILE, type IngestConfig, loadConfig } from "../config.js";
import { type DeliveredEvents, InMemoryDeliveredEvents } from "../delivery/delivered-events.js";
import { connectDoNotCallList } from "../delivery/do-not-call.js";

export interface TestIngest {
  readonly ingest: IngestApp;
  readonly url: string;
  readonly config: IngestConfig;
  readonly registry: Registry;
  readonly topics: { readonly callRequests: string; readonly deadLetters: string };
  stop(): Promise<void>;
}

export interface TestIngestOptions {
  /** Routes file text; the shipped example when absent. */
  readonly routesYaml?: string;
  readonly env?: Record<string, string>;
  readonly nowMs?: () => number;
  /** Start listening without `start()` (producer not connected). */
  readonly skipStart?: boolean;
  /** Where log lines go (silent when absent): tests read them for leaks. */
  readonly logDestination?: DestinationStream;
  /** Where delivered events are remembered (one store shared by several test ingests stands for Redis); in memory when absent. */
  readonly delivered?: DeliveredEvents;
  /** Topics to use (several ingests on the same topics); fresh ones when absent. */
  readonly topics?: { readonly callRequests: string; readonly deadLetters: string };
  /** Topic configs (e.g. `max.message.bytes`) the test's topics are created with before the ingest starts. */
  readonly topicConfig?: { readonly callRequests?: Record<string, string>; readonly deadLetters?: Record<string, string> };
}

/** An ingest on a free port with topics of its own, built with the same factory as `main.ts`. */
export async function startTestIngest(brokers: string, options: TestIngestOptions = {}): Promise<TestIngest> {
  let routesFile = EXAMPLE_ROUTES_FILE;
  if (options.routesYaml !== undefined) {
    routesFile = join(mkdtempSync(join(tmpdir(), "callbridge-routes-")), "routes.yaml");
    writeFileSync(routesFile, options.routesYaml);
  }
  const topics = options.topics ?? { callRequests: uniqueName("requests"), deadLetters: uniqueName("dlq") };
  const port = await freePort();
  const loaded = loadConfig({
    KAFKA_BROKERS: brokers,
    ROUTES_FILE: routesFile,
    CALL_REQUESTS_TOPIC: topics.callRequests,
    DLQ_TOPIC: topics.deadLetters,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...options.env,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const logger = options.logDestination
    ? createLogger({ name: "ingest-test", level: "debug", destination: options.logDestination })
    : createLogger({ name: "ingest-test", level: "silent" });
  const registry = createRegistry();
  const kafka = new KafkaClient({
    brokers: [brokers],
    clientId: uniqueName("ingest-test"),
    logger,
    requestTimeoutMs: 3_000,
    // Enough to ride out a leader election of a topic just created (CI starts many test files
    // on one fresh broker at once), short enough that an outage still answers 503 quickly.
    retry: { retries: 5, initialRetryTimeMs: 100, maxRetryTimeMs: 1_000 },
  });
  if (options.topicConfig) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.ensureTopics([
      {
        name: topics.callRequests,
        partitions: 3,
        retentionMs: 3_600_000,
        ...(options.topicConfig.callRequests ? { config: options.topicConfig.callRequests } : {}),
      },
      {
        name: topics.deadLetters,
        partitions: 1,
        retentionMs: 3_600_000,
        ...(options.topicConfig.deadLetters ? { config: options.topicConfig.deadLetters } : {}),
      },
    ]);
    await admin.disconnect();
  }
  const delivered = options.delivered ?? new InMemoryDeliveredEvents(loaded.config.dedupe.ttlSeconds * 1000, loaded.config.dedupe.maxKeys);
  // As main.ts does: opt-outs in the routes file and REDIS_URL in `env` give the ingest a do-not-call list.
  const { redisUrl, routes } = loaded.config;
  const doNotCall = redisUrl && routes.opt_outs.length > 0 ? connectDoNotCallList(redisUrl) : undefined;
  const ingest = createIngestApp(loaded.config, {
    logger,
    kafka,
    delivered,
    registry,
    ...(doNotCall ? { doNotCall } : {}),
    ...(options.nowMs ? { nowMs: options.nowMs } : {}),
  });
  if (!options.skipStart) await ingest.start();
  const url = await ingest.listen(port, "127.0.0.1");
  return { ingest, url, config: loaded.config, registry, topics, stop: () => ingest.stop() };
}
