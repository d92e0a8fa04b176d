import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BrokerProbe, DEFAULT_MAX_MESSAGE_BYTES, type KafkaClient, ProduceBatcher, type Producer } from "@callbridge/kafka";
import type { Logger, Registry } from "@callbridge/observability";
import express from "express";
import type { IngestConfig } from "./config.js";
import type { DeliveredEvents } from "./delivery/delivered-events.js";
import type { DoNotCallList } from "./delivery/do-not-call.js";
import type { TopicLimits } from "./delivery/records.js";
import { webhookHandler } from "./http/webhook-handler.js";
import { createIngestMetrics, type IngestMetrics } from "./metrics.js";
import { createSource } from "./sources/create-source.js";
import type { Source } from "./sources/source.js";

export interface IngestDeps {
  readonly logger: Logger;
  readonly kafka: KafkaClient;
  readonly delivered: DeliveredEvents;
  /** The do-not-call list opt-outs are written to; required when the routes file has `opt_outs`. */
  readonly doNotCall?: DoNotCallList;
  readonly registry: Registry;
  /** Clock for signature timestamps and record times; tests inject one. */
  readonly nowMs?: () => number;
}

export interface IngestApp {
  readonly app: express.Express;
  readonly metrics: IngestMetrics;
  readonly sources: ReadonlyMap<string, Source>;
  /** Connects the producer (and creates missing topics when configured); then `/readyz` is 200. */
  start(): Promise<void>;
  /** Listens for webhooks; resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  /** Draining: refuse new webhooks, finish in-flight ones, flush and disconnect the producer. */
  stop(): Promise<void>;
  readonly ready: boolean;
}

/** The ingest service: CRM webhooks in, call requests out to Kafka. `main.ts` and tests build it here. */
export function createIngestApp(config: IngestConfig, deps: IngestDeps): IngestApp {
  const log = deps.logger.child({ component: "ingest" });
  const metrics = createIngestMetrics(deps.registry);
  const doNotCall = doNotCallListFor(config, deps.doNotCall, metrics);
  const sources = new Map(Object.entries(config.routes.sources).map(([id, source]) => [id, createSource(id, source)]));
  const producer: Producer = deps.kafka.producer();
  // Sized once the topics' limits are read at start-up (see TopicLimits).
  const limits: TopicLimits = { callRequests: DEFAULT_MAX_MESSAGE_BYTES, deadLetters: DEFAULT_MAX_MESSAGE_BYTES };
  const batcherFor = (maxBytes: number) => observedBatcher(producer, config.produceMaxBatchRecords, maxBytes, metrics);
  let batcher = batcherFor(DEFAULT_MAX_MESSAGE_BYTES);
  let connected = false;
  let draining = false;
  let server: Server | undefined;
  // An idle producer does not notice a broker going away: a probe of its own keeps /readyz honest.
  const probe = new BrokerProbe(deps.kafka.admin({ retries: 0 }), { logger: log, onChange: () => setReady() });
  const isReady = () => connected && !draining && probe.state.reachable;
  const setReady = () => metrics.ready.set(isReady() ? 1 : 0);
  setReady();

  const app = expressApp(
    () => readinessOf(probe.state, connected, draining, isReady()),
    () => draining,
    webhookHandler({
      sources,
      routing: config.routes,
      doNotCall,
      topics: config.topics,
      send: (records) => batcher.send(records),
      limits,
      delivered: deps.delivered,
      metrics,
      logger: deps.logger,
      nowMs: deps.nowMs ?? Date.now,
      publicBaseUrl: config.publicBaseUrl,
      maxBodyBytes: config.maxBodyBytes,
      produceTimeoutMs: config.produceTimeoutMs,
      draining: () => draining,
    }),
  );

  let stopping: Promise<void> | undefined;
  return {
    app,
    metrics,
    sources,
    get ready() {
      return isReady();
    },
    async start() {
      Object.assign(limits, await prepareTopics(deps.kafka, config, log));
      batcher = batcherFor(Math.min(limits.callRequests, limits.deadLetters));
      await producer.connect();
      connected = true;
      probe.start();
      setReady();
      const counts = { routes: config.routes.routes.length, opt_outs: config.routes.opt_outs.length };
      log.info({ sources: [...sources.values()].map((s) => `${s.id}:${s.kind}`), ...counts }, "ingest ready");
    },
    async listen(port, host) {
      server = app.listen(port, host);
      return listening(server, host);
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        setReady();
        if (server) await closeDraining(server);
        await batcher.flush();
        await probe.stop();
        await producer.disconnect();
        await Promise.all([deps.delivered.close(), doNotCall?.close()]);
        connected = false;
        setReady();
      })();
      return stopping;
    },
  };
}

