import { type Histogram, type LabelValues, type OpenMetricsContentType, Registry } from "prom-client";
import { activeExemplar, tracingOn } from "./tracing/spans.js";

export { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every app gets its own registry (never prom-client's global one), so tests can build many.
 * With tracing on it speaks OpenMetrics, the only text format that carries exemplars
 * (Prometheus asks for it first, and keeps exemplars with `--enable-feature=exemplar-storage`).
 */
export function createRegistry(): Registry {
  const registry = new Registry();
  if (tracingOn()) (registry as unknown as Registry<OpenMetricsContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/** Histogram options for a latency that links to traces: exemplars kept only while tracing is on. */
export function exemplarsWhenTracing(): { enableExemplars: boolean } {
  return { enableExemplars: tracingOn() };
}

/**
 * Observes one labelled series of `histogram` (made with exemplarsWhenTracing), attaching a
 * trace id as the bucket's exemplar (`trace_id`, what Grafana links to the trace backend by):
 * the one given, else the active span's. With tracing off it is the series' plain `observe`.
 */
export function tracedObserver<L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
): { observe(seconds: number, traceId?: string): void } {
  const child = histogram.labels(labels);
  if (!tracingOn()) return child;
  return {
    observe(seconds, traceId) {
      const exemplarLabels = traceId === undefined ? activeExemplar() : { trace_id: traceId };
      // prom-client types exemplar labels as the series' own label names; any names are accepted.
      if (exemplarLabels) histogram.observe({ labels, value: seconds, exemplarLabels: exemplarLabels as LabelValues<L> });
      else child.observe(seconds);
    },
  };
}

/** Histogram buckets in seconds for HTTP and Kafka round trips on one machine or one region. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A metric's labelled child per label value, made once: prom-client hashes the label set on
 * every `inc`/`observe` with labels, which shows on paths run per webhook or per call. Only for
 * labels whose values are bounded (configuration, a fixed set), so the cache is bounded too.
 */
export function childByLabel<T>(child: (value: string) => T): (value: string) => T {
  const children = new Map<string, T>();
  return (value) => {
    let found = children.get(value);
    if (found === undefined) {
      found = child(value);
      children.set(value, found);
    }
    return found;
  };
}
