// Per-unit costs of the whole pipeline, for the capacity model in docs/capacity.md: the
// simulator, one ingest and one worker (the built apps, as processes), each with a Redis of its
// own, on a broker this bench starts and deletes. Signed webhooks go in at a fixed rate until
// every accepted one is placed; then, per accepted webhook or placed call: CPU of the ingest,
// the worker and the broker (from /proc), their memory, the Redis commands (INFO commandstats,
// those inside Lua scripts included), Redis CPU and memory, and the Kafka bytes per request.
// The recipient guard is on (a policy open all day, so the hour does not matter) and off, in
// alternating runs; a third run per round drains a backlog at full speed, where the worker
// batches more per Redis script. CPU time is measured, not wall time: the machine may be shared.
// Usage: pnpm --filter @callbridge/bench capacity
//   CAPACITY_RATE=200 CAPACITY_SECONDS=30 CAPACITY_ROUNDS=3 CAPACITY_LATENCY_MS=100
//   CAPACITY_DRAIN=on CAPACITY_DRAIN_FILL_RATE=500
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { deleteKafkaInstance, startKafka, uniqueName } from "@callbridge/test-infra";
import { type Sim, startSim } from "../worker/scenarios.js";
import { type DrainFigures, measureDrain } from "./drain.js";
import { type Broker, type Load, measureRun, median, type RunFigures } from "./measure.js";
import { startPipeline } from "./pipeline.js";
import { commandsPerUnit, compactJson, round, summarise, table, type UnitFigures, unitFigures } from "./report.js";

const env = process.env;
const LOAD: Load = {
  perSecond: Number(env.CAPACITY_RATE ?? 200),
  seconds: Number(env.CAPACITY_SECONDS ?? 30),
  idleSeconds: Number(env.CAPACITY_IDLE_SECONDS ?? 10),
};
const ROUNDS = Number(env.CAPACITY_ROUNDS ?? 3);
const LATENCY_MS = Number(env.CAPACITY_LATENCY_MS ?? 100);
const DRAIN = (env.CAPACITY_DRAIN ?? "on") === "on";
/** Webhooks a second while filling the backlog for the drain (as many as a steady run sends in all). */
const DRAIN_FILL_RATE = Number(env.CAPACITY_DRAIN_FILL_RATE ?? 500);
const GUARDS = ["on", "off"] as const;
type Guard = (typeof GUARDS)[number];
/**
 * The worker as it would run: a global bucket well above the offered rate (so the GCRA script
 * runs for every call but never holds one back) and room for the calls in flight (rate ×
 * latency = 20 at the defaults). Draining, room for 2,000 calls/s at 100 ms.
 */
const WORKER_ENV = { RATE_LIMIT_PER_SECOND: "1000", MAX_CONCURRENT_CALLS: "64" };
const DRAIN_WORKER_ENV = { RATE_LIMIT_PER_SECOND: "5000", MAX_CONCURRENT_CALLS: "200" };

const log = (line: string) => console.error(`[bench capacity] ${line}`);

interface Measured {
  readonly guard: Guard;
  readonly figures: RunFigures;
  readonly units: UnitFigures;
}

