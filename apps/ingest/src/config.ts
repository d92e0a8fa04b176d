import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EnvKafkaBrokers, EnvLogLevel, EnvPort, EnvPositiveInt, envProblems } from "@callbridge/env-schemas";
import { type EnvReference, loadRoutesFile, type RoutesFile } from "@callbridge/routes";
import { DEFAULT_TOPICS } from "@callbridge/schemas";
import { z } from "zod";

const Port = EnvPort;
const PositiveInt = EnvPositiveInt;

/** The example routes file at the repository root, for a zero-config local run. */
export const EXAMPLE_ROUTES_FILE = fileURLToPath(new URL("../../../config/routes.example.yaml", import.meta.url));

/**
 * The ingest's environment, validated once at start-up. Descriptions feed the environment
 * reference in docs/configuration.md (`pnpm docs:env`).
 */
export const IngestEnv = z.object({
  PORT: Port.default(8080).describe("Port of the webhook endpoints and health checks."),
  METRICS_PORT: Port.default(9464).describe("Port of `GET /metrics`."),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface to bind (both ports)."),
  LOG_LEVEL: EnvLogLevel,
  KAFKA_BROKERS: EnvKafkaBrokers,
  KAFKA_CLIENT_ID: z.string().min(1).default("callbridge-ingest").describe("Kafka client id of the ingest's producer and admin."),
  // Also holds the do-not-call list opt-outs are written to: loadConfig requires it when the
  // routes file has `opt_outs`.
  REDIS_URL: z
    .string()
    .url()
    .optional()
    .describe(
      "Shares the delivered-events memory between replicas (in-process when unset), and holds the do-not-call list that opt-out routes write: required when the routes file has `opt_outs`.",
    ),
  ROUTES_FILE: z
    .string()
    .min(1)
    .default(EXAMPLE_ROUTES_FILE)
    .describe("The routes file (YAML): sources, their secrets (from env), and routes."),
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .optional()
    .describe(
      "The URL senders use to reach this service, without a trailing slash. HubSpot signs the full URL it called, " +
        "which a proxy in front of us rewrites; default http://HOST:PORT.",
    ),
  CALL_REQUESTS_TOPIC: z.string().min(1).default(DEFAULT_TOPICS.callRequests).describe("Topic the call requests are written to."),
  DLQ_TOPIC: z
    .string()
    .min(1)
    .default(DEFAULT_TOPICS.callRequestsDlq)
    .describe("Dead-letter topic: events a route matched but whose phone number is unusable (`invalid_phone`)."),
  ENSURE_TOPICS: z.enum(["true", "false"]).default("true").describe("Create missing topics at start-up."),
  MAX_BODY_BYTES: PositiveInt.default(1024 * 1024).describe("Larger webhook bodies get 413."),
  DEDUPE_TTL_SECONDS: PositiveInt.default(3 * 24 * 3600).describe(
    "How long a delivered event is remembered; HubSpot workflow retries span 3 days.",
  ),
  DEDUPE_MAX_KEYS: PositiveInt.default(200_000).describe("Cap of the in-process memory (without Redis)."),
  PRODUCE_TIMEOUT_MS: PositiveInt.default(4_000).describe(
    "A webhook whose records Kafka has not acknowledged by then gets 503 (HubSpot gives up after 5 s).",
  ),
  PRODUCE_MAX_BATCH_RECORDS: PositiveInt.default(1_000).describe("Most records in one produce call shared by concurrent webhooks."),
  SHUTDOWN_TIMEOUT_MS: PositiveInt.default(15_000).describe("SIGTERM: how long to drain in-flight webhooks and flush the producer."),
});

