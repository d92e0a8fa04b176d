import { z } from "zod";
import { Faults } from "./faults.js";
import type { SimulatorConfig } from "./simulator.js";
import { DEFAULT_CAMPAIGNS } from "./state/campaigns.js";

const Port = z.coerce.number().int().min(0).max(65_535);
const Share = z.coerce.number().min(0).max(1);
const Ms = z.coerce.number().int().min(0);

/** The simulator's environment. Every variable is optional; defaults give the SPEC §5 setup. */
const SimulatorEnv = z.object({
  /** Port of the API and the admin surface. */
  PORT: Port.default(4010),
  /** Interface to bind; loopback unless told otherwise. */
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Comma-separated bearer tokens the API accepts; each must start with `talq_`. */
  SIM_TOKENS: z
    .string()
    .default("talq_test_token")
    .transform((list) =>
      list
        .split(",")
        .map((token) => token.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().startsWith("talq_", "tokens must start with talq_")).min(1, "needs at least one token")),
  /** How long an accepted call stays `queued`, then `active`, before it is `completed`. */
  SIM_CALL_QUEUED_MS: Ms.default(5_000),
  SIM_CALL_ACTIVE_MS: Ms.default(20_000),
  /** Bodies larger than this get 413. */
  SIM_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(64 * 1024),
  /** Starting faults; `PUT /_sim/faults` changes them at run time. */
  SIM_ERROR_RATE: Share.default(0),
  SIM_THROTTLE_RATE: Share.default(0),
  SIM_DROP_RATE: Share.default(0),
  SIM_LATENCY_MS: Ms.default(0),
  SIM_LATENCY_JITTER_MS: Ms.default(0),
  SIM_LATENCY_DISTRIBUTION: Faults.shape.latency_distribution,
  SIM_RATE_LIMIT_RPS: z.coerce.number().min(0).default(0),
  SIM_RATE_LIMIT_BURST: z.coerce.number().int().min(1).optional(),
  SIM_RETRY_AFTER_FORMAT: Faults.shape.retry_after_format,
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
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`) };
  }
  const e = parsed.data;
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
        faults: Faults.parse({
          error_rate: e.SIM_ERROR_RATE,
          throttle_rate: e.SIM_THROTTLE_RATE,
          drop_rate: e.SIM_DROP_RATE,
          latency_ms: e.SIM_LATENCY_MS,
          latency_jitter_ms: e.SIM_LATENCY_JITTER_MS,
          latency_distribution: e.SIM_LATENCY_DISTRIBUTION,
          rate_limit_rps: e.SIM_RATE_LIMIT_RPS,
          rate_limit_burst: e.SIM_RATE_LIMIT_BURST,
          retry_after_format: e.SIM_RETRY_AFTER_FORMAT,
        }),
      },
    },
  };
}
