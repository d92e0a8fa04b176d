import { randomUUID } from "node:crypto";
import {
  type Admin,
  BrokerProbe,
  DEFAULT_MAX_MESSAGE_BYTES,
  type KafkaClient,
  ProduceBatcher,
  type TopicRecord,
  topicCatalog,
} from "@callbridge/kafka";
import type { Logger, Registry } from "@callbridge/observability";
import type { TalkoverClient } from "@callbridge/talkover-client";
import type { Redis } from "ioredis";
import { ClaimKeeper } from "./claims/claim-keeper.js";
import type { WorkerConfig } from "./config.js";
import { Dispatcher, type WriteLimits } from "./consume/dispatcher.js";
import { startLagReporter } from "./consume/lag-reporter.js";
import type { Ledger } from "./ledger/ledger.js";
import type { LimiterMode } from "./limiter/call-limiter.js";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
import { AuthCircuit } from "./process/circuit.js";
import { processRequest } from "./process/process-request.js";
import { checkToken } from "./process/token-check.js";
import { lastConnectionError } from "./redis-client.js";
import { type StartupError, startupError } from "./startup-error.js";
import { ThrottledLog } from "./throttled-log.js";
import { createWorkerLimiter } from "./worker-limiter.js";

export interface WorkerDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly kafka: KafkaClient;
  readonly client: Pick<TalkoverClient, "createCampaignCall" | "getCampaign">;
  readonly ledger: Ledger;
  /** Shares the rate limits and concurrency slots between replicas; in-process without. */
  readonly redis?: Redis;
  /** This replica's name in claims and slots; random by default. */
  readonly owner?: string;
  /** Run last by `stop()`, in order (closing what the caller created for the worker). */
  readonly closeAfter?: readonly (readonly [string, () => Promise<unknown> | unknown])[];
}

export interface Readiness {
  readonly ready: boolean;
  readonly joined: boolean;
  readonly producer: boolean;
  /** `unreachable` while no broker answers a metadata request (BrokerProbe). */
  readonly kafka: "reachable" | "unreachable";
  readonly kafkaReason?: string;
  readonly draining: boolean;
  readonly circuit: "open" | "closed";
  /** `local` (no Redis), `shared` (Redis), `local_share` (Redis unreachable: this replica's share). */
  readonly limiter: LimiterMode;
  readonly inFlight: number;
}

export interface Worker {
  readonly metrics: WorkerMetrics;
  readonly ready: boolean;
  readiness(): Readiness;
  /** Creates missing topics, connects, joins the group and starts consuming. Rejects with a StartupError naming what is unreachable. */
  start(): Promise<void>;
  /** Resolves, with what went wrong, if the worker can no longer consume (kafkajs gave up on its consumer); `main.ts` exits then. */
  readonly failed: Promise<Error>;
  /**
   * Stops fetching, lets in-flight calls finish until the deadline, commits, flushes, closes.
   * Every step runs even when one before it failed (then it rejects with their errors, after
   * all of them). Safe to call twice: the second call gets the first one's promise.
   */
  stop(): Promise<void>;
}

