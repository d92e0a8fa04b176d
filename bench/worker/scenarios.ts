// One run of each thing the worker benchmark measures. Every process here (simulator, worker,
// raw loop) is one this benchmark started; it stops them by their handle.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KafkaClient } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { uniqueName } from "@callbridge/test-infra";
import { cpuMs, peakRssBytes } from "../support/proc-stats.js";
import { freePort, startNode, stop, waitForHttp } from "../support/processes.js";

const TOKEN = "talq_test_token";
/** Seconds of a rate run before the measured ones. */
const WARM_UP_SECONDS = 15;
const logger = createLogger({ name: "bench", level: "silent" });
/** This checkout's worker build. */
export const CURRENT_WORKER_MAIN = fileURLToPath(new URL("../../apps/worker/dist/main.js", import.meta.url));
const simEntry = fileURLToPath(new URL("../../apps/talkover-sim/dist/main.js", import.meta.url));
const rawLoopEntry = fileURLToPath(new URL("./raw-loop.ts", import.meta.url));

export interface Sim {
  readonly url: string;
  calls(): Promise<number>;
  timeline(): Promise<number[]>;
  reset(): Promise<void>;
}

/** The simulator in its own process, with a fixed latency and calls that never complete (no 409s in the way). */
export async function startSim(latencyMs: number): Promise<{ sim: Sim; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = startNode([simEntry], {
    PORT: String(port),
    LOG_LEVEL: "warn",
    SIM_LATENCY_MS: String(latencyMs),
    SIM_CALL_QUEUED_MS: "86400000",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/_sim/health`);
  const sim: Sim = {
    url,
    calls: async () => ((await (await fetch(`${url}/_sim/stats`)).json()) as { calls: number }).calls,
    timeline: async () => ((await (await fetch(`${url}/_sim/timeline`)).json()) as { accepted_ms: number[] }).accepted_ms,
    reset: async () => void (await fetch(`${url}/_sim/reset`, { method: "POST" })),
  };
  return { sim, stop: () => stop(child) };
}

export interface Throughput {
  readonly callsPerSecond: number;
  /** CPU the measured process spent per placed call, ms. */
  readonly cpuMsPerCall: number;
}

/** The baseline: `concurrency` loops of createCampaignCall for `seconds`, in a process of its own. */
export async function rawLoop(sim: Sim, concurrency: number, seconds: number): Promise<Throughput> {
  await sim.reset();
  const child = spawn(process.execPath, ["--import", "tsx", rawLoopEntry], {
    env: { ...process.env, SIM_URL: sim.url, CONCURRENCY: String(concurrency), SECONDS: String(seconds) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`the raw loop exited with ${code}`);
  const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { calls: number; seconds: number; cpu_ms: number };
  return { callsPerSecond: result.calls / result.seconds, cpuMsPerCall: result.cpu_ms / result.calls };
}

/** Writes `count` call requests keyed as the ingest keys them, to a new topic. */
async function produce(brokers: string, topic: string, partitions: number, count: number): Promise<void> {
  const kafka = new KafkaClient({ brokers: [brokers], clientId: "bench-producer", logger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.ensureTopics([{ name: topic, partitions, retentionMs: 3_600_000 }]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const now = new Date().toISOString();
  // Numbers differ from run to run: the recipient guard's cap (3 per 24 h, counted in the Redis
  // the runs share) would otherwise defer a number's fourth call.
  const base = Math.floor(Math.random() * (7_999_999 - count));
  for (let i = 0; i < count; i += 1000) {
    const records = Array.from({ length: Math.min(1000, count - i) }, (_, j) => {
      const n = i + j;
      const to = `+1646${2_000_000 + base + n}`;
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

/**
 * The recipient guard runs in full (the number's zones, the window, the counted calls) with a
 * window open all day, so the hour of the run does not decide what is measured.
 * BENCH_RECIPIENT_GUARD=off measures without it, for the side-by-side figure in docs/benchmarks.md.
 */
const ALL_DAY_POLICY = join(mkdtempSync(join(tmpdir(), "bench-policy-")), "recipient-policy.yaml");
writeFileSync(
  ALL_DAY_POLICY,
  'kind: recipient-policy\nversion: 1\ncalling_window:\n  hours: [{ days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "24:00" }]\n',
);

function workerEnv(brokers: string, sim: Sim, topic: string, extra: Record<string, string>): Record<string, string> {
  return {
    RECIPIENT_GUARD: process.env.BENCH_RECIPIENT_GUARD ?? "on",
    RECIPIENT_POLICY_FILE: ALL_DAY_POLICY,
    KAFKA_BROKERS: brokers,
    KAFKA_GROUP_ID: uniqueName("bench-worker"),
    CALL_REQUESTS_TOPIC: topic,
    DLQ_TOPIC: `${topic}.dlq`,
    CALL_RESULTS_TOPIC: `${topic}.results`,
    TALKOVER_BASE_URL: sim.url,
    TALKOVER_API_TOKEN: TOKEN,
    LOG_LEVEL: "warn",
    LAG_INTERVAL_MS: "60000",
    ...extra,
  };
}

/** Polls the simulator every 100 ms until `done` says so (or fails after `timeoutMs`). */
async function watch<T>(sim: Sim, done: (calls: number, at: number) => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = done(await sim.calls(), performance.now());
    if (result !== undefined) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`only ${await sim.calls()} calls placed in time`);
}

/**
 * The worker with no rate limit, `concurrency` calls at once, draining `count` pre-produced
 * requests: its steady throughput (between 10% and 90% of them) and its CPU per call there.
 * `main` runs another build (another checkout's `apps/worker/dist/main.js`), with `nodeArgs`
 * and extra `env` (such as OTEL_* variables) over the bench's own.
 */
export async function workerThroughput(
  brokers: string,
  sim: Sim,
  options: {
    partitions: number;
    count: number;
    concurrency: number;
    redisUrl?: string;
    main?: string;
    nodeArgs?: readonly string[];
    env?: Readonly<Record<string, string>>;
  },
): Promise<Throughput> {
  await sim.reset();
  const topic = uniqueName(`bench-${options.partitions}p`);
  await produce(brokers, topic, options.partitions, options.count);
  const worker = startNode([...(options.nodeArgs ?? []), options.main ?? CURRENT_WORKER_MAIN], {
    ...workerEnv(brokers, sim, topic, {
      PORT: String(await freePort()),
      RATE_LIMIT_PER_SECOND: "0",
      MAX_CONCURRENT_CALLS: String(options.concurrency),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...options.env,
    }),
  });
  const pid = worker.pid as number;
  try {
    let low: { calls: number; at: number; cpu: number } | undefined;
    return await watch(
      sim,
      (calls, at) => {
        if (!low && calls >= options.count * 0.1) low = { calls, at, cpu: cpuMs(pid) };
        if (!low || calls < options.count * 0.9) return undefined;
        const placed = calls - low.calls;
        return { callsPerSecond: (placed / (at - low.at)) * 1000, cpuMsPerCall: (cpuMs(pid) - low.cpu) / placed };
      },
      300_000,
    );
  } finally {
    await stop(worker);
  }
}

export interface RateRun {
  readonly replicas: number;
  readonly configured_rate: number;
  readonly burst: number;
  readonly observed_rate: number;
  readonly achieved_ratio: number;
  readonly deviation_percent: number;
  readonly busiest_1s_window: number;
  readonly allowed_1s_window: number;
}

/** `replicas` workers sharing one rate (through Redis when given) over `seconds`: the rate the API saw. */
export async function limiterRate(
  brokers: string,
  sim: Sim,
  options: { replicas: number; rate: number; burst: number; seconds: number; concurrency: number; redisUrl?: string },
): Promise<RateRun> {
  await sim.reset();
  const topic = uniqueName(`bench-limit-${options.replicas}`);
  // Enough for the warm-up, the measured seconds and some to spare, so the bucket never runs dry of work.
  await produce(brokers, topic, 12, Math.ceil(options.rate * (WARM_UP_SECONDS + options.seconds + 10)));
  const group = uniqueName("bench-limiter");
  const workers = [];
  for (let i = 0; i < options.replicas; i++) {
    workers.push(
      startNode([CURRENT_WORKER_MAIN], {
        ...workerEnv(brokers, sim, topic, {
          KAFKA_GROUP_ID: group,
          PORT: String(await freePort()),
          RATE_LIMIT_PER_SECOND: String(options.rate),
          RATE_LIMIT_BURST: String(options.burst),
          MAX_CONCURRENT_CALLS: String(options.concurrency),
          ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
        }),
      }),
    );
  }
  try {
    const deadline = Date.now() + (WARM_UP_SECONDS + options.seconds + 90) * 1000;
    let times: number[] = [];
    while (Date.now() < deadline) {
      times = await sim.timeline();
      const first = times[0];
      if (first !== undefined && (times.at(-1) ?? 0) - first >= (WARM_UP_SECONDS + options.seconds + 1) * 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const first = times[0] ?? 0;
    // The sustained rate: skip the warm-up (replicas joining, and the full bucket's burst, which
    // GCRA lets a slow starter spend over many seconds), then count `seconds`.
    const from = first + WARM_UP_SECONDS * 1000;
    const to = from + options.seconds * 1000;
    const observed = times.filter((t) => t >= from && t < to).length / options.seconds;
    let busiest = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= 1000) start++;
      busiest = Math.max(busiest, end - start + 1);
    }
    return {
      replicas: options.replicas,
      configured_rate: options.rate,
      burst: options.burst,
      observed_rate: round(observed),
      achieved_ratio: round(observed / options.rate, 3),
      deviation_percent: round(((observed - options.rate) / options.rate) * 100),
      busiest_1s_window: busiest,
      allowed_1s_window: options.rate + options.burst,
    };
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
  }
}

export interface BacklogRun {
  readonly backlog: number;
  /** From starting the worker process to the first call the API accepted, ms. */
  readonly firstCallMs: number;
  /** The worker's peak resident memory while draining the whole backlog, bytes. */
  readonly peakRssBytes: number;
}

/** A worker at its defaults (no rate limit) started on a backlog of `count`: time to the first call, peak memory. */
export async function backlog(brokers: string, sim: Sim, count: number): Promise<BacklogRun> {
  await sim.reset();
  const topic = uniqueName("bench-backlog");
  await produce(brokers, topic, 12, count);
  const startedAt = Date.now();
  const worker = startNode([CURRENT_WORKER_MAIN], {
    ...workerEnv(brokers, sim, topic, { PORT: String(await freePort()), RATE_LIMIT_PER_SECOND: "0", MAX_CONCURRENT_CALLS: "32" }),
  });
  const pid = worker.pid as number;
  try {
    let peak = 0;
    await watch(
      sim,
      (calls) => {
        peak = Math.max(peak, peakRssBytes(pid));
        return calls >= count ? true : undefined;
      },
      600_000,
    );
    const first = (await sim.timeline())[0] ?? Number.NaN;
    return { backlog: count, firstCallMs: first - startedAt, peakRssBytes: Math.max(peak, peakRssBytes(pid)) };
  } finally {
    await stop(worker);
  }
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
