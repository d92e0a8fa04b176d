// The worker's part: each build drains a backlog with no rate limit against the simulator
// (bench/worker's workerThroughput), in rounds whose order rotates.
import { cpuMs } from "../support/proc-stats.js";
import { type Sim, type Throughput, workerThroughput } from "../worker/scenarios.js";
import { describeVerdicts, type Ratios, ratiosOf, round3, spread, verdicts } from "./ratios.js";
import { countsSince, type Sink, spansPer } from "./sink.js";
import { roundOrder, type Setups, VARIANTS, type Variant } from "./variants.js";

export interface WorkerBenchOptions {
  readonly brokers: string;
  readonly sim: Sim;
  readonly setups: Setups;
  readonly sink: Sink;
  readonly rounds: number;
  /** Requests in each backlog. */
  readonly requests: number;
  readonly concurrency: number;
  readonly partitions: number;
  readonly log: (line: string) => void;
}

interface WorkerRun {
  readonly calls_per_second: number;
  readonly cpu_ms_per_call: number;
  /** Calls the simulator saw in the whole run (the worker is stopped past 90% of the backlog). */
  readonly placed: number;
}

interface WorkerRound {
  readonly round: number;
  readonly order: readonly Variant[];
  readonly runs: Readonly<Record<Variant, WorkerRun>>;
  readonly off_vs_before: Ratios;
  readonly on_vs_off: Ratios;
  /** Spans the sink received from the traced worker's whole run, per call it placed, in total and by name. */
  readonly spans_per_call: ReturnType<typeof spansPer>;
  /** The sink's CPU over the traced worker's whole run, per call it placed (not counted in the worker's). */
  readonly sink_cpu_ms_per_call: number;
}

const toRun = (t: Throughput & { placed: number }): WorkerRun => ({
  calls_per_second: Math.round(t.callsPerSecond),
  cpu_ms_per_call: round3(t.cpuMsPerCall),
  placed: t.placed,
});

const ratios = (one: Throughput, other: Throughput): Ratios =>
  ratiosOf({ throughput: one.callsPerSecond, cpu: one.cpuMsPerCall }, { throughput: other.callsPerSecond, cpu: other.cpuMsPerCall });

export async function workerBench(options: WorkerBenchOptions) {
  const { sink, log } = options;
  const rounds: WorkerRound[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const order = roundOrder(i);
    const runs: Partial<Record<Variant, Throughput & { placed: number }>> = {};
    let traced: { spans: ReturnType<typeof spansPer>; sinkCpuMsPerCall: number } = {
      spans: { total: 0, by_name: {} },
      sinkCpuMsPerCall: 0,
    };
    for (const variant of order) {
      const setup = options.setups[variant];
      const sinkBefore = await sink.counts();
      const sinkCpu = cpuMs(sink.process.pid as number);
      // The worker has stopped (its spans flushed at shutdown) when this returns.
      const measured = await workerThroughput(options.brokers, options.sim, {
        partitions: options.partitions,
        count: options.requests,
        concurrency: options.concurrency,
        main: setup.main,
        nodeArgs: setup.nodeArgs,
        env: setup.env,
      });
      // workerThroughput stops the worker past 90% of the backlog: spans per call the simulator saw.
      const placed = await options.sim.calls();
      runs[variant] = { ...measured, placed };
      if (variant === "on") {
        const received = countsSince(sinkBefore, await sink.counts());
        traced = { spans: spansPer(received, placed), sinkCpuMsPerCall: (cpuMs(sink.process.pid as number) - sinkCpu) / placed };
      }
    }
    const done = runs as Record<Variant, Throughput & { placed: number }>;
    const round: WorkerRound = {
      round: i + 1,
      order,
      runs: { before: toRun(done.before), off: toRun(done.off), on: toRun(done.on) },
      off_vs_before: ratios(done.off, done.before),
      on_vs_off: ratios(done.on, done.off),
      spans_per_call: traced.spans,
      sink_cpu_ms_per_call: round3(traced.sinkCpuMsPerCall),
    };
    rounds.push(round);
    log(describeRound(round));
  }
  const result = summary(rounds);
  for (const line of describeVerdicts("worker", result)) log(line);
  return result;
}

function describeRound(round: WorkerRound): string {
  const runs = round.order
    .map((v) => `${v} ${round.runs[v].calls_per_second} calls/s ${round.runs[v].cpu_ms_per_call.toFixed(3)} CPU-ms/call`)
    .join(", ");
  return (
    `worker round ${round.round}: ${runs}; off/before throughput ${round.off_vs_before.throughput} CPU ${round.off_vs_before.cpu}, ` +
    `on/off throughput ${round.on_vs_off.throughput} CPU ${round.on_vs_off.cpu}; ${round.spans_per_call.total} spans/call`
  );
}

function summary(rounds: readonly WorkerRound[]) {
  const of = (variant: Variant, field: keyof WorkerRun) => spread(rounds.map((r) => r.runs[variant][field]));
  return {
    rounds,
    calls_per_second: Object.fromEntries(VARIANTS.map((v) => [v, of(v, "calls_per_second")])),
    cpu_ms_per_call: Object.fromEntries(VARIANTS.map((v) => [v, of(v, "cpu_ms_per_call")])),
    ...verdicts(rounds),
    spans_per_call: spread(rounds.map((r) => r.spans_per_call.total)),
    spans_per_call_by_name: rounds.at(-1)?.spans_per_call.by_name,
    sink_cpu_ms_per_call: spread(rounds.map((r) => r.sink_cpu_ms_per_call)),
  };
}
