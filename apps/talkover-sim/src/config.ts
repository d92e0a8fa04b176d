import { EnvLogLevel, EnvMilliseconds, EnvPort, envProblems } from "@callbridge/env-schemas";
import { z } from "zod";
import { Faults } from "./faults.js";
import type { SimulatorConfig } from "./simulator.js";
import { DEFAULT_CAMPAIGNS } from "./state/campaigns.js";

const Port = EnvPort;
const Share = z.coerce.number().min(0).max(1);
const Ms = EnvMilliseconds;

/**
 * The simulator's environment. Every variable is optional; defaults give the setup of
 * apps/talkover-sim/README.md. Descriptions feed the environment reference in
 * docs/configuration.md (`pnpm docs:env`).
 */
export const SimulatorEnv = z.object({
  PORT: Port.default(4010).describe("Port of the API and the admin surface."),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface to bind; loopback unless told otherwise."),
  LOG_LEVEL: EnvLogLevel,
  SIM_TOKENS: z
    .string()
    .default("talq_test_token")
    .transform((list) =>
      list
        .split(",")
        .map((token) => token.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().startsWith("talq_", "tokens must start with talq_")).min(1, "needs at least one token"))
    .describe("Comma-separated bearer tokens the API accepts; each must start with `talq_`."),
  SIM_CALL_QUEUED_MS: Ms.default(5_000).describe("How long an accepted call stays `queued` before it is `active`."),
  SIM_CALL_ACTIVE_MS: Ms.default(20_000).describe("How long a call then stays `active` before it is `completed`."),
  SIM_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(64 * 1024)
    .describe("Bodies larger than this get 413."),
  // The starting faults; `PUT /_sim/faults` changes them at run time.
  SIM_ERROR_RATE: Share.default(0).describe("Starting `error_rate`: share of call requests answered 500 before anything is recorded."),
  SIM_THROTTLE_RATE: Share.default(0).describe(
    "Starting `throttle_rate`: share of call requests answered 429 (`Retry-After: 1`), regardless of the bucket.",
  ),
  SIM_DROP_RATE: Share.default(0).describe(
    "Starting `drop_rate`: share of call requests accepted and then cut without an answer (an ambiguous attempt).",
  ),
  SIM_LATENCY_MS: Ms.default(0).describe("Starting `latency_ms`: latency added before every /api/v1 answer (the mean), at most 120000."),
  SIM_LATENCY_JITTER_MS: Ms.default(0).describe(
    "Starting `latency_jitter_ms`: spread of the latency (half-width for `uniform`, standard deviation for `normal`), at most 120000.",
  ),
  SIM_LATENCY_DISTRIBUTION: Faults.shape.latency_distribution.describe(
    "Starting `latency_distribution`: `fixed`, `uniform` (± jitter), `normal` (σ = jitter) or `exponential` (mean).",
  ),
  SIM_RATE_LIMIT_RPS: z.coerce
    .number()
    .min(0)
    .default(0)
    .describe("Starting `rate_limit_rps`: refill per second of the API's own token bucket over call requests; 0 turns it off."),
  SIM_RATE_LIMIT_BURST: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe("Starting `rate_limit_burst`: that bucket's capacity; unset: one second of rate (at least 1)."),
  SIM_RETRY_AFTER_FORMAT: Faults.shape.retry_after_format.describe(
    "Starting `retry_after_format`: how `Retry-After` is written on 429, delay in `seconds` or an `http-date`.",
  ),
});

export interface SimulatorAppConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: z.infer<typeof SimulatorEnv>["LOG_LEVEL"];
  readonly simulator: SimulatorConfig;
}

export type ConfigResult = { ok: true; config: SimulatorAppConfig } | { ok: false; problems: string[] };

/** Validates the whole environment at once; every bad variable is named in `problems`. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = SimulatorEnv.safeParse(env);
  if (!parsed.success) {
    return { ok: false, problems: envProblems(parsed.error) };
  }
  const e = parsed.data;
  // The starting faults go through the same schema as PUT /_sim/faults; its limits name the variable.
  const faultVariables: Record<string, string> = {
    error_rate: "SIM_ERROR_RATE",
    throttle_rate: "SIM_THROTTLE_RATE",
    drop_rate: "SIM_DROP_RATE",
    latency_ms: "SIM_LATENCY_MS",
    latency_jitter_ms: "SIM_LATENCY_JITTER_MS",
    latency_distribution: "SIM_LATENCY_DISTRIBUTION",
    rate_limit_rps: "SIM_RATE_LIMIT_RPS",
    rate_limit_burst: "SIM_RATE_LIMIT_BURST",
    retry_after_format: "SIM_RETRY_AFTER_FORMAT",
  };
  const checkedFaults = Faults.safeParse({
    error_rate: e.SIM_ERROR_RATE,
    throttle_rate: e.SIM_THROTTLE_RATE,
    drop_rate: e.SIM_DROP_RATE,
    latency_ms: e.SIM_LATENCY_MS,
    latency_jitter_ms: e.SIM_LATENCY_JITTER_MS,
    latency_distribution: e.SIM_LATENCY_DISTRIBUTION,
    rate_limit_rps: e.SIM_RATE_LIMIT_RPS,
    rate_limit_burst: e.SIM_RATE_LIMIT_BURST,
    retry_after_format: e.SIM_RETRY_AFTER_FORMAT,
  });
  if (!checkedFaults.success) {
    return {
      ok: false,
      problems: checkedFaults.error.issues.map((issue) => `${faultVariables[String(issue.path[0])] ?? "SIM_*"}: ${issue.message}`),
    };
  }
  const faults = checkedFaults.data;
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      logLevel: e.LOG_LEVEL,
      simulator: {
        tokens: e.SIM_TOKENS,
        campaigns: DEFAULT_CAMPAIGNS,
        lifecycle: { queuedMs: e.SIM_CALL_QUEUED_MS, activeMs: e.SIM_CALL_ACTIVE_MS },
        maxBodyBytes: e.SIM_MAX_BODY_BYTES,
        faults,
      },
    },
  };
}
