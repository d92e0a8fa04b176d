// The stack under measurement: Kafka (started unless KAFKA_BROKERS is set), its topics, the
// Talkover simulator, the ingest and the worker, each on a free port.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KafkaClient } from "@callbridge/kafka";
import { startKafka } from "@callbridge/kafka-launcher";
import { createLogger } from "@callbridge/observability";
import { freePort } from "@callbridge/ports";
import type { ProveConfig } from "./config.js";
import type { ProgressLog } from "./progress.js";
import { proofRecipientPolicy } from "./recipient-policy.js";
import type { StartedResources } from "./started-resources.js";

/** The simulator's latency without faults; the load keeps it when it turns faults on. */
export const SIM_BASE_LATENCY = { latency_ms: 25, latency_jitter_ms: 15, latency_distribution: "uniform" } as const;
const TALKOVER_TOKEN = "talq_test_token";

/** A name no other run uses: `<prefix>-<8 hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * The entry point of a declared app dependency. The apps export their library (dist/index.js)
 * and keep main.js beside it; resolving through the package keeps the dependency declared.
 */
function appMain(pkg: string): string {
  return fileURLToPath(new URL("main.js", import.meta.resolve(pkg)));
}

export interface TopicNames {
  readonly CALL_REQUESTS_TOPIC: string;
  readonly DLQ_TOPIC: string;
  readonly CALL_RESULTS_TOPIC: string;
}

export interface Broker {
  readonly brokers: string;
  /** Set only when this run started the broker: only then may it stall it. */
  readonly pid: number | undefined;
}

export async function provideBroker(config: ProveConfig, resources: StartedResources, log: ProgressLog): Promise<Broker> {
  if (config.kafkaBrokers) return { brokers: config.kafkaBrokers, pid: undefined };
  const name = uniqueName("prove-dashboards");
  resources.ownKafkaInstance(name);
  log(`starting Kafka (${name})`);
  const instance = await startKafka({ name, env: config.env, fresh: true });
  return { brokers: instance.brokers, pid: instance.started ? instance.pid : undefined };
}

export function runTopics(runId: string): TopicNames {
  return {
    CALL_REQUESTS_TOPIC: `${runId}.call-requests.v1`,
    DLQ_TOPIC: `${runId}.call-requests.v1.dlq`,
    CALL_RESULTS_TOPIC: `${runId}.call-results.v1`,
  };
}

/**
 * Creates the topics before the apps start: a broker that has just started answers slowly, and
 * an app whose first metadata request times out exits.
 */
export async function createTopics(brokers: string, topics: TopicNames): Promise<KafkaClient> {
  const kafka = new KafkaClient({
    brokers: [brokers],
    clientId: "prove-dashboards",
    logger: createLogger({ name: "prove", level: "silent" }),
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureCatalogTopics(["callRequests", "callRequestsDlq", "callResults"], {
    names: { callRequests: topics.CALL_REQUESTS_TOPIC, callRequestsDlq: topics.DLQ_TOPIC, callResults: topics.CALL_RESULTS_TOPIC },
    partitions: 6,
  });
  await admin.disconnect();
  return kafka;
}

export interface Ports {
  readonly sim: number;
  readonly ingest: number;
  readonly ingestMetrics: number;
  readonly worker: number;
  readonly prometheus: number;
}

export async function freePorts(): Promise<Ports> {
  const [sim, ingest, ingestMetrics, worker, prometheus] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
  if (prometheus === undefined || sim === undefined || ingest === undefined || ingestMetrics === undefined || worker === undefined) {
    throw new Error("could not find five free ports");
  }
  return { sim, ingest, ingestMetrics, worker, prometheus };
}

export interface AppUrls {
  readonly sim: string;
  readonly ingest: string;
  readonly worker: string;
}

/**
 * Starts the simulator and the ingest and waits for both, then starts the worker without
 * waiting for it (the caller starts Prometheus meanwhile and then waits for the worker).
 */
export async function startApps(
  resources: StartedResources,
  ports: Ports,
  broker: Broker,
  topics: TopicNames,
  runId: string,
): Promise<AppUrls> {
  const urls = {
    sim: `http://127.0.0.1:${ports.sim}`,
    ingest: `http://127.0.0.1:${ports.ingest}`,
    worker: `http://127.0.0.1:${ports.worker}`,
  };
  resources.start("talkover-sim", process.execPath, [appMain("@callbridge/talkover-sim")], {
    PORT: String(ports.sim),
    LOG_LEVEL: "warn",
    SIM_LATENCY_MS: String(SIM_BASE_LATENCY.latency_ms),
    SIM_LATENCY_JITTER_MS: String(SIM_BASE_LATENCY.latency_jitter_ms),
    SIM_LATENCY_DISTRIBUTION: SIM_BASE_LATENCY.latency_distribution,
    SIM_CALL_QUEUED_MS: "3000",
    SIM_CALL_ACTIVE_MS: "3000",
  });
  resources.start("ingest", process.execPath, [appMain("@callbridge/ingest")], {
    KAFKA_BROKERS: broker.brokers,
    LOG_LEVEL: "warn",
    SHUTDOWN_TIMEOUT_MS: "3000",
    CALL_REQUESTS_TOPIC: topics.CALL_REQUESTS_TOPIC,
    DLQ_TOPIC: topics.DLQ_TOPIC,
    PORT: String(ports.ingest),
    METRICS_PORT: String(ports.ingestMetrics),
  });
  await resources.waitForHttp("talkover-sim", `${urls.sim}/_sim/health`);
  await resources.waitForHttp("ingest", `${urls.ingest}/readyz`);
  const policyFile = join(resources.tmp, "recipient-policy.yaml");
  writeFileSync(policyFile, proofRecipientPolicy(Date.now()));
  resources.start("worker", process.execPath, [appMain("@callbridge/worker")], {
    RECIPIENT_POLICY_FILE: policyFile,
    KAFKA_BROKERS: broker.brokers,
    KAFKA_GROUP_ID: `${runId}-worker`,
    ...topics,
    PORT: String(ports.worker),
    LOG_LEVEL: "warn",
    TALKOVER_BASE_URL: urls.sim,
    TALKOVER_API_TOKEN: TALKOVER_TOKEN,
    RATE_LIMIT_PER_SECOND: "12",
    RATE_LIMIT_BURST: "4",
    MAX_CONCURRENT_CALLS: "8",
    BACKOFF_BASE_MS: "200",
    BACKOFF_MAX_MS: "2000",
    RETRY_AFTER_MAX_MS: "2000",
    LAG_INTERVAL_MS: "2000",
    COMMIT_INTERVAL_MS: "500",
    SHUTDOWN_TIMEOUT_MS: "3000",
    // The paused campaign's parked requests expire within the run (parked_expired letters for the
    // "Parked requests dead-lettered" panel and CallbridgeParkedExpiring).
    PARK_MAX_AGE_MS: "20000",
  });
  return urls;
}
