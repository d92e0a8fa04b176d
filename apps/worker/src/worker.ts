import { randomUUID } from "node:crypto";
import {
  type Admin,
  BrokerProbe,
  type ConsumerEvent,
  DEFAULT_MAX_MESSAGE_BYTES,
  type KafkaClient,
  ProduceBatcher,
  type TopicRecord,
} from "@callbridge/kafka";
import type { Logger, Registry } from "@callbridge/observability";
import { deferralGroupId, deferralTopics } from "@callbridge/schemas";
import type { TalkoverClient } from "@callbridge/talkover-client";
import type { Redis } from "ioredis";
import { CampaignWatch } from "./campaigns/campaign-watch.js";
import { ParkedCommands } from "./campaigns/parked-commands.js";
import { MemoryStatusCache, RedisStatusCache } from "./campaigns/status-cache.js";
import { ClaimKeeper } from "./claims/claim-keeper.js";
import type { WorkerConfig } from "./config.js";
import { ConsumerPair, tierConsumer } from "./consume/consumer-pair.js";
import { Dispatcher } from "./consume/dispatcher.js";
import { startLagReporter } from "./consume/lag-reporter.js";
import type { Ledger } from "./ledger/ledger.js";
import type { LimiterMode } from "./limiter/call-limiter.js";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
import { AuthCircuit } from "./process/circuit.js";
import { processRequest } from "./process/process-request.js";
import { checkToken } from "./process/token-check.js";
import { RecipientGuard } from "./recipients/recipient-guard.js";
import { InProcessRecipientStore } from "./recipients/recipient-store.js";
import { RedisRecipientStore } from "./recipients/redis-recipient-store.js";
import { lastConnectionError } from "./redis-client.js";
import { startupError } from "./startup-error.js";
import { ThrottledLog } from "./throttled-log.js";
import { createWorkerLimiter } from "./worker-limiter.js";
import { prepareTopics, tierPartitions, writeLimits } from "./worker-topics.js";

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
  return new WorkerRuntime(config, deps);
}

