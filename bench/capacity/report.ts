// From a run's raw figures to per-unit figures (per accepted webhook, per placed call, per
// request), their medians over the runs of each setting, and the printed table.
import type { TopicBytes } from "./kafka-bytes.js";
import { median, type ProcessFigures, type RedisFigures, type RunFigures } from "./measure.js";

const MB = 2 ** 20;

/** One run's per-unit figures, flat, so that runs can be summarised metric by metric. */
export type UnitFigures = Record<string, number>;

export function unitFigures(run: RunFigures): UnitFigures {
  const webhooks = run.sent.accepted;
  const calls = run.placed;
  const requests = run.requests.records;
  return {
    accepted: webhooks,
    refused_tries: Object.values(run.sent.refused).reduce((sum, n) => sum + n, 0),
    send_lag_ms: run.sent.worstLagMs,
    answer_p50_ms: run.sent.answerMs.p50,
    answer_p99_ms: run.sent.answerMs.p99,
    requests,
    placed: calls,
    window_s: round(run.windowSeconds, 1),
    ...processUnits("ingest", run.ingest, webhooks, run.windowSeconds),
    ...processUnits("worker", run.worker, calls, run.windowSeconds),
    broker_cpu_ms_per_request: round(run.broker.cpuMs / requests, 3),
    broker_marginal_cpu_ms_per_request: round((run.broker.cpuMs - run.broker.idleCpuMsPerSecond * run.windowSeconds) / requests, 3),
    broker_idle_cpu_ms_per_s: round(run.broker.idleCpuMsPerSecond, 2),
    ...redisUnits("worker_redis", run.workerRedis, calls),
    ...redisUnits("ingest_redis", run.ingestRedis, webhooks),
    ...topicUnits("requests", run.requests, requests),
    ...topicUnits("results", run.results, requests),
    consumer_offsets_bytes_per_s: Math.round(run.offsetsLogBytes / run.windowSeconds),
  };
}

function processUnits(name: string, figures: ProcessFigures, units: number, windowSeconds: number): UnitFigures {
  return {
    [`${name}_cpu_ms_per_unit`]: round(figures.cpuMs / units, 3),
    // The same less what the process spends idle (timers, heartbeats, polls) over the window.
    [`${name}_marginal_cpu_ms_per_unit`]: round((figures.cpuMs - figures.idleCpuMsPerSecond * windowSeconds) / units, 3),
    [`${name}_idle_cpu_ms_per_s`]: round(figures.idleCpuMsPerSecond, 2),
    [`${name}_rss_idle_mb`]: round(figures.rssIdleBytes / MB, 1),
    [`${name}_rss_steady_mb`]: round(figures.rssSteadyBytes / MB, 1),
    [`${name}_rss_peak_mb`]: round(figures.rssPeakBytes / MB, 1),
  };
}

function redisUnits(name: string, figures: RedisFigures, units: number): UnitFigures {
  const total = Object.values(figures.calls).reduce((sum, n) => sum + n, 0);
  const scripts = (figures.calls.evalsha ?? 0) + (figures.calls.eval ?? 0);
  return {
    [`${name}_commands_per_unit`]: round(total / units, 2),
    [`${name}_scripts_per_unit`]: round(scripts / units, 2),
    [`${name}_cpu_ms_per_unit`]: round(figures.cpuMs / units, 4),
    [`${name}_idle_cpu_ms_per_s`]: round(figures.idleCpuMsPerSecond, 2),
    [`${name}_memory_bytes_per_unit`]: Math.round(figures.memoryBytes / units),
    [`${name}_keys_per_unit`]: round(figures.keys / units, 2),
  };
}

function topicUnits(name: string, bytes: TopicBytes, requests: number): UnitFigures {
  return {
    [`${name}_records_per_request`]: round(bytes.records / requests, 3),
    [`${name}_key_bytes`]: Math.round(bytes.keyBytes / requests),
    [`${name}_value_bytes`]: Math.round(bytes.valueBytes / requests),
    [`${name}_header_bytes`]: Math.round(bytes.headerBytes / requests),
    [`${name}_record_bytes`]: Math.round(bytes.recordFormatBytes / requests),
    [`${name}_log_bytes`]: Math.round(bytes.logBytes / requests),
  };
}

