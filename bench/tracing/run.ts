// What tracing costs (issue 16: "no measurable cost when off, and when on, sampling all, the
// ingest and the worker lose at most 15% of their throughput"), three builds side by side in
// rounds whose order rotates (these machines are noisy: only the ratios count):
//   before  the build before tracing existed (BENCH_BEFORE_REF, checked out, installed and built
//           in a temporary git worktree outside the repository, removed afterwards);
//   off     this checkout's build (run `pnpm build` first), no OTEL_* set;
//   on      this build with OTEL_EXPORTER_OTLP_ENDPOINT at a local OTLP/HTTP sink that answers
//           200 and keeps nothing (a process of its own, its CPU not counted): every span sampled.
// The ingest: accepted webhooks/s at saturation (bench/ingest's load generator) and CPU-ms per
// accepted webhook, on new processes each round. The worker: calls/s draining a backlog with no
// rate limit against the simulator (bench/worker's workerThroughput) and CPU-ms per placed call.
// Each round prints OFF/BEFORE and ON/OFF; the report has the medians and the rounds' spread.
// Usage: pnpm --filter @callbridge/bench tracing   (its own broker, simulator and sink)
//   BENCH_ROUNDS=5; BENCH_ONLY=ingest or worker;
//   ingest: BENCH_DURATION_S=10 BENCH_WARM_UP_S=10 BENCH_CONNECTIONS=32;
//   worker: BENCH_WORKER_REQUESTS=12000 BENCH_CONCURRENCY=32 BENCH_PARTITIONS=12 BENCH_LATENCY_MS=20;
//   BENCH_BEFORE_REF=79ee834, or BENCH_BEFORE_DIR=<a built checkout> to use that one instead;
//   BENCH_ON_ENV="OTEL_TRACES_SAMPLER=always_off ..." settings added to the traced runs only;
//   BENCH_TRACING_PROFILE_DIR=/tmp/prof runs every app process with --cpu-prof (which slows it).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, hostname, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { deleteKafkaInstance, startKafka, uniqueName } from "@callbridge/test-infra";
import { CURRENT_INGEST_MAIN } from "../ingest/ingest-process.js";
import { CURRENT_WORKER_MAIN, startSim } from "../worker/scenarios.js";
import { beforeCheckout } from "./before-build.js";
import { buildFingerprint } from "./build-fingerprint.js";
import { ingestBench } from "./ingest-rounds.js";
import { type Sink, startSink } from "./sink.js";
import { parseEnvList, profileArgs, type Setups } from "./variants.js";
import { workerBench } from "./worker-rounds.js";

const env = process.env;
const ROUNDS = Math.max(3, Number(env.BENCH_ROUNDS ?? 5));
const ONLY = new Set((env.BENCH_ONLY ?? "ingest,worker").split(","));
const DURATION_S = Number(env.BENCH_DURATION_S ?? 10);
const WARM_UP_S = Number(env.BENCH_WARM_UP_S ?? 10);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 32);
const WORKER_REQUESTS = Number(env.BENCH_WORKER_REQUESTS ?? 12_000);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 32);
const PARTITIONS = Number(env.BENCH_PARTITIONS ?? 12);
const LATENCY_MS = Number(env.BENCH_LATENCY_MS ?? 20);
/** The last commit before tracing. */
const BEFORE_REF = env.BENCH_BEFORE_REF ?? "79ee834";
const ON_ENV = parseEnvList(env.BENCH_ON_ENV);
const PROFILE_DIR = env.BENCH_TRACING_PROFILE_DIR;
const REPO = fileURLToPath(new URL("../../", import.meta.url));

const log = (line: string) => console.error(`[bench tracing] ${line}`);

/** The apps inherit the bench's environment: an OTEL_* variable there would trace the "before" and "off" runs. */
function clearOtelEnv(): string[] {
  const names = Object.keys(env).filter((name) => name.startsWith("OTEL_"));
  for (const name of names) delete env[name];
  return names;
}

function setupsFor(app: "ingest" | "worker", before: string, current: string, sink: Sink): Setups {
  return {
    before: { main: before, env: {}, nodeArgs: profileArgs(PROFILE_DIR, app, "before") },
    off: { main: current, env: {}, nodeArgs: profileArgs(PROFILE_DIR, app, "off") },
    on: { main: current, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, ...ON_ENV }, nodeArgs: profileArgs(PROFILE_DIR, app, "on") },
  };
}