class WorkerRuntime implements Worker {
  readonly metrics: WorkerMetrics;
  readonly failed: Promise<Error>;
  private fail: (error: Error) => void = () => {};
  private readonly log: Logger;
  private readonly owner: string;
  private groupMembers = 1;
  private readonly limiter: ReturnType<typeof createWorkerLimiter>;
  private readonly claims: ClaimKeeper;
  private readonly producer: ReturnType<KafkaClient["producer"]>;
  private batcher: ProduceBatcher;
  private readonly consumers: ConsumerPair;
  private readonly admin: Admin;
  private readonly probe: BrokerProbe;
  private readonly circuit: AuthCircuit;
  private readonly dispatcher: Dispatcher;
  private readonly watch: CampaignWatch;
  private readonly parkedCommands: ParkedCommands;
  private joined = false;
  private producerConnected = false;
  private draining = false;
  private commitTimer: NodeJS.Timeout | undefined;
  private stopLag: (() => void) | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly config: WorkerConfig,
    private readonly deps: WorkerDeps,
  ) {
    this.log = deps.logger.child({ component: "worker" });
    this.metrics = createWorkerMetrics(deps.registry);
    this.owner = deps.owner ?? `worker-${randomUUID()}`;
    this.failed = new Promise<Error>((resolve) => {
      this.fail = resolve;
    });
    this.limiter = createWorkerLimiter(config, {
      logger: deps.logger,
      redis: deps.redis,
      metrics: this.metrics,
      replicas: () => this.groupMembers,
    });
    this.claims = new ClaimKeeper(deps.ledger, this.owner, config.claimLeaseMs, this.log);
    this.producer = deps.kafka.producer();
    this.batcher = this.batcherFor(DEFAULT_MAX_MESSAGE_BYTES);
    const session = { sessionTimeoutMs: config.kafka.sessionTimeoutMs, heartbeatIntervalMs: config.kafka.heartbeatIntervalMs };
    const requestsConsumer = deps.kafka.consumer({
      groupId: config.kafka.groupId,
      ...session,
      maxBytes: config.kafka.fetchMaxBytes,
      maxBytesPerPartition: Math.min(32 * 1024, config.kafka.fetchMaxBytes),
      // kafkajs sleeps this long when every partition is paused (the window is full): short, so a freed window refills at once.
      maxWaitTimeMs: 100,
    });
    const tiers = tierConsumer(deps.kafka, { groupId: deferralGroupId(config.kafka.groupId), ...session });
    this.consumers = new ConsumerPair(requestsConsumer, tiers, new Set(deferralTopics(config.topics.callRequests)));
    this.admin = deps.kafka.admin();
    // The consumer notices a broker going away only at its next fetch or heartbeat, and says
    // little while it retries: a probe of its own keeps /readyz honest.
    this.probe = new BrokerProbe(deps.kafka.admin({ retries: 0 }), { logger: this.log, onChange: () => this.updateReady() });
    this.circuit = new AuthCircuit(
      async () => (await checkToken(deps.client)).kind === "accepted",
      config.circuitProbeIntervalMs,
      this.log,
      (open) => {
        this.metrics.circuitOpen.set(open ? 1 : 0);
        this.dispatcher.hold(open);
      },
    );
    this.metrics.circuitOpen.set(0);
    this.watch = new CampaignWatch(
      deps.client,
      deps.redis ? new RedisStatusCache(deps.redis) : new MemoryStatusCache(),
      {
        pollIntervalMs: config.park.pollIntervalMs,
        pollsPerSecond: config.park.pollsPerSecond,
        owner: this.owner,
        onPoll: (result) => this.metrics.campaignPolls.inc({ result }),
      },
      this.log,
    );
    this.parkedCommands = new ParkedCommands(
      deps.redis,
      (campaigns) => {
        for (const campaign of campaigns) void this.watch.forget(campaign).catch(() => undefined);
        this.dispatcher.wakeParked();
      },
      this.log,
    );
    this.dispatcher = this.createDispatcher();
    this.consumers.on((event, from) => this.onConsumerEvent(event, from));
    this.updateReady();
  }

  get ready(): boolean {
    return this.readiness().ready;
  }

  readiness(): Readiness {
    const broker = this.probe.state;
    return {
      ready: this.joined && this.producerConnected && !this.draining && broker.reachable,
      joined: this.joined,
      producer: this.producerConnected,
      kafka: broker.reachable ? "reachable" : "unreachable",
      ...(broker.reachable ? {} : { kafkaReason: broker.reason }),
      draining: this.draining,
      circuit: this.circuit.isOpen ? "open" : "closed",
      limiter: this.limiter.mode,
      inFlight: this.dispatcher.inFlightRecords,
    };
  }

  async start(): Promise<void> {
    const { config, log } = this;
    await this.prepareKafka();
    const redis = this.deps.redis;
    if (redis) {
      await redis.ping().catch((error: unknown) => {
        throw startupError("redis", config, lastConnectionError(redis) ?? error);
      });
    }
    // A refused token is known before the first call: start with the circuit open and send none.
    const token = await checkToken(this.deps.client);
    if (token.kind === "refused") this.circuit.open();
    if (token.kind === "unreachable") {
      log.warn(
        { talkover: config.talkover.baseUrl, detail: token.detail },
        "the Talkover API did not answer at start-up (TALKOVER_BASE_URL); calls will be retried and dead-lettered as retries_exhausted if it stays away",
      );
    }
    await this.limiter.ready();
    this.claims.start();
    await this.step("kafka", () => this.consumers.connect());
    await this.step("kafka", () => this.consumers.subscribe(config.topics.callRequests));
    await this.step("kafka", () => this.consumers.run((batch) => this.dispatcher.handleBatch(batch)));
    this.parkedCommands.start();
    this.commitTimer = setInterval(() => {
      void this.dispatcher.commit();
      this.dispatcher.observeDeferred();
    }, config.commitIntervalMs);
    this.probe.start();
    this.stopLag = startLagReporter(
      this.admin,
      config.kafka.groupId,
      config.topics.callRequests,
      config.lagIntervalMs,
      this.metrics,
      log,
      (members) => {
        this.groupMembers = members;
        this.metrics.groupMembers.set(members);
      },
    );
    this.updateReady();
    log.info({ group: config.kafka.groupId, topic: config.topics.callRequests, owner: this.owner }, "worker consuming");
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopSteps();
    return this.stopping;
  }

  /** Connects the admin and the producer, creates missing topics when asked, and sizes writes to the topics' limits. */
  private async prepareKafka(): Promise<void> {
    const { config } = this;
    await this.step("kafka", () => this.admin.connect());
    await prepareTopics(this.admin, config, this.log, (operation) => this.step("kafka", operation));
    await this.step("kafka", () => this.producer.connect());
    this.producerConnected = true;
    const limits = await writeLimits(this.admin, config, this.log);
    this.dispatcher.useLimits(limits);
    this.dispatcher.useTierPartitions(await tierPartitions(this.admin, config, this.log));
    this.batcher = this.batcherFor(Math.min(limits.callResults, limits.deadLetters));
  }

  private async stopSteps(): Promise<void> {
    this.draining = true;
    this.updateReady();
    await runEvery(this.log, [
      ["drain", () => this.dispatcher.drain(Date.now() + this.config.shutdownTimeoutMs)],
      [
        "timers",
        () => {
          clearInterval(this.commitTimer);
          this.stopLag?.();
          this.claims.stop();
          this.circuit.stop();
          this.parkedCommands.stop();
        },
      ],
      ["commit", () => this.dispatcher.commit()],
      ["results", () => this.batcher.flush()],
      [
        "producer",
        async () => {
          this.producerConnected = false;
          await this.producer.disconnect();
        },
      ],
      ["consumers", () => this.consumers.disconnect()],
      ["limiter", () => this.limiter.close()],
      ["ledger", () => this.deps.ledger.close()],
      ["admin", () => this.admin.disconnect()],
      ["broker probe", () => this.probe.stop()],
      ...(this.deps.closeAfter ?? []),
    ]).finally(() => this.updateReady());
  }

  private createDispatcher(): Dispatcher {
    const { deps, config } = this;
    const processorDeps = {
      client: deps.client,
      gate: this.limiter,
      claims: this.claims,
      circuit: this.circuit,
      metrics: this.metrics,
      logger: deps.logger,
      warnings: new ThrottledLog(this.log),
      policy: {
        ...config.retry,
        duplicateCallPolicy: config.duplicateCallPolicy,
        deferAboveMs: config.deferAboveMs,
        parking: config.park.statuses.size > 0,
      },
      watch: this.watch,
      droppedBefore: (campaign: string) => this.parkedCommands.droppedBefore(campaign),
      park: { parkStatuses: config.park.statuses, pollIntervalMs: config.park.pollIntervalMs, maxAgeMs: config.park.maxAgeMs },
      guard: new RecipientGuard({
        policyOn: config.recipients.policyOn,
        policy: config.recipients.policy,
        store: deps.redis ? new RedisRecipientStore(deps.redis) : new InProcessRecipientStore(),
      }),
    };
    return new Dispatcher({
      consumer: this.consumers,
      // Through the current batcher: it is rebuilt once the topics' limits are read.
      output: { send: (records: readonly TopicRecord[]) => this.batcher.send(records) },
      topics: config.topics,
      maxInFlight: config.maxInFlight,
      metrics: this.metrics,
      logger: deps.logger,
      process: (request, signals, deferral, record) => processRequest(request, processorDeps, signals, deferral, record),
      claims: this.claims,
      wakesEarly: (campaign, writtenAtMs) => this.parkedCommands.wakesEarly(campaign, writtenAtMs),
    });
  }

  private onConsumerEvent(event: ConsumerEvent, from: "requests" | "tiers"): void {
    if (event.type === "assigned") {
      // Ready once the requests topic's group is joined; the tiers' group joins beside it.
      if (from === "requests") this.joined = true;
      this.dispatcher.assigned(event.assignment);
      this.log.info({ assignment: event.assignment }, "partitions assigned");
    } else if (event.type === "crashed" && !event.willRestart) {
      // @callbridge/kafka has logged the crash; this is the end of consuming.
      this.fail(consumerFailure(this.config, event.code, event.error));
    }
    this.updateReady();
  }

  /** Results wait up to 10 ms for company: far fewer produce requests at a thousand calls a second. */
  private batcherFor(maxBytes: number): ProduceBatcher {
    return new ProduceBatcher(this.producer, { maxRecords: 500, maxBytes, lingerMs: 10 });
  }

  private updateReady(): void {
    this.metrics.ready.set(this.readiness().ready ? 1 : 0);
  }

  private async step<T>(what: "kafka" | "redis", operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw startupError(what, this.config, error);
    }
  }
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