async function main(): Promise<void> {
  const kafkaName = uniqueName("bench-capacity");
  const kafka = await startKafka({ name: kafkaName, env, fresh: true });
  const broker: Broker = { brokers: kafka.brokers, pid: kafka.pid, dataDir: kafka.dataDir };
  const { sim, stop: stopSim } = await startSim(LATENCY_MS);
  try {
    const runs: Measured[] = [];
    const drains: DrainFigures[] = [];
    for (let roundNo = 1; roundNo <= ROUNDS; roundNo++) {
      for (const guard of GUARDS) runs.push(await measureOne(broker, sim, guard, roundNo));
      if (DRAIN) drains.push(await drainOne(broker, sim, roundNo));
    }
    const report = buildReport(runs, drains);
    const dir = fileURLToPath(new URL("../results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/capacity.json`, `${compactJson(report)}\n`);
    console.log(table(Object.fromEntries(GUARDS.map((guard) => [`guard ${guard}`, report.settings[`guard_${guard}`]?.figures ?? {}]))));
    if (report.drain) console.log(`\ndraining a backlog, guard on (median of ${drains.length}): ${JSON.stringify(report.drain.median)}`);
  } finally {
    await stopSim();
    await deleteKafkaInstance({ name: kafkaName, env });
  }
}

async function measureOne(broker: Broker, sim: Sim, guard: Guard, roundNo: number): Promise<Measured> {
  await sim.reset();
  const pipeline = await startPipeline({ brokers: broker.brokers, simUrl: sim.url, recipientGuard: guard });
  try {
    const worker = await pipeline.startWorker(WORKER_ENV);
    const figures = await measureRun(pipeline, worker, broker, LOAD, () => sim.calls());
    const units = unitFigures(figures);
    log(`round ${roundNo}, guard ${guard}: ${JSON.stringify(units)}`);
    if (Object.keys(figures.sent.refused).length > 0) log(`  refused tries: ${JSON.stringify(figures.sent.refused)}`);
    return { guard, figures, units };
  } finally {
    await pipeline.stop();
  }
}

async function drainOne(broker: Broker, sim: Sim, roundNo: number): Promise<DrainFigures> {
  await sim.reset();
  const pipeline = await startPipeline({ brokers: broker.brokers, simUrl: sim.url, recipientGuard: "on" });
  try {
    const fill = { perSecond: DRAIN_FILL_RATE, seconds: (LOAD.perSecond * LOAD.seconds) / DRAIN_FILL_RATE, prefix: uniqueName("drain") };
    const figures = await measureDrain(pipeline, fill, DRAIN_WORKER_ENV, () => sim.calls());
    const { redisCalls: _, ...shown } = figures;
    log(`round ${roundNo}, drain: ${JSON.stringify(Object.fromEntries(Object.entries(shown).map(([k, v]) => [k, round(v, 4)])))}`);
    return figures;
  } finally {
    await pipeline.stop();
  }
}

function buildReport(runs: readonly Measured[], drains: readonly DrainFigures[]) {
  const settings: Record<string, { figures: ReturnType<typeof summarise> } & Record<string, unknown>> = {};
  for (const guard of GUARDS) {
    const mine = runs.filter((run) => run.guard === guard);
    const perUnit = (pick: (run: Measured) => { calls: Record<string, number>; units: number }) => commandsPerUnit(mine.map(pick));
    settings[`guard_${guard}`] = {
      runs: mine.length,
      figures: summarise(mine.map((run) => run.units)),
      worker_redis_commands_per_call: perUnit((run) => ({ calls: run.figures.workerRedis.calls, units: run.figures.placed })),
      ingest_redis_commands_per_webhook: perUnit((run) => ({ calls: run.figures.ingestRedis.calls, units: run.figures.sent.accepted })),
      worker_redis_keys_at_end: mine.at(-1)?.figures.workerRedis.keysByKind,
      ingest_redis_keys_at_end: mine.at(-1)?.figures.ingestRedis.keysByKind,
      refused_tries: mine.map((run) => run.figures.sent.refused),
    };
  }
  return {
    bench: "capacity",
    at: new Date().toISOString(),
    machine: `${hostname()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), shared with other work`,
    load: { per_second: LOAD.perSecond, seconds: LOAD.seconds, idle_seconds: LOAD.idleSeconds },
    api_latency_ms: LATENCY_MS,
    worker_env: WORKER_ENV,
    units:
      "ingest_* and ingest_redis_*: per accepted webhook; worker_* and worker_redis_*: per placed call; requests_*, results_*, broker_*: per request",
    settings,
    drain: drains.length === 0 ? undefined : drainReport(drains),
  };
}

function drainReport(drains: readonly DrainFigures[]) {
  const pick = (f: (d: DrainFigures) => number, digits = 3) => round(median(drains.map(f)), digits);
  return {
    worker_env: DRAIN_WORKER_ENV,
    runs: drains.map(({ redisCalls: _, ...rest }) => Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, round(v, 4)]))),
    median: {
      fill_per_second: DRAIN_FILL_RATE,
      ingest_cpu_ms_per_webhook: pick((d) => d.ingestCpuMsPerWebhook),
      ingest_redis_cpu_ms_per_webhook: pick((d) => d.ingestRedisCpuMsPerWebhook, 4),
      calls_per_second: pick((d) => d.callsPerSecond, 0),
      worker_cpu_ms_per_call: pick((d) => d.workerCpuMsPerCall),
      redis_commands_per_call: pick((d) => d.redisCommandsPerCall, 2),
      redis_scripts_per_call: pick((d) => d.redisScriptsPerCall, 3),
      redis_cpu_ms_per_call: pick((d) => d.redisCpuMsPerCall, 4),
    },
    redis_commands_per_call: commandsPerUnit(drains.map((d) => ({ calls: d.redisCalls, units: d.backlog }))),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
