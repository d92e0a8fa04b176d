// Worker benchmarks, each process on its own (simulator, broker, Redis, workers, the raw loop),
// every comparison in at least three alternating rounds with each round's ratio printed (these
// machines are noisy: a single pass once swung 1,386 -> 908 calls/s):
//  (a) throughput with no rate limit against a raw client loop at the same concurrency
//      (target >= 0.9), and the CPU per placed call, without and with Redis (target <= 2x the raw loop's);
//  (b) a 1-partition topic against a 12-partition one (target >= 0.9);
//  (c) the limiter: at 50/s with a burst of 10, the rate the API saw over 30 s within 2% and no
//      1 s window above rate + burst, one worker and three replicas sharing Redis; at 1,000/s,
//      achieved >= 0.95x of the rate, one worker without Redis and three replicas with it;
//  (d) a backlog: peak memory draining 40,000 within 1.3x of draining 2,000 (and of 10,000, long
//      enough for V8's heap to reach its working size), and the first call within 5 s of start.
// Usage: pnpm --filter @callbridge/bench worker   (BENCH_ONLY=a,c,d to pick; BENCH_ROUNDS=3)
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { deleteKafkaInstance, startKafka, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { backlog, limiterRate, rawLoop, round, type Sim, startSim, workerThroughput } from "./scenarios.js";

const env = process.env;
const only = new Set((env.BENCH_ONLY ?? "a,c,d").split(","));
const ROUNDS = Math.max(3, Number(env.BENCH_ROUNDS ?? 3));
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 32);
const LATENCY_MS = Number(env.BENCH_LATENCY_MS ?? 20);
const RAW_SECONDS = Number(env.BENCH_RAW_SECONDS ?? 10);
const WORKER_REQUESTS = Number(env.BENCH_WORKER_REQUESTS ?? 12_000);
const LIMIT_SECONDS = Number(env.BENCH_LIMIT_SECONDS ?? 30);

const log = (line: string) => console.error(`[bench worker] ${line}`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const kafkaName = uniqueName("bench-worker");
  const brokers = env.KAFKA_BROKERS ?? (await startKafka({ name: kafkaName, env, fresh: true })).brokers;
  const redis = await startRedisServer();
  const { sim, stop: stopSim } = await startSim(LATENCY_MS);
  const report: Record<string, unknown> = {
    bench: "worker",
    at: new Date().toISOString(),
    machine: `${hostname()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"})`,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    api_latency_ms: LATENCY_MS,
  };
  try {
    const services: Services = { brokers, sim, redisUrl: redis.url };
    if (only.has("a") || only.has("b")) report.throughput = await benchThroughput(services);
    if (only.has("c")) report.limiter = await benchLimiter(services);
    if (only.has("d")) report.backlog = await benchBacklog(services);
    writeReport(report);
  } finally {
    // The Redis child is unref'd: without a handle of our own the process would exit while waiting for it to stop.
    const keepAlive = setInterval(() => {}, 1_000);
    await stopSim();
    await redis.stop();
    if (!env.KAFKA_BROKERS) await deleteKafkaInstance({ name: kafkaName, env });
    clearInterval(keepAlive);
  }
}

interface Services {
  readonly brokers: string;
  readonly sim: Sim;
  readonly redisUrl: string;
}

