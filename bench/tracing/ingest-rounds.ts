// The ingest's part: in each round the three builds start anew, each is warmed up, then each
// is loaded in turn at saturation by bench/ingest's load generator; the order rotates.
import { type IngestProcess, startIngest } from "../ingest/ingest-process.js";
import { type Measured, measure } from "../ingest/load.js";
import { cpuMs } from "../support/proc-stats.js";
import { stop, waitForHttp } from "../support/processes.js";
import { describeVerdicts, type Ratios, ratiosOf, round3, spread, verdicts } from "./ratios.js";
import { countsSince, type Sink, spansPer } from "./sink.js";
import { roundOrder, type Setups, VARIANTS, type Variant } from "./variants.js";

export interface IngestBenchOptions {
  readonly brokers: string;
  readonly setups: Setups;
  readonly sink: Sink;
  readonly rounds: number;
  readonly seconds: number;
  readonly warmUpSeconds: number;
  readonly connections: number;
  readonly log: (line: string) => void;
}

interface IngestRun {
  readonly requests_per_second: number;
  readonly cpu_ms_per_webhook: number;
  readonly accepted: number;
  readonly non_2xx: number;
  readonly errors: number;
  readonly p99_ms: number;
}

interface IngestRound {
  readonly round: number;
  readonly order: readonly Variant[];
  readonly runs: Readonly<Record<Variant, IngestRun>>;
  readonly off_vs_before: Ratios;
  readonly on_vs_off: Ratios;
  /** The sink's CPU while the traced build ran, per webhook it accepted (not counted in the ingest's). */
  readonly sink_cpu_ms_per_webhook: number;
}

const toRun = (m: Measured): IngestRun => ({
  requests_per_second: Math.round(m.requestsPerSecond),
  cpu_ms_per_webhook: round3(m.cpuMsPerWebhook),
  accepted: m.accepted,
  non_2xx: m.non2xx,
  errors: m.errors,
  p99_ms: m.p99,
});

const ratios = (one: Measured, other: Measured): Ratios =>
  ratiosOf(
    { throughput: one.requestsPerSecond, cpu: one.cpuMsPerWebhook },
    { throughput: other.requestsPerSecond, cpu: other.cpuMsPerWebhook },
  );

export async function ingestBench(options: IngestBenchOptions) {
  const { sink, log } = options;
  const load = { seconds: options.seconds, connections: options.connections };
  const sinkAtStart = await sink.counts();
  let tracedAccepted = 0;
  const rounds: IngestRound[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const order = roundOrder(i);
    // New processes every round, each warmed up: one process's JIT and heap can leave it 10-20%
    // dearer for its whole life (the same OFF build measured 1.0x and 1.23x BEFORE's CPU per
    // webhook in two runs that kept their processes), so each round samples that anew.
    const servers = await startAll(options);
    const run = async (variant: Variant, seconds: number): Promise<{ measured: Measured; sinkCpuMs: number }> => {
      const server = servers[variant];
      const sinkCpu = cpuMs(sink.process.pid as number);
      const measured = await measure(server.url, server.process.pid as number, { ...load, seconds });
      if (server.process.exitCode !== null || server.process.signalCode !== null)
        throw new Error(`the ${variant} ingest exited during its run`);
      if (variant === "on") tracedAccepted += measured.accepted;
      return { measured, sinkCpuMs: cpuMs(sink.process.pid as number) - sinkCpu };
    };
    const runs: Partial<Record<Variant, Measured>> = {};
    let sinkCpuMs = 0;
    try {
      if (options.warmUpSeconds > 0) {
        for (const variant of order) await run(variant, options.warmUpSeconds);
      }
      for (const variant of order) {
        const { measured, sinkCpuMs: spent } = await run(variant, options.seconds);
        runs[variant] = measured;
        if (variant === "on") sinkCpuMs = spent;
      }
    } finally {
      // The traced ingest exports the spans it still holds as it stops.
      await Promise.all(VARIANTS.map((variant) => stop(servers[variant].process)));
    }
    const done = runs as Record<Variant, Measured>;
    const round: IngestRound = {
      round: i + 1,
      order,
      runs: { before: toRun(done.before), off: toRun(done.off), on: toRun(done.on) },
      off_vs_before: ratios(done.off, done.before),
      on_vs_off: ratios(done.on, done.off),
      sink_cpu_ms_per_webhook: round3(sinkCpuMs / done.on.accepted),
    };
    rounds.push(round);
    log(describeRound(round));
  }
  const { exports, bytes, ...received } = countsSince(sinkAtStart, await sink.counts());
  const result = summary(rounds, {
    exports,
    bytes_per_span: Math.round(bytes / received.spans),
    spans_per_accepted_webhook: spansPer(received, tracedAccepted),
  });
  for (const line of describeVerdicts("ingest", result)) log(line);
  log(`ingest ON: spans exported per accepted webhook (warm-ups included) ${JSON.stringify(result.sink.spans_per_accepted_webhook)}`);
  return result;
}

async function startAll(options: IngestBenchOptions): Promise<Record<Variant, IngestProcess>> {
  const servers: Partial<Record<Variant, IngestProcess>> = {};
  try {
    for (const variant of VARIANTS) {
      const setup = options.setups[variant];
      const server = await startIngest({ brokers: options.brokers, main: setup.main, nodeArgs: setup.nodeArgs, env: setup.env });
      servers[variant] = server;
      await waitForHttp(`${server.url}/readyz`);
    }
    return servers as Record<Variant, IngestProcess>;
  } catch (error) {
    await Promise.all(Object.values(servers).map((server) => stop(server.process)));
    throw error;
  }
}

function describeRound(round: IngestRound): string {
  const runs = round.order
    .map((v) => `${v} ${round.runs[v].requests_per_second} req/s ${round.runs[v].cpu_ms_per_webhook.toFixed(3)} CPU-ms/webhook`)
    .join(", ");
  return (
    `ingest round ${round.round}: ${runs}; off/before throughput ${round.off_vs_before.throughput} CPU ${round.off_vs_before.cpu}, ` +
    `on/off throughput ${round.on_vs_off.throughput} CPU ${round.on_vs_off.cpu}`
  );
}

function summary(
  rounds: readonly IngestRound[],
  sink: { exports: number; bytes_per_span: number; spans_per_accepted_webhook: ReturnType<typeof spansPer> },
) {
  const of = (variant: Variant, field: keyof IngestRun) => spread(rounds.map((r) => r.runs[variant][field]));
  return {
    rounds,
    requests_per_second: Object.fromEntries(VARIANTS.map((v) => [v, of(v, "requests_per_second")])),
    cpu_ms_per_webhook: Object.fromEntries(VARIANTS.map((v) => [v, of(v, "cpu_ms_per_webhook")])),
    ...verdicts(rounds),
    sink_cpu_ms_per_webhook: spread(rounds.map((r) => r.sink_cpu_ms_per_webhook)),
    sink,
  };
}