interface IngestReadiness {
  readonly ready: boolean;
  readonly kafka: "disconnected" | "connected" | "unreachable";
  readonly reason?: string;
  readonly draining: boolean;
}

/** What `/readyz` says, from the producer's and the broker probe's state. */
function readinessOf(broker: BrokerProbe["state"], connected: boolean, draining: boolean, ready: boolean): IngestReadiness {
  const kafka = !connected ? "disconnected" : broker.reachable ? "connected" : "unreachable";
  return { ready, kafka, ...(broker.reachable ? {} : { reason: broker.reason }), draining };
}

/**
 * The do-not-call list the routes file's opt-outs need: throws when they have none (main.ts
 * makes one whenever there are opt-outs; loadConfig made sure REDIS_URL is set). Each opt-out's
 * series exists from the start, so a rate over it is defined before its first opt-out.
 */
function doNotCallListFor(config: IngestConfig, list: DoNotCallList | undefined, metrics: IngestMetrics): DoNotCallList | undefined {
  const names = config.routes.opt_outs.map((optOut) => optOut.name);
  if (names.length > 0 && !list)
    throw new Error(`the routes file has opt-outs (${names.join(", ")}) but the ingest was given no do-not-call list`);
  for (const route of names) metrics.optOutsOf(route).inc(0);
  return list;
}

/**
 * The webhooks first (the one path under load), then health, readiness and 404 for the rest.
 * While draining, every answer closes its connection (the webhook handler sees to its own).
 */
function expressApp(
  readiness: () => IngestReadiness,
  draining: () => boolean,
  webhooks: express.RequestHandler<{ sourceId: string }>,
): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.post("/webhooks/:sourceId", webhooks);
  app.use((_req, res, next) => {
    if (draining()) res.set("connection", "close");
    next();
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", (_req, res) => {
    const report = readiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  return app;
}

/**
 * Creates the topics when asked (ENSURE_TOPICS) and reads each one's `max.message.bytes`; the
 * broker's default for a topic whose limit cannot be read, said in a warning.
 */
async function prepareTopics(kafka: KafkaClient, config: IngestConfig, log: Logger): Promise<TopicLimits> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (config.ensureTopics) {
      const names = { callRequests: config.topics.callRequests, callRequestsDlq: config.topics.deadLetters };
      const result = await admin.ensureCatalogTopics(["callRequests", "callRequestsDlq"], { names });
      if (result.created.length > 0) log.info({ topics: result.created }, "created topics");
      for (const m of result.mismatched) log.warn(m, "topic has fewer partitions than configured");
    }
    const limitOf = await admin.writeLimits([config.topics.callRequests, config.topics.deadLetters], (error) => {
      log.warn({ err: error }, "could not read the topics' max.message.bytes; assuming the broker default");
    });
    return { callRequests: limitOf(config.topics.callRequests), deadLetters: limitOf(config.topics.deadLetters) };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Stops listening and waits for every connection: keep-alive ones that finish a request while
 * we drain get "Connection: close" (see expressApp), and idle ones are closed as they appear.
 */
async function closeDraining(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  await closed.finally(() => clearInterval(sweeper));
}

/** Shares produce calls between webhooks (see ProduceBatcher), counting each call's size and time. */
function observedBatcher(producer: Producer, maxRecords: number, maxBytes: number, metrics: IngestMetrics): ProduceBatcher {
  return new ProduceBatcher(producer, {
    maxRecords,
    maxBytes,
    observer: {
      onBatch(records, seconds, ok) {
        metrics.produceBatchRecords.observe(records);
        metrics.produceDurationOf(ok ? "ok" : "failed").observe(seconds);
      },
    },
  });
}

/** Waits until `server` listens; its base URL. */
async function listening(server: Server, host: string): Promise<string> {
  await once(server, "listening");
  // Senders reuse connections; keep ours open longer than typical load balancers (60 s).
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  return `http://${host}:${port}`;
}