/** (a) the worker against the raw loop, with and without Redis; (b) 1 partition against 12. */
async function benchThroughput({ brokers, sim, redisUrl }: Services) {
  const rounds = [];
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    const raw = await rawLoop(sim, CONCURRENCY, RAW_SECONDS);
    const twelve = await workerThroughput(brokers, sim, { partitions: 12, count: WORKER_REQUESTS, concurrency: CONCURRENCY });
    const one = await workerThroughput(brokers, sim, { partitions: 1, count: WORKER_REQUESTS, concurrency: CONCURRENCY });
    const shared = await workerThroughput(brokers, sim, {
      partitions: 12,
      count: WORKER_REQUESTS,
      concurrency: CONCURRENCY,
      redisUrl,
    });
    const row = {
      round: round_,
      raw_calls_per_second: Math.round(raw.callsPerSecond),
      worker_calls_per_second: Math.round(twelve.callsPerSecond),
      worker_1_partition_calls_per_second: Math.round(one.callsPerSecond),
      worker_redis_calls_per_second: Math.round(shared.callsPerSecond),
      worker_vs_raw: round(twelve.callsPerSecond / raw.callsPerSecond, 3),
      one_vs_twelve_partitions: round(one.callsPerSecond / twelve.callsPerSecond, 3),
      raw_cpu_ms_per_call: round(raw.cpuMsPerCall, 3),
      worker_cpu_ms_per_call: round(twelve.cpuMsPerCall, 3),
      worker_redis_cpu_ms_per_call: round(shared.cpuMsPerCall, 3),
      cpu_worker_vs_raw: round(twelve.cpuMsPerCall / raw.cpuMsPerCall, 2),
      cpu_worker_redis_vs_raw: round(shared.cpuMsPerCall / raw.cpuMsPerCall, 2),
    };
    rounds.push(row);
    log(`(a,b) round ${round_}: ${JSON.stringify(row)}`);
  }
  return {
    rounds,
    median_worker_vs_raw: median(rounds.map((r) => r.worker_vs_raw)),
    median_one_vs_twelve_partitions: median(rounds.map((r) => r.one_vs_twelve_partitions)),
    median_cpu_worker_vs_raw: median(rounds.map((r) => r.cpu_worker_vs_raw)),
    median_cpu_worker_redis_vs_raw: median(rounds.map((r) => r.cpu_worker_redis_vs_raw)),
  };
}

/** (c) the rate the API saw at 50/s and 1,000/s, one worker alone and three replicas sharing Redis. */
async function benchLimiter({ brokers, sim, redisUrl }: Services) {
  const runs = [];
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    for (const [replicas, rate, burst, shared] of [
      [1, 50, 10, false],
      [3, 50, 10, true],
      [1, 1000, 1000, false],
      [3, 1000, 1000, true],
    ] as const) {
      const run = await limiterRate(brokers, sim, {
        replicas,
        rate,
        burst,
        seconds: LIMIT_SECONDS,
        concurrency: rate >= 1000 ? 64 : 20,
        ...(shared ? { redisUrl } : {}),
      });
      runs.push({ round: round_, ...run });
      log(`(c) round ${round_}: ${JSON.stringify(run)}`);
    }
  }
  return runs;
}

/** (d) peak memory and time to the first call while draining backlogs of 2,000, 10,000 and 40,000. */
async function benchBacklog({ brokers, sim }: Services) {
  const rounds = [];
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    const small = await backlog(brokers, sim, 2_000);
    const medium = await backlog(brokers, sim, 10_000);
    const large = await backlog(brokers, sim, 40_000);
    const row = {
      round: round_,
      first_call_ms_2k: small.firstCallMs,
      first_call_ms_10k: medium.firstCallMs,
      first_call_ms_40k: large.firstCallMs,
      peak_rss_mb_2k: round(small.peakRssBytes / 2 ** 20, 1),
      peak_rss_mb_10k: round(medium.peakRssBytes / 2 ** 20, 1),
      peak_rss_mb_40k: round(large.peakRssBytes / 2 ** 20, 1),
      peak_rss_40k_vs_2k: round(large.peakRssBytes / small.peakRssBytes, 3),
      peak_rss_40k_vs_10k: round(large.peakRssBytes / medium.peakRssBytes, 3),
    };
    rounds.push(row);
    log(`(d) round ${round_}: ${JSON.stringify(row)}`);
  }
  return {
    rounds,
    median_peak_rss_40k_vs_2k: median(rounds.map((r) => r.peak_rss_40k_vs_2k)),
    median_peak_rss_40k_vs_10k: median(rounds.map((r) => r.peak_rss_40k_vs_10k)),
  };
}

/** Writes bench/results/worker.json and prints the same report. */
function writeReport(report: Record<string, unknown>): void {
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/worker.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
