// The exemplars Prometheus keeps (--enable-feature=exemplar-storage) of the apps' latency
// histograms, which Grafana links to Jaeger by their `trace_id` label (docs/tracing.md).

/** The histograms whose buckets carry the trace id of a request with tracing on, by app. */
export const TRACED_HISTOGRAMS = [
  "callbridge_ingest_request_duration_seconds",
  "callbridge_worker_api_request_duration_seconds",
  "callbridge_worker_webhook_to_call_seconds",
] as const;

interface ExemplarsAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: readonly {
    readonly seriesLabels: Readonly<Record<string, string>>;
    readonly exemplars: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: string }[];
  }[];
}

/** One histogram's exemplars carrying `traceId`: the series (job, le) and value of each. */
export async function exemplarsOfTrace(prometheusUrl: string, histogram: string, traceId: string, sinceMs: number): Promise<string[]> {
  const params = new URLSearchParams({
    query: `${histogram}_bucket`,
    start: String(sinceMs / 1000 - 60),
    end: String(Date.now() / 1000 + 60),
  });
  const res = await fetch(`${prometheusUrl}/api/v1/query_exemplars?${params}`, { signal: AbortSignal.timeout(5_000) });
  const answer = (await res.json()) as ExemplarsAnswer;
  if (answer.status !== "success") throw new Error(`query_exemplars ${histogram}: ${answer.error ?? res.status}`);
  return (answer.data ?? []).flatMap((series) =>
    series.exemplars
      .filter((exemplar) => exemplar.labels.trace_id === traceId)
      .map((exemplar) => `${series.seriesLabels.job ?? "?"} le=${series.seriesLabels.le ?? "?"} value=${exemplar.value}s`),
  );
}
