// One run's processes: an ingest and a worker (the built apps, as deployed), each with a Redis
// server of its own so that each one's Redis work is counted apart, on fresh topics of the
// bench's broker, against the bench's simulator. Every process here is one this bench started.
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type RedisServerProcess, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { freePort, startNode, stop, waitForHttp } from "../support/processes.js";
import { allDayPolicyFile } from "../support/recipient-policy.js";

const ingestEntry = fileURLToPath(new URL("../../apps/ingest/dist/main.js", import.meta.url));
const workerEntry = fileURLToPath(new URL("../../apps/worker/dist/main.js", import.meta.url));
const policyFile = allDayPolicyFile();

export interface PipelineOptions {
  readonly brokers: string;
  readonly simUrl: string;
  readonly recipientGuard: "on" | "off";
}

export interface Pipeline {
  readonly ingestUrl: string;
  readonly ingest: ChildProcess;
  readonly workerRedis: RedisServerProcess;
  readonly ingestRedis: RedisServerProcess;
  readonly topics: { readonly requests: string; readonly results: string };
  /** Starts the worker with these settings (rate limit, concurrency) and waits until it is ready. */
  startWorker(env: Record<string, string>): Promise<ChildProcess>;
  stop(): Promise<void>;
}

/** Two Redis servers and the ingest, ready; the worker comes with `startWorker`. */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const requests = uniqueName("capacity-requests");
  const topics = { requests, results: `${requests}.results`, dlq: `${requests}.dlq` };
  const workerRedis = await startRedisServer();
  const ingestRedis = await startRedisServer();
  const ingestPort = await freePort();
  const ingest = startNode([ingestEntry], {
    KAFKA_BROKERS: options.brokers,
    PORT: String(ingestPort),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: "warn",
    REDIS_URL: ingestRedis.url,
    CALL_REQUESTS_TOPIC: topics.requests,
    DLQ_TOPIC: topics.dlq,
  });
  const workers: ChildProcess[] = [];
  const pipeline: Pipeline = {
    ingestUrl: `http://127.0.0.1:${ingestPort}`,
    ingest,
    workerRedis,
    ingestRedis,
    topics,
    async startWorker(env) {
      const port = await freePort();
      const worker = startNode([workerEntry], {
        KAFKA_BROKERS: options.brokers,
        KAFKA_GROUP_ID: uniqueName("capacity-worker"),
        PORT: String(port),
        LOG_LEVEL: "warn",
        REDIS_URL: workerRedis.url,
        RECIPIENT_GUARD: options.recipientGuard,
        RECIPIENT_POLICY_FILE: policyFile,
        CALL_REQUESTS_TOPIC: topics.requests,
        CALL_RESULTS_TOPIC: topics.results,
        DLQ_TOPIC: topics.dlq,
        TALKOVER_BASE_URL: options.simUrl,
        TALKOVER_API_TOKEN: "talq_test_token",
        ...env,
      });
      workers.push(worker);
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000);
      return worker;
    },
    async stop() {
      // The Redis children are unref'd: a handle of our own keeps the process up while they stop.
      const keepAlive = setInterval(() => {}, 1_000);
      await Promise.allSettled([stop(ingest), ...workers.map((worker) => stop(worker))]);
      await Promise.allSettled([workerRedis.stop(), ingestRedis.stop()]);
      clearInterval(keepAlive);
    },
  };
  try {
    // The ingest creates the requests topic; the worker then finds it (and creates the rest).
    await waitForHttp(`${pipeline.ingestUrl}/readyz`, 60_000);
  } catch (error) {
    await pipeline.stop();
    throw error;
  }
  return pipeline;
}
