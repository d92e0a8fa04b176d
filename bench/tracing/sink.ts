// The OTLP/HTTP sink (otlp-sink.ts) as a process of the bench's: where the traced builds send
// their spans, and what it has received.
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort, startNode, stop, waitForHttp } from "../support/processes.js";

export interface SinkCounts {
  readonly exports: number;
  readonly spans: number;
  readonly bytes: number;
  /** Spans received, by span name. */
  readonly names: Readonly<Record<string, number>>;
}

export interface Sink {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter adds `/v1/traces`). */
  readonly url: string;
  readonly process: ChildProcess;
  counts(): Promise<SinkCounts>;
  stop(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const port = await freePort();
  const child = startNode(["--import", "tsx", fileURLToPath(new URL("./otlp-sink.ts", import.meta.url))], { PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/stats`);
  return {
    url,
    process: child,
    counts: async () => (await (await fetch(`${url}/stats`)).json()) as SinkCounts,
    stop: () => stop(child),
  };
}

/** What arrived between two readings. */
export function countsSince(before: SinkCounts, after: SinkCounts): SinkCounts {
  const names = Object.fromEntries(Object.entries(after.names).map(([name, n]) => [name, n - (before.names[name] ?? 0)]));
  return { exports: after.exports - before.exports, spans: after.spans - before.spans, bytes: after.bytes - before.bytes, names };
}

/** Spans per unit of work (webhook, call), in total and by name (`process {topic}` for every topic's consumer span). */
export function spansPer(counts: Pick<SinkCounts, "spans" | "names">, units: number): { total: number; by_name: Record<string, number> } {
  const byName: Record<string, number> = {};
  for (const [name, n] of Object.entries(counts.names)) {
    const general = name.startsWith("process ") ? "process {topic}" : name;
    if (n > 0) byName[general] = (byName[general] ?? 0) + n;
  }
  const per = (n: number) => Number((n / units).toFixed(3));
  return { total: per(counts.spans), by_name: Object.fromEntries(Object.entries(byName).map(([name, n]) => [name, per(n)])) };
}
