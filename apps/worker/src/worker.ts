import { randomUUID } from "node:crypto";
import { type KafkaClient, ProduceBatcher, topicCatalog } from "@callbridge/kafka";
import type { Logger, Registry } from "@callbridge/observability";
import type { TalkoverClient } from "@callbridge/talkover-client";
import type { WorkerConfig } from "./config.js";
import { Dispatcher } from "./consume/dispatcher.js";
import { startLagReporter } from "./consume/lag-reporter.js";
import type { Ledger } from "./ledger/ledger.js";
import type { LimiterObserver } from "./limiter/call-limiter.js";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
import { type CallGate, processRequest } from "./process/call-processor.js";
import { AuthCircuit } from "./process/circuit.js";

/** The rate limiter as the worker uses it (see limiter/call-limiter.ts). */
export interface WorkerLimiter extends CallGate {
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerDeps {
  readonly logger: Logger;
  readonly kafka: KafkaClient;
  readonly client: Pick<TalkoverClient, "createCampaignCall" | "getCampaign">;
  readonly ledger: Ledger;
  /** Builds the rate limiter, reporting to the worker's metrics through `observer`. */
  readonly createLimiter: (observer: LimiterObserver) => WorkerLimiter;
  readonly registry: Registry;
  /** This replica's name in ledger claims; random by default. */
  readonly owner?: string;
}

export interface Worker {
  readonly metrics: WorkerMetrics;
  readonly ready: boolean;
  readiness(): { ready: boolean; joined: boolean; producer: boolean; draining: boolean; circuit: "open" | "closed"; inFlight: number };
  /** Creates missing topics, connects, joins the group and starts consuming. */
  start(): Promise<void>;
  /** Stops fetching, lets in-flight calls finish until the deadline, commits, flushes; safe to call twice. */
  stop(): Promise<void>;
}

/** The worker: call requests from Kafka -> rate limiter -> Talkover -> results and dead letters. */
export function createWorker(config: WorkerConfig, deps: WorkerDeps): Worker {
  const log = deps.logger.child({ component: "worker" });
  const metrics = createWorkerMetrics(deps.registry);
  const limiter = deps.createLimiter({
    onWait: (seconds) => metrics.limiterWait.observe(seconds),
    onQueued: (queued) => metrics.limiterQueued.set(queued),
    onRecovery: (reason) => metrics.limiterRecoveries.inc({ reason }),
    onRate: (rate) => metrics.limiterRate.set(rate),
  });
  if (config.limits.ratePerSecond !== null) metrics.limiterRate.set(config.limits.ratePerSecond);
  const producer = deps.kafka.producer();
  const output = new ProduceBatcher(producer, 500);
  const consumer = deps.kafka.consumer({
    groupId: config.kafka.groupId,
    heartbeatIntervalMs: 1_000,
    sessionTimeoutMs: 30_000,
    maxWaitTimeMs: 500,
  });
  const admin = deps.kafka.admin();
  const owner = deps.owner ?? `worker-${randomUUID()}`;
  let joined = false;
  let producerConnected = false;
  let draining = false;
  let commitTimer: NodeJS.Timeout | undefined;
  let stopLag: (() => void) | undefined;

  const circuit = new AuthCircuit(
    async () => {
      // Any answer but 401 means the token is accepted again; a missing campaign is fine.
      try {
        await deps.client.getCampaign("callbridge-auth-probe");
        return true;
      } catch (error) {
        return (error as { kind?: string }).kind !== "unauthorized" && (error as { status?: number }).status !== undefined;
      }
    },
    config.circuitProbeIntervalMs,
    log,
    (open) => {
      metrics.circuitOpen.set(open ? 1 : 0);
      dispatcher.hold(open);
    },
  );
  metrics.circuitOpen.set(0);

  const dispatcher = new Dispatcher({
    consumer,
    output,
    topics: config.topics,
    maxInFlight: config.maxInFlight,
    metrics,
    logger: deps.logger,
    process: (request, signals) =>
      processRequest(
        request,
        {
          client: deps.client,
          gate: limiter,
          ledger: deps.ledger,
          circuit,
          metrics,
          logger: deps.logger,
          retry: config.retry,
          duplicateCallPolicy: config.duplicateCallPolicy,
          owner,
          claimLeaseMs: config.talkover.timeoutMs * 3 + 5_000,
        },
        signals,
      ),
  });

  consumer.on((event) => {
    if (event.type === "assigned") {
      joined = true;
      dispatcher.assigned(event.assignment);
      log.info({ assignment: event.assignment }, "partitions assigned");
    } else if (event.type === "crashed") {
      log.error({ err: event.error, willRestart: event.willRestart }, "consumer crashed");
    }
    updateReady();
  });

  const readiness = () => ({
    ready: joined && producerConnected && !draining,
    joined,
    producer: producerConnected,
    draining,
    circuit: circuit.isOpen ? ("open" as const) : ("closed" as const),
    inFlight: dispatcher.inFlightRecords,
  });
  const updateReady = () => metrics.ready.set(readiness().ready ? 1 : 0);
  updateReady();

  let stopping: Promise<void> | undefined;
  return {
    metrics,
    get ready() {
      return readiness().ready;
    },
    readiness,
    async start() {
      await admin.connect();
      if (config.ensureTopics) {
        const catalog = topicCatalog({
          names: {
            callRequests: config.topics.callRequests,
            callRequestsDlq: config.topics.deadLetters,
            callResults: config.topics.callResults,
          },
        });
        const result = await admin.ensureTopics([catalog.callRequests, catalog.callRequestsDlq, catalog.callResults]);
        if (result.created.length > 0) log.info({ topics: result.created }, "created topics");
      }
      await producer.connect();
      producerConnected = true;
      await limiter.ready();
      await consumer.connect();
      await consumer.subscribe([config.topics.callRequests]);
      await consumer.run(async (batch) => dispatcher.handleBatch(batch));
      commitTimer = setInterval(() => void dispatcher.commit(), config.commitIntervalMs);
      stopLag = startLagReporter(admin, config.kafka.groupId, config.topics.callRequests, config.lagIntervalMs, metrics, log);
      updateReady();
      log.info({ group: config.kafka.groupId, topic: config.topics.callRequests, owner }, "worker consuming");
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        updateReady();
        const deadline = Date.now() + config.shutdownTimeoutMs;
        await dispatcher.drain(deadline);
        if (commitTimer) clearInterval(commitTimer);
        stopLag?.();
        await dispatcher.commit();
        await output.flush();
        await producer.disconnect().catch((error: unknown) => log.warn({ err: error }, "producer disconnect failed"));
        producerConnected = false;
        await consumer.disconnect().catch((error: unknown) => log.warn({ err: error }, "consumer disconnect failed"));
        circuit.stop();
        await limiter.close();
        await deps.ledger.close();
        await admin.disconnect().catch(() => undefined);
        updateReady();
      })();
      return stopping;
    },
  };
}