/** The worker: call requests from Kafka -> claim -> limiter -> Talkover -> results and dead letters. */
export function createWorker(config: WorkerConfig, deps: WorkerDeps): Worker {
  const log = deps.logger.child({ component: "worker" });
  const metrics = createWorkerMetrics(deps.registry);
  const owner = deps.owner ?? `worker-${randomUUID()}`;
  let groupMembers = 1;
  const limiter = createWorkerLimiter(config, { logger: deps.logger, redis: deps.redis, metrics, replicas: () => groupMembers });
  const claims = new ClaimKeeper(deps.ledger, owner, config.claimLeaseMs, log);
  const producer = deps.kafka.producer();
  // Results wait up to 10 ms for company: far fewer produce requests at a thousand calls a second.
  const batcherFor = (maxBytes: number) => new ProduceBatcher(producer, { maxRecords: 500, maxBytes, lingerMs: 10 });
  let batcher = batcherFor(DEFAULT_MAX_MESSAGE_BYTES);
  const output = { send: (records: readonly TopicRecord[]) => batcher.send(records) };
  const consumer = deps.kafka.consumer({
    groupId: config.kafka.groupId,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
    maxBytes: config.kafka.fetchMaxBytes,
    maxBytesPerPartition: Math.min(32 * 1024, config.kafka.fetchMaxBytes),
    // kafkajs sleeps this long when every partition is paused (the window is full): short, so a freed window refills at once.
    maxWaitTimeMs: 100,
  });
  const admin = deps.kafka.admin();
  // The consumer notices a broker going away only at its next fetch or heartbeat, and says
  // little while it retries: a probe of its own keeps /readyz honest.
  const probe = new BrokerProbe(deps.kafka.admin({ retries: 0 }), { logger: log, onChange: () => updateReady() });
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => {
    fail = resolve;
  });
  let joined = false;
  let producerConnected = false;
  let draining = false;
  let commitTimer: NodeJS.Timeout | undefined;
  let stopLag: (() => void) | undefined;

  const circuit = new AuthCircuit(
    async () => (await checkToken(deps.client)).kind === "accepted",
    config.circuitProbeIntervalMs,
    log,
    (open) => {
      metrics.circuitOpen.set(open ? 1 : 0);
      dispatcher.hold(open);
    },
  );
  metrics.circuitOpen.set(0);

  const processorDeps = {
    client: deps.client,
    gate: limiter,
    claims,
    circuit,
    metrics,
    logger: deps.logger,
    warnings: new ThrottledLog(log),
    policy: { ...config.retry, duplicateCallPolicy: config.duplicateCallPolicy },
  };
  const dispatcher = new Dispatcher({
    consumer,
    output,
    topics: config.topics,
    maxInFlight: config.maxInFlight,
    metrics,
    logger: deps.logger,
    process: (request, signals) => processRequest(request, processorDeps, signals),
  });

  consumer.on((event) => {
    if (event.type === "assigned") {
      joined = true;
      dispatcher.assigned(event.assignment);
      log.info({ assignment: event.assignment }, "partitions assigned");
    } else if (event.type === "crashed" && !event.willRestart) {
      // @callbridge/kafka has logged the crash; this is the end of consuming.
      fail(consumerFailure(config, event.code, event.error));
    }
    updateReady();
  });

  const readiness = (): Readiness => ({
    ready: joined && producerConnected && !draining && probe.state.reachable,
    joined,
    producer: producerConnected,
    kafka: probe.state.reachable ? "reachable" : "unreachable",
    ...(probe.state.reachable ? {} : { kafkaReason: probe.state.reason }),
    draining,
    circuit: circuit.isOpen ? "open" : "closed",
    limiter: limiter.mode,
    inFlight: dispatcher.inFlightRecords,
  });
  const updateReady = () => metrics.ready.set(readiness().ready ? 1 : 0);
  updateReady();

  const start = async () => {
    await step("kafka", () => admin.connect());
    if (config.ensureTopics) {
      const catalog = topicCatalog({
        names: {
          callRequests: config.topics.callRequests,
          callRequestsDlq: config.topics.deadLetters,
          callResults: config.topics.callResults,
        },
      });
      const result = await step("kafka", () => admin.ensureTopics([catalog.callRequests, catalog.callRequestsDlq, catalog.callResults]));
      if (result.created.length > 0) log.info({ topics: result.created }, "created topics");
    }
    await step("kafka", () => producer.connect());
    producerConnected = true;
    const limits = await writeLimits(admin, config, log);
    dispatcher.useLimits(limits);
    batcher = batcherFor(Math.min(limits.callResults, limits.deadLetters));
    const redis = deps.redis;
    if (redis) {
      await redis.ping().catch((error: unknown) => {
        throw startupError("redis", config, lastConnectionError(redis) ?? error);
      });
    }
    // A refused token is known before the first call: start with the circuit open and send none.
    const token = await checkToken(deps.client);
    if (token.kind === "refused") circuit.open();
    if (token.kind === "unreachable") {
      log.warn(
        { talkover: config.talkover.baseUrl, detail: token.detail },
        "the Talkover API did not answer at start-up (TALKOVER_BASE_URL); calls will be retried and dead-lettered as retries_exhausted if it stays away",
      );
    }
    await limiter.ready();
    claims.start();
    await step("kafka", () => consumer.connect());
    await step("kafka", () => consumer.subscribe([config.topics.callRequests]));
    await step("kafka", () => consumer.run((batch) => dispatcher.handleBatch(batch)));
    commitTimer = setInterval(() => void dispatcher.commit(), config.commitIntervalMs);
    probe.start();
    stopLag = startLagReporter(admin, config.kafka.groupId, config.topics.callRequests, config.lagIntervalMs, metrics, log, (members) => {
      groupMembers = members;
      metrics.groupMembers.set(members);
    });
    updateReady();
    log.info({ group: config.kafka.groupId, topic: config.topics.callRequests, owner }, "worker consuming");
  };

  const step = async <T>(what: StartupError["what"], operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw startupError(what, config, error);
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    draining = true;
    updateReady();
    await runEvery(log, [
      ["drain", () => dispatcher.drain(Date.now() + config.shutdownTimeoutMs)],
      [
        "timers",
        () => {
          clearInterval(commitTimer);
          stopLag?.();
          claims.stop();
          circuit.stop();
        },
      ],
      ["commit", () => dispatcher.commit()],
      ["results", () => batcher.flush()],
      [
        "producer",
        async () => {
          producerConnected = false;
          await producer.disconnect();
        },
      ],
      ["consumer", () => consumer.disconnect()],
      ["limiter", () => limiter.close()],
      ["ledger", () => deps.ledger.close()],
      ["admin", () => admin.disconnect()],
      ["broker probe", () => probe.stop()],
      ...(deps.closeAfter ?? []),
    ]).finally(updateReady);
  };

  return {
    metrics,
    failed,
    get ready() {
      return readiness().ready;
    },
    readiness,
    start,
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** Runs each step in order, each even when one before it failed; then rejects with every failure, if any. */
async function runEvery(log: Logger, steps: readonly (readonly [string, () => Promise<unknown> | unknown])[]): Promise<void> {
  const failures: unknown[] = [];
  for (const [name, action] of steps) {
    try {
      await action();
    } catch (error) {
      failures.push(error);
      log.warn({ err: error, step: name }, "shutdown step failed; going on");
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} shutdown step(s) failed`);
}

/** Why the consumer stopped for good, naming the setting when the broker refused one. */
function consumerFailure(config: WorkerConfig, code: string | undefined, error: Error): Error {
  if (code === "INVALID_SESSION_TIMEOUT") {
    return new Error(
      `the broker refused CONSUMER_SESSION_TIMEOUT_MS=${config.kafka.sessionTimeoutMs}: it must lie within the broker's group.min.session.timeout.ms and group.max.session.timeout.ms (6000 and 1800000 by default)`,
      { cause: error },
    );
  }
  return new Error(`the Kafka consumer stopped and will not restart: ${error.message}`, { cause: error });
}

/**
 * The size limits of the topics the worker writes, from the broker (each topic's
 * `max.message.bytes`); the broker's default when they cannot be read, said in a warning.
 */
async function writeLimits(admin: Admin, config: WorkerConfig, log: Logger): Promise<WriteLimits> {
  const topics = [config.topics.callResults, config.topics.deadLetters];
  const read = await admin.maxMessageBytes(topics).catch((error: unknown) => {
    log.warn({ err: error, topics }, "could not read the topics' max.message.bytes; assuming the broker default");
    return new Map<string, number>();
  });
  return {
    callResults: read.get(config.topics.callResults) ?? DEFAULT_MAX_MESSAGE_BYTES,
    deadLetters: read.get(config.topics.deadLetters) ?? DEFAULT_MAX_MESSAGE_BYTES,
  };
}
