// Ingest cost per webhook against a bare Express server doing the same body read, signature
// check and JSON parse without Kafka, side by side in alternating rounds (this machine is noisy:
// only ratios mean anything): req/s and the CPU each server process spent per accepted webhook
// (from /proc), then the ingest's p99 at half of the bare server's throughput.
// Usage: pnpm --filter @callbridge/bench ingest   (KAFKA_BROKERS to use your own broker;
// BENCH_INGEST_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the ingest, BENCH_BARE_NODE_ARGS the bare server;
// BENCH_INGEST_MAIN=<other checkout>/apps/ingest/dist/main.js to measure another build)
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { deleteKafkaInstance, startKafka, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS } from "@callbridge/webhook-samples";
import { freePort, startNode, stop, waitForHttp } from "../support/processes.js";
import { CURRENT_INGEST_MAIN, type IngestProcess, startIngest } from "./ingest-process.js";
import { type LoadOptions, type Measured, measure } from "./load.js";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/**
 * Seconds of load on each server before the rounds: the JIT of both, and the broker's (a round
 * right after a cold start measured the ingest about 15% dearer than the rounds after it).
 */
const WARM_UP_S = Number(process.env.BENCH_WARM_UP_S ?? 10);
/** The ingest build to measure; another checkout's `apps/ingest/dist/main.js` measures a before. */
const INGEST_MAIN = process.env.BENCH_INGEST_MAIN ?? CURRENT_INGEST_MAIN;
const INGEST_NODE_ARGS = nodeArgs(process.env.BENCH_INGEST_NODE_ARGS);
const BARE_NODE_ARGS = nodeArgs(process.env.BENCH_BARE_NODE_ARGS);
/** Least ingest/bare ratio of CPU efficiency (bare CPU-ms per webhook / ingest CPU-ms per webhook). */
const CPU_RATIO_TARGET = 0.6;

interface Server {
  readonly url: string;
  readonly process: ChildProcess;
}

interface Round {
  readonly bare: Measured;
  readonly ingest: Measured;
  readonly throughput_ratio: number;
  /** Bare CPU-ms per webhook / ingest CPU-ms per webhook: the ingest's CPU efficiency, 1 = as cheap as bare Express. */
  readonly cpu_ratio: number;
}

async function startServers(brokers: string): Promise<{ ingest: IngestProcess; bare: Server }> {
  const barePort = await freePort();
  const ingest = await startIngest({ brokers, main: INGEST_MAIN, nodeArgs: INGEST_NODE_ARGS });
  const bare = startNode([...BARE_NODE_ARGS, "--import", "tsx", fileURLToPath(new URL("./bare-server.ts", import.meta.url))], {
    PORT: String(barePort),
    SECRET: DEV_SECRETS.standardWebhooksSecret,
  });
  return { ingest, bare: { url: `http://127.0.0.1:${barePort}`, process: bare } };
}

function run(server: Server, options: LoadOptions): Promise<Measured> {
  return measure(server.url, server.process.pid as number, options);
}

/** Bare, then ingest, `ROUNDS` times, after a warm-up of each. */
async function alternatingRounds(bare: Server, ingest: Server): Promise<Round[]> {
  const load = { seconds: DURATION_S, connections: CONNECTIONS };
  if (WARM_UP_S > 0) {
    await run(bare, { ...load, seconds: WARM_UP_S });
    await run(ingest, { ...load, seconds: WARM_UP_S });
  }
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const bareRun = await run(bare, load);
    const ingestRun = await run(ingest, load);
    const round = {
      bare: bareRun,
      ingest: ingestRun,
      throughput_ratio: round3(ingestRun.requestsPerSecond / bareRun.requestsPerSecond),
      cpu_ratio: round3(bareRun.cpuMsPerWebhook / ingestRun.cpuMsPerWebhook),
    };
    rounds.push(round);
    console.error(
      `round ${i + 1}: bare ${bareRun.requestsPerSecond.toFixed(0)} req/s ${bareRun.cpuMsPerWebhook.toFixed(3)} CPU-ms/webhook, ` +
        `ingest ${ingestRun.requestsPerSecond.toFixed(0)} req/s ${ingestRun.cpuMsPerWebhook.toFixed(3)} CPU-ms/webhook ` +
        `(non-2xx ${ingestRun.non2xx}); ratios: throughput ${round.throughput_ratio}, CPU ${round.cpu_ratio}`,
    );
  }
  return rounds;
}

/** Records per produce call over the whole run, from the ingest's own histogram. */
async function meanBatchRecords(ingest: IngestProcess): Promise<number> {
  const text = await (await fetch(ingest.metricsUrl)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
  return round3(read("callbridge_ingest_produce_batch_records_sum") / read("callbridge_ingest_produce_batch_records_count"));
}

function report(rounds: readonly Round[], atHalf: Measured, halfLoad: number, batchRecords: number) {
  const bareRps = median(rounds.map((r) => r.bare.requestsPerSecond));
  const ingestRps = median(rounds.map((r) => r.ingest.requestsPerSecond));
  return {
    bench: "ingest",
    at: new Date().toISOString(),
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    duration_s: DURATION_S,
    warm_up_s: WARM_UP_S,
    ingest_main: INGEST_MAIN,
    connections: CONNECTIONS,
    rounds,
    bare_requests_per_second: Math.round(bareRps),
    ingest_requests_per_second: Math.round(ingestRps),
    throughput_ratio: round3(median(rounds.map((r) => r.throughput_ratio))),
    throughput_ratio_of_medians: round3(ingestRps / bareRps),
    bare_cpu_ms_per_webhook: round3(median(rounds.map((r) => r.bare.cpuMsPerWebhook))),
    ingest_cpu_ms_per_webhook: round3(median(rounds.map((r) => r.ingest.cpuMsPerWebhook))),
    cpu_ratio: round3(median(rounds.map((r) => r.cpu_ratio))),
    cpu_ratio_target: CPU_RATIO_TARGET,
    half_load_requests_per_second: halfLoad,
    half_load_achieved_requests_per_second: Math.round(atHalf.requestsPerSecond),
    half_load_cpu_ms_per_webhook: round3(atHalf.cpuMsPerWebhook),
    half_load_p50_ms: atHalf.p50,
    half_load_p99_ms: atHalf.p99,
    half_load_p99_target_ms: 50,
    half_load_non_2xx: atHalf.non2xx,
    mean_produce_batch_records: batchRecords,
  };
}

async function main(): Promise<void> {
  const env = process.env;
  const kafkaName = uniqueName("bench-ingest");
  const brokers = env.KAFKA_BROKERS ?? (await startKafka({ name: kafkaName, env, fresh: true })).brokers;
  const { ingest, bare } = await startServers(brokers);
  try {
    await waitForHttp(`${ingest.url}/readyz`);
    await waitForHttp(`${bare.url}/healthz`);
    const rounds = await alternatingRounds(bare, ingest);
    const halfLoad = Math.round(median(rounds.map((r) => r.bare.requestsPerSecond)) / 2);
    const atHalf = await run(ingest, { seconds: DURATION_S, connections: CONNECTIONS, rate: halfLoad });
    const result = report(rounds, atHalf, halfLoad, await meanBatchRecords(ingest));
    const dir = fileURLToPath(new URL("../results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/ingest.json`, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await stop(ingest.process);
    await stop(bare.process);
    if (!env.KAFKA_BROKERS) await deleteKafkaInstance({ name: kafkaName, env });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function nodeArgs(text: string | undefined): string[] {
  return (text ?? "").split(" ").filter((arg) => arg !== "");
}

function round3(value: number): number {
  return Number(value.toFixed(3));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