function gitText(args: string[]): string {
  return execFileSync("git", args, { cwd: REPO, encoding: "utf8" }).trim();
}

async function main(): Promise<void> {
  const cleared = clearOtelEnv();
  if (cleared.length > 0) log(`ignoring ${cleared.join(", ")}: BENCH_ON_ENV gives settings to the traced runs`);
  const startedAt = Date.now();
  const current = {
    head: gitText(["rev-parse", "--short", "HEAD"]),
    build: buildFingerprint(),
    uncommitted_files_in_apps_and_packages: gitText(["status", "--porcelain", "--", "apps", "packages"]).split("\n").filter(Boolean).length,
  };
  const report: Record<string, unknown> = {
    bench: "tracing",
    at: new Date().toISOString(),
    machine: `${hostname()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"})`,
    node: process.version,
    load_average_at_start: loadavg().map((l) => Number(l.toFixed(1))),
    current,
    rounds: ROUNDS,
    on_env: { OTEL_EXPORTER_OTLP_ENDPOINT: "<the sink>", ...ON_ENV },
    profiled: PROFILE_DIR ?? false,
  };
  const before = beforeCheckout(BEFORE_REF, env.BENCH_BEFORE_DIR, log);
  report.before = { ref: BEFORE_REF, commit: before.commit.slice(0, 7), dir: before.dir };
  const kafkaName = uniqueName("bench-tracing");
  const cleanups: (() => Promise<void>)[] = [async () => before.remove()];
  try {
    const { brokers } = await startKafka({ name: kafkaName, env, fresh: true });
    cleanups.unshift(() => deleteKafkaInstance({ name: kafkaName, env }));
    const sink = await startSink();
    cleanups.unshift(() => sink.stop());
    if (ONLY.has("ingest")) {
      log(
        `ingest: ${ROUNDS} rounds, each starting the builds anew: ${WARM_UP_S} s of warm-up, then ${DURATION_S} s each, ${CONNECTIONS} connections`,
      );
      report.ingest = {
        duration_s: DURATION_S,
        warm_up_s: WARM_UP_S,
        connections: CONNECTIONS,
        ...(await ingestBench({
          brokers,
          setups: setupsFor("ingest", before.ingestMain, CURRENT_INGEST_MAIN, sink),
          sink,
          rounds: ROUNDS,
          seconds: DURATION_S,
          warmUpSeconds: WARM_UP_S,
          connections: CONNECTIONS,
          log,
        })),
      };
    }
    if (ONLY.has("worker")) {
      const { sim, stop: stopSim } = await startSim(LATENCY_MS);
      cleanups.unshift(stopSim);
      log(`worker: ${ROUNDS} rounds, each build draining ${WORKER_REQUESTS} requests on ${PARTITIONS} partitions, ${CONCURRENCY} at once`);
      report.worker = {
        requests: WORKER_REQUESTS,
        concurrency: CONCURRENCY,
        partitions: PARTITIONS,
        api_latency_ms: LATENCY_MS,
        ...(await workerBench({
          brokers,
          sim,
          setups: setupsFor("worker", before.workerMain, CURRENT_WORKER_MAIN, sink),
          sink,
          rounds: ROUNDS,
          requests: WORKER_REQUESTS,
          concurrency: CONCURRENCY,
          partitions: PARTITIONS,
          log,
        })),
      };
    }
    report.load_average_at_end = loadavg().map((l) => Number(l.toFixed(1)));
    const buildAtEnd = buildFingerprint();
    report.current_build_changed_during_run = buildAtEnd !== current.build;
    if (report.current_build_changed_during_run)
      log("WARNING: this checkout's dist folders changed during the run (someone rebuilt): the OFF and ON figures may mix two builds");
    report.minutes = Number(((Date.now() - startedAt) / 60_000).toFixed(1));
    writeReport(report);
  } finally {
    for (const cleanup of cleanups) {
      await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
    }
  }
}

/** Writes bench/results/tracing.json and prints the same report. */
function writeReport(report: Record<string, unknown>): void {
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/tracing.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
