import { Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Every app gets its own registry (never prom-client's global one), so tests can build many. */
export function createRegistry(): Registry {
  return new Registry();
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
