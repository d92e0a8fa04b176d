// Worker benchmarks (SPEC §7), each against the simulator in its own process:
//  (a) no rate limit, fixed API latency: the worker's throughput against a raw client loop at
//      the same concurrency without Kafka (target >= 0.8);
//  (b) a 1-partition topic against a 12-partition one (target >= 0.8);
//  (c) limiter precision over 30 s at a set rate, one worker and three replicas sharing Redis
//      (observed rate within 2%; no 1 s window above rate + burst).
// Usage: pnpm --filter @callbridge/bench worker   (BENCH_ONLY=a,b,c to pick)
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { KafkaClient } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { TalkoverClient } from "@callbridge/talkover-client";
import { deleteKafkaInstance, startKafka, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { freePort, startNode, stop, waitForHttp } from "../support/processes.js";

const env = process.env;
const only = new Set((env.BENCH_ONLY ?? "a,b,c").split(","));
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 32);
const LATENCY_MS = Number(env.BENCH_LATENCY_MS ?? 20);
const RAW_SECONDS = Number(env.BENCH_RAW_SECONDS ?? 10);
const WORKER_REQUESTS = Number(env.BENCH_WORKER_REQUESTS ?? 12_000);
const LIMIT_RATE = Number(env.BENCH_LIMIT_RATE ?? 50);
const LIMIT_BURST = Number(env.BENCH_LIMIT_BURST ?? 10);
const LIMIT_SECONDS = Number(env.BENCH_LIMIT_SECONDS ?? 30);
const TOKEN = "talq_test_token";
const logger = createLogger({ name: "bench", level: "silent" });
const workerEntry = fileURLToPath(new URL("../../apps/worker/dist/main.js", import.meta.url));

interface Sim {
  readonly url: string;
  stats(): Promise<number>;
  timeline(): Promise<number[]>;
  reset(): Promise<void>;
}