/** Median, least and most of each figure over runs. */
export function summarise(runs: readonly UnitFigures[]): Record<string, { median: number; min: number; max: number }> {
  const names = Object.keys(runs[0] ?? {});
  return Object.fromEntries(
    names.map((name) => {
      const values = runs.map((run) => run[name] ?? Number.NaN);
      return [name, { median: round(median(values), 4), min: Math.min(...values), max: Math.max(...values) }];
    }),
  );
}

/** Median calls per unit of each Redis command over runs. */
export function commandsPerUnit(runs: readonly { calls: Record<string, number>; units: number }[]): Record<string, number> {
  const names = new Set(runs.flatMap((run) => Object.keys(run.calls)));
  const perUnit = [...names].map((name) => [name, round(median(runs.map((run) => (run.calls[name] ?? 0) / run.units)), 3)] as const);
  return Object.fromEntries(perUnit.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]));
}

type Summary = ReturnType<typeof summarise>;

const TABLE_ROWS: readonly [string, string][] = [
  ["ingest CPU-ms per accepted webhook", "ingest_cpu_ms_per_unit"],
  ["  less idle", "ingest_marginal_cpu_ms_per_unit"],
  ["ingest RSS idle / steady / peak, MB", "ingest_rss_idle_mb ingest_rss_steady_mb ingest_rss_peak_mb"],
  ["worker CPU-ms per placed call", "worker_cpu_ms_per_unit"],
  ["  less idle", "worker_marginal_cpu_ms_per_unit"],
  ["worker RSS idle / steady / peak, MB", "worker_rss_idle_mb worker_rss_steady_mb worker_rss_peak_mb"],
  ["broker CPU-ms per request / less idle", "broker_cpu_ms_per_request broker_marginal_cpu_ms_per_request"],
  ["worker Redis: commands / scripts per call", "worker_redis_commands_per_unit worker_redis_scripts_per_unit"],
  ["worker Redis: CPU-ms per call", "worker_redis_cpu_ms_per_unit"],
  ["worker Redis: bytes / keys kept per call", "worker_redis_memory_bytes_per_unit worker_redis_keys_per_unit"],
  ["ingest Redis: commands / scripts per webhook", "ingest_redis_commands_per_unit ingest_redis_scripts_per_unit"],
  ["ingest Redis: CPU-ms per webhook", "ingest_redis_cpu_ms_per_unit"],
  ["ingest Redis: bytes / keys kept per webhook", "ingest_redis_memory_bytes_per_unit ingest_redis_keys_per_unit"],
  [
    "requests topic: key+value+headers / record / log B",
    "requests_key_bytes requests_value_bytes requests_header_bytes requests_record_bytes requests_log_bytes",
  ],
  [
    "results topic: key+value+headers / record / log B",
    "results_key_bytes results_value_bytes results_header_bytes results_record_bytes results_log_bytes",
  ],
];

/** The table printed at the end: each setting's medians (and range over runs), row by row. */
export function table(settings: Record<string, Summary>): string {
  const names = Object.keys(settings);
  const cell = (summary: Summary | undefined, metrics: string) =>
    metrics
      .split(" ")
      .map((metric) => {
        const s = summary?.[metric];
        if (!s) return "-";
        return s.min === s.max ? `${s.median}` : `${s.median} (${s.min}–${s.max})`;
      })
      .join(" / ");
  const rows = TABLE_ROWS.map(([label, metrics]) => [label, ...names.map((name) => cell(settings[name], metrics))]);
  const header = ["per unit (median, range over runs)", ...names];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => row.map((text, i) => text.padEnd(widths[i] ?? 0)).join(" | ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
}

/** JSON with two-space indents, except that an object or array of plain values short enough stays on one line. */
export function compactJson(value: unknown, indent = ""): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const entries = Array.isArray(value) ? value.map((v) => [undefined, v] as const) : Object.entries(value);
  const shown = entries.filter(([, v]) => v !== undefined);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  const item = ([key, v]: readonly [string | undefined, unknown], inner: string) =>
    `${key === undefined ? "" : `${JSON.stringify(key)}: `}${compactJson(v, inner)}`;
  const flat = shown.every(([, v]) => v === null || typeof v !== "object");
  const oneLine = `${open}${shown.map((entry) => item(entry, "")).join(", ")}${close}`;
  if (shown.length === 0 || (flat && indent.length + oneLine.length <= 120)) return oneLine;
  const inner = `${indent}  `;
  return `${open}\n${shown.map((entry) => `${inner}${item(entry, inner)}`).join(",\n")}\n${indent}${close}`;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
