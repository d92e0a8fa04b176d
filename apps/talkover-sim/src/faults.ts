import { z } from "zod";

const Share = z.number().min(0).max(1);

/**
 * Fault injection, set at start (env) and changed at run time (`PUT /_sim/faults`). Everything
 * defaults to "no fault"; a PUT replaces the whole set, so fields it leaves out go back to 0.
 */
export const Faults = z
  .object({
    /** Share of call requests answered 500 before anything is recorded. */
    error_rate: Share.default(0),
    /** Share of call requests answered 429 with `Retry-After: retry_after_seconds`, regardless of the bucket. */
    throttle_rate: Share.default(0),
    /**
     * Share of call requests that are accepted (the call exists) but whose connection is then cut
     * without an answer: the ambiguous attempt a client sees as a reset.
     */
    drop_rate: Share.default(0),
    /** Added latency before any /api/v1 answer: the mean, in ms. */
    latency_ms: z.number().min(0).max(120_000).default(0),
    /** Spread of the latency: half-width for `uniform`, standard deviation for `normal`. */
    latency_jitter_ms: z.number().min(0).max(120_000).default(0),
    latency_distribution: z.enum(["fixed", "uniform", "normal", "exponential"]).default("fixed"),
    /** Token bucket over call requests: refill rate per second; 0 turns the bucket off. */
    rate_limit_rps: z.number().min(0).default(0),
    /** Bucket capacity; defaults to one second of `rate_limit_rps` (at least 1). */
    rate_limit_burst: z.number().int().min(1).optional(),
    /** How `Retry-After` is written on 429: delay in seconds, or an HTTP date. */
    retry_after_format: z.enum(["seconds", "http-date"]).default("seconds"),
    /** `Retry-After` of the random 429s of `throttle_rate`. */
    retry_after_seconds: z.number().int().min(0).max(3600).default(1),
  })
  .strict();
export type Faults = z.infer<typeof Faults>;
export type FaultsInput = z.input<typeof Faults>;

export const NO_FAULTS: Faults = Faults.parse({});

/** One latency sample in ms for the configured distribution; never negative. */
export function sampleLatencyMs(faults: Faults, random: () => number = Math.random): number {
  const mean = faults.latency_ms;
  const jitter = faults.latency_jitter_ms;
  switch (faults.latency_distribution) {
    case "fixed":
      return mean;
    case "uniform":
      return Math.max(0, mean - jitter + random() * 2 * jitter);
    case "normal": {
      // Box-Muller; 1 - random() keeps the log argument in (0, 1].
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.max(0, mean + z * jitter);
    }
    case "exponential":
      return -Math.log(1 - random()) * mean;
  }
}