export interface IngestConfig {
  readonly port: number;
  readonly metricsPort: number;
  readonly host: string;
  readonly logLevel: z.infer<typeof IngestEnv>["LOG_LEVEL"];
  readonly kafka: { readonly brokers: string[]; readonly clientId: string };
  readonly redisUrl: string | undefined;
  readonly routesFile: string;
  readonly routes: RoutesFile;
  /** Env references of the routes file; ones that fell back to the file's defaults are logged. */
  readonly routesEnv: readonly EnvReference[];
  readonly publicBaseUrl: string;
  readonly topics: { readonly callRequests: string; readonly deadLetters: string };
  readonly ensureTopics: boolean;
  readonly maxBodyBytes: number;
  readonly dedupe: { readonly ttlSeconds: number; readonly maxKeys: number };
  readonly produceTimeoutMs: number;
  readonly produceMaxBatchRecords: number;
  readonly shutdownTimeoutMs: number;
}

export type ConfigResult = { ok: true; config: IngestConfig } | { ok: false; problems: string[] };

/** Env and routes file, validated together; every problem is named at once. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = IngestEnv.safeParse(env);
  if (!parsed.success) {
    return { ok: false, problems: envProblems(parsed.error) };
  }
  const e = parsed.data;
  const routes = loadRoutesFile(e.ROUTES_FILE, env);
  if (!routes.ok) return { ok: false, problems: routesFileProblems(e.ROUTES_FILE, routes.problems) };
  const optOuts = routes.routes.opt_outs.map((optOut) => optOut.name);
  if (optOuts.length > 0 && e.REDIS_URL === undefined) {
    return {
      ok: false,
      problems: [
        `REDIS_URL: is not set, but ${e.ROUTES_FILE} has opt-outs (${optOuts.join(", ")}), which are written to the do-not-call list in Redis; set REDIS_URL to the Redis the workers use`,
      ],
    };
  }
  return {
    ok: true,
    config: {
      port: e.PORT,
      metricsPort: e.METRICS_PORT,
      host: e.HOST,
      logLevel: e.LOG_LEVEL,
      kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
      redisUrl: e.REDIS_URL,
      routesFile: e.ROUTES_FILE,
      routes: routes.routes,
      routesEnv: routes.references,
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, ""),
      topics: { callRequests: e.CALL_REQUESTS_TOPIC, deadLetters: e.DLQ_TOPIC },
      ensureTopics: e.ENSURE_TOPICS === "true",
      maxBodyBytes: e.MAX_BODY_BYTES,
      dedupe: { ttlSeconds: e.DEDUPE_TTL_SECONDS, maxKeys: e.DEDUPE_MAX_KEYS },
      produceTimeoutMs: e.PRODUCE_TIMEOUT_MS,
      produceMaxBatchRecords: e.PRODUCE_MAX_BATCH_RECORDS,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
  };
}

/**
 * The routes file's problems, each naming the setting as the env's problems do, and first,
 * when the file is the worker's recipient policy (an easy mix-up: both are YAML in config/),
 * where it belongs instead of its schema errors alone.
 */
function routesFileProblems(file: string, problems: readonly string[]): string[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // The problems say already that it cannot be read.
  }
  const hint = misplacedPolicyHint(file, text);
  return [...(hint === undefined ? [] : [hint]), ...problems].map((problem) => `ROUTES_FILE: ${problem}`);
}

const POLICY_KIND = /^kind\s*:\s*["']?recipient-policy["']?\s*(?:#.*)?$/m;
const ROUTES_KEY = /^(?:sources|routes|opt_outs)\s*:/m;
const POLICY_KEY = /^(?:calling_window|testing_bypasses_window|unknown_time_zone|frequency_cap|cooldown_minutes|overrides)\s*:/m;

/**
 * What to say when ROUTES_FILE names a recipient policy: one marked `kind: recipient-policy`,
 * or one with a policy's top-level keys and none of a routes file's. Undefined otherwise.
 */
export function misplacedPolicyHint(file: string, text: string): string | undefined {
  const where = "give it to the worker as RECIPIENT_POLICY_FILE; ROUTES_FILE names the routes file (sources and routes)";
  if (POLICY_KIND.test(text)) return `${file} is a recipient policy, not a routes file: ${where}`;
  if (!ROUTES_KEY.test(text) && POLICY_KEY.test(text))
    return `${file} looks like a recipient policy (without \`kind: recipient-policy\` as its first line), not a routes file: ${where}`;
  return undefined;
}