async function startSim(): Promise<{ sim: Sim; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = startNode([fileURLToPath(new URL("../../apps/talkover-sim/dist/main.js", import.meta.url))], {
    PORT: String(port),
    LOG_LEVEL: "warn",
    SIM_LATENCY_MS: String(LATENCY_MS),
    SIM_CALL_QUEUED_MS: "86400000",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/_sim/health`);
  const sim: Sim = {
    url,
    stats: async () => ((await (await fetch(`${url}/_sim/stats`)).json()) as { calls: number }).calls,
    timeline: async () => ((await (await fetch(`${url}/_sim/timeline`)).json()) as { accepted_ms: number[] }).accepted_ms,
    reset: async () => void (await fetch(`${url}/_sim/reset`, { method: "POST" })),
  };
  return { sim, stop: () => stop(child) };
}

/** (a) baseline: CONCURRENCY loops of createCampaignCall, no Kafka. */
async function rawClientLoop(sim: Sim): Promise<number> {
  const client = new TalkoverClient({ baseUrl: sim.url, token: TOKEN, connections: CONCURRENCY });
  let done = 0;
  let n = 0;
  const until = Date.now() + RAW_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        n += 1;
        await client.createCampaignCall("campaign-uuid-1", {
          to: `+1212${String(5_000_000 + n).padStart(7, "0")}`,
          is_testing: true,
          allow_duplicates: true,
        });
        done += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  return done / seconds;
}

async function produce(brokers: string, topic: string, partitions: number, count: number): Promise<void> {
  const kafka = new KafkaClient({ brokers: [brokers], clientId: "bench-producer", logger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureTopics([{ name: topic, partitions, retentionMs: 3_600_000 }]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const now = new Date().toISOString();
  for (let i = 0; i < count; i += 1000) {
    const records = Array.from({ length: Math.min(1000, count - i) }, (_, j) => {
      const n = i + j;
      const to = `+1646${String(1_000_000 + n).padStart(7, "0")}`;
      const request = {
        idempotency_key: `${topic}:${n}`,
        campaign_id: "campaign-uuid-1",
        to,
        is_testing: true,
        allow_duplicates: true,
        source: { kind: "bench", event_id: String(n), route: "bench", received_at: now },
      };
      return { key: `campaign-uuid-1:${to}`, value: JSON.stringify(request) };
    });
    await producer.send(topic, records);
  }
  await producer.disconnect();
}

function workerEnv(brokers: string, topic: string, extra: Record<string, string>): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers,
    KAFKA_GROUP_ID: uniqueName("bench-worker"),
    CALL_REQUESTS_TOPIC: topic,
    DLQ_TOPIC: `${topic}.dlq`,
    CALL_RESULTS_TOPIC: `${topic}.results`,
    TALKOVER_API_TOKEN: TOKEN,
    LOG_LEVEL: "warn",
    MAX_IN_FLIGHT: "2000",
    LAG_INTERVAL_MS: "60000",
    ...extra,
  };
}

/** Steady-state throughput at the simulator: calls between 10% and 90% of `expected`, over the time that took. */
async function measureAtSim(sim: Sim, expected: number, timeoutMs = 300_000): Promise<number> {
  const low = expected * 0.1;
  const high = expected * 0.9;
  let lowAt: { t: number; n: number } | undefined;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const n = await sim.stats();
    const t = performance.now();
    if (!lowAt && n >= low) lowAt = { t, n };
    if (lowAt && n >= high) return ((n - lowAt.n) / (t - lowAt.t)) * 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`only ${await sim.stats()} of ${expected} calls placed in time`);
}

async function workerThroughput(brokers: string, sim: Sim, partitions: number): Promise<number> {
  await sim.reset();
  const topic = uniqueName(`bench-${partitions}p`);
  await produce(brokers, topic, partitions, WORKER_REQUESTS);
  const port = await freePort();
  const worker = startNode([workerEntry], {
    ...workerEnv(brokers, topic, {
      PORT: String(port),
      TALKOVER_BASE_URL: sim.url,
      RATE_LIMIT_PER_SECOND: "0",
      MAX_CONCURRENT_CALLS: String(CONCURRENCY),
    }),
  });
  try {
    return await measureAtSim(sim, WORKER_REQUESTS);
  } finally {
    await stop(worker);
  }
}

/** (c) observed rate over LIMIT_SECONDS and the busiest 1 s window, with `replicas` workers. */
async function limiterPrecision(brokers: string, sim: Sim, replicas: number, redisUrl: string | undefined) {
  await sim.reset();
  const topic = uniqueName(`bench-limit-${replicas}`);
  const total = LIMIT_RATE * (LIMIT_SECONDS + 10);
  await produce(brokers, topic, 12, total);
  const group = uniqueName("bench-limiter");
  const workers = [];
  for (let i = 0; i < replicas; i++) {
    workers.push(
      startNode([workerEntry], {
        ...workerEnv(brokers, topic, {
          KAFKA_GROUP_ID: group,
          PORT: String(await freePort()),
          TALKOVER_BASE_URL: sim.url,
          RATE_LIMIT_PER_SECOND: String(LIMIT_RATE),
          RATE_LIMIT_BURST: String(LIMIT_BURST),
          MAX_CONCURRENT_CALLS: "20",
          ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
        }),
      }),
    );
  }
  try {
    const deadline = Date.now() + (LIMIT_SECONDS + 60) * 1000;
    let times: number[] = [];
    while (Date.now() < deadline) {
      times = await sim.timeline();
      const first = times[0];
      if (first !== undefined && (times.at(-1) ?? 0) - first >= (LIMIT_SECONDS + 3) * 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const first = times[0] ?? 0;
    // Skip the first 2 s (the full bucket's burst), then count LIMIT_SECONDS.
    const from = first + 2_000;
    const to = from + LIMIT_SECONDS * 1000;
    const inWindow = times.filter((t) => t >= from && t < to).length;
    const observed = inWindow / LIMIT_SECONDS;
    let busiest = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= 1000) start++;
      busiest = Math.max(busiest, end - start + 1);
    }
    return {
      replicas,
      configured_rate: LIMIT_RATE,
      burst: LIMIT_BURST,
      observed_rate: Number(observed.toFixed(2)),
      deviation_percent: Number((((observed - LIMIT_RATE) / LIMIT_RATE) * 100).toFixed(2)),
      busiest_1s_window: busiest,
      allowed_1s_window: LIMIT_RATE + LIMIT_BURST,
    };
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
  }
}

async function main(): Promise<void> {
  const kafkaName = uniqueName("bench-worker");
  const brokers = env.KAFKA_BROKERS ?? (await startKafka({ name: kafkaName, env, fresh: true })).brokers;
  const { sim, stop: stopSim } = await startSim();
  const report: Record<string, unknown> = {
    bench: "worker",
    at: new Date().toISOString(),
    cpus: cpus().length,
    concurrency: CONCURRENCY,
    api_latency_ms: LATENCY_MS,
  };
  try {
    if (only.has("a") || only.has("b")) {
      const raw = await rawClientLoop(sim);
      const twelve = await workerThroughput(brokers, sim, 12);
      report.raw_client_calls_per_second = Math.round(raw);
      report.worker_12_partitions_calls_per_second = Math.round(twelve);
      report.worker_vs_raw_ratio = Number((twelve / raw).toFixed(3));
      console.error(`(a) raw ${raw.toFixed(0)}/s, worker ${twelve.toFixed(0)}/s`);
      if (only.has("b")) {
        const one = await workerThroughput(brokers, sim, 1);
        report.worker_1_partition_calls_per_second = Math.round(one);
        report.one_vs_twelve_partitions_ratio = Number((one / twelve).toFixed(3));
        console.error(`(b) 1 partition ${one.toFixed(0)}/s`);
      }
    }
    if (only.has("c")) {
      report.limiter_one_worker = await limiterPrecision(brokers, sim, 1, undefined);
      console.error(`(c) one worker ${JSON.stringify(report.limiter_one_worker)}`);
      const redis = await startRedisServer();
      try {
        report.limiter_three_replicas_redis = await limiterPrecision(brokers, sim, 3, redis.url);
        console.error(`(c) three replicas ${JSON.stringify(report.limiter_three_replicas_redis)}`);
      } finally {
        await redis.stop();
      }
    }
  } finally {
    await stopSim();
    if (!env.KAFKA_BROKERS) await deleteKafkaInstance({ name: kafkaName, env });
  }
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/worker.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
