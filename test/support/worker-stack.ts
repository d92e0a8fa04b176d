import { createLogger, createRegistry, type Registry } from "@callbridge/observability";
import type { CallRequestInput } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { buildWorker, loadConfig, type Worker, type WorkerConfig } from "@callbridge/worker";
import { createTopics, type TestTopics } from "./kafka.js";
import { SIM_TOKEN } from "./simulator.js";

export interface TestWorker {
  readonly worker: Worker;
  readonly config: WorkerConfig;
  readonly registry: Registry;
  readonly topics: TestTopics;
  stop(): Promise<void>;
}

export interface TestWorkerOptions {
  readonly simUrl: string;
  /** Extra worker env (MAX_ATTEMPTS, BACKOFF_BASE_MS, ...). */
  readonly env?: Record<string, string>;
  readonly topics?: TestTopics;
  /** Redis for the ledger and limiter; in-process when absent. */
  readonly redisUrl?: string;
  readonly token?: string;
}

/** A worker built by the same `buildWorker` as `main.ts`, against the simulator, on topics of its own. */
export async function startTestWorker(brokers: string, options: TestWorkerOptions): Promise<TestWorker> {
  const topics = options.topics ?? (await createTopics(brokers));
  const loaded = loadConfig({
    KAFKA_BROKERS: brokers,
    KAFKA_GROUP_ID: uniqueName("worker"),
    CALL_REQUESTS_TOPIC: topics.callRequests,
    DLQ_TOPIC: topics.deadLetters,
    CALL_RESULTS_TOPIC: topics.callResults,
    ENSURE_TOPICS: "false",
    // The hour of the day must not decide these tests: the recipient guard's own tests turn it on.
    RECIPIENT_GUARD: "off",
    TALKOVER_BASE_URL: options.simUrl,
    TALKOVER_API_TOKEN: options.token ?? SIM_TOKEN,
    TALKOVER_TIMEOUT_MS: "2000",
    RATE_LIMIT_PER_SECOND: "500",
    RATE_LIMIT_BURST: "500",
    MAX_CONCURRENT_CALLS: "50",
    BACKOFF_BASE_MS: "20",
    BACKOFF_MAX_MS: "200",
    RETRY_AFTER_MAX_MS: "2000",
    CIRCUIT_PROBE_INTERVAL_MS: "200",
    COMMIT_INTERVAL_MS: "200",
    LAG_INTERVAL_MS: "500",
    SHUTDOWN_TIMEOUT_MS: "5000",
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const { config } = loaded;
  const logger = createLogger({ name: "worker-test", level: (process.env.TEST_WORKER_LOG as "debug" | undefined) ?? "silent" });
  const registry = createRegistry();
  const worker = buildWorker(config, { logger, registry, kafkaClientId: uniqueName("worker") });
  await worker.start();
  return {
    worker,
    config,
    registry,
    topics,
    stop: () => worker.stop(),
  };
}

let counter = 0;

/** A valid call request with a unique key and number; `overrides` set the rest. */
export function callRequest(overrides: Partial<CallRequestInput> = {}): CallRequestInput {
  counter += 1;
  const n = String(counter).padStart(4, "0");
  return {
    idempotency_key: uniqueName(`req-${n}`),
    campaign_id: "campaign-uuid-1",
    to: `+1415555${n}`,
    payload: { n: counter },
    context: {},
    is_testing: true,
    source: { kind: "test", event_id: `e-${n}`, route: "test-route", received_at: new Date().toISOString() },
    ...overrides,
  };
}
