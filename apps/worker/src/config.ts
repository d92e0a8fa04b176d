import {
  EnvIntAtLeast,
  EnvKafkaBrokers,
  EnvLogLevel,
  EnvMilliseconds,
  EnvPort,
  EnvPositiveInt,
  envProblems,
} from "@callbridge/env-schemas";
import { DEFAULT_RECIPIENT_POLICY, loadRecipientPolicy, type RecipientPolicy } from "@callbridge/recipient-policy";
import { CampaignStatus, DEFAULT_TOPICS } from "@callbridge/schemas";
import { z } from "zod";

const Port = EnvPort;
const PositiveInt = EnvPositiveInt;
const Ms = EnvMilliseconds;

/** `campaign-a=5:10,campaign-b=2` -> per-campaign rate (calls/s) and burst (default: one second of rate). */
const CampaignLimits = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const limits = new Map<string, { ratePerSecond: number; burst: number }>();
    for (const entry of text
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      const match = /^([^=\s]+)=(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(entry);
      if (!match?.[1] || !match[2]) {
        ctx.addIssue({ code: "custom", message: `"${entry}" is not campaign=rate or campaign=rate:burst` });
        continue;
      }
      const rate = Number(match[2]);
      if (rate <= 0) ctx.addIssue({ code: "custom", message: `the rate of ${match[1]} must be above 0` });
      limits.set(match[1], { ratePerSecond: rate, burst: match[3] ? Number(match[3]) : Math.max(1, Math.ceil(rate)) });
    }
    return limits;
  });

/** `draft,paused` -> the campaign statuses that park a request; empty turns parking off. `active` cannot park. */
const ParkStatuses = z
  .string()
  .default("draft,paused")
  .transform((text, ctx) => {
    const statuses = new Set<CampaignStatus>();
    for (const name of text
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean)) {
      const status = CampaignStatus.exclude(["active"]).safeParse(name);
      if (status.success) statuses.add(status.data);
      else ctx.addIssue({ code: "custom", message: `"${name}" is not a status that can park (draft, paused, completed, cancelled)` });
    }
    return statuses;
  });

/**
 * The worker's environment, validated once at start-up. Descriptions feed the environment
 * reference in docs/configuration.md (`pnpm docs:env`).
 */
export const WorkerEnv = z.object({
  PORT: Port.default(9465).describe("Port of /healthz, /readyz and /metrics."),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface to bind."),
  LOG_LEVEL: EnvLogLevel,
  KAFKA_BROKERS: EnvKafkaBrokers,
  KAFKA_CLIENT_ID: z.string().min(1).default("callbridge-worker").describe("Kafka client id of the worker's consumer, producer and admin."),
  KAFKA_GROUP_ID: z
    .string()
    .min(1)
    .default("callbridge-worker")
    .describe("Consumer group shared by all worker replicas; the deferral tiers are read in `<this>.deferred`."),
  CALL_REQUESTS_TOPIC: z.string().min(1).default(DEFAULT_TOPICS.callRequests).describe("Topic the call requests are consumed from."),
  DLQ_TOPIC: z
    .string()
    .min(1)
    .default(DEFAULT_TOPICS.callRequestsDlq)
    .describe("Dead-letter topic: requests that were refused for good, ran out of attempts, or could not be read."),
  CALL_RESULTS_TOPIC: z.string().min(1).default(DEFAULT_TOPICS.callResults).describe("Topic of the outcome of every finished request."),
  ENSURE_TOPICS: z.stringbool().prefault("true").describe("Create missing topics at start-up (`true` or `false`)."),
  REDIS_URL: z
    .string()
    .url()
    .optional()
    .describe(
      "Redis: the idempotency ledger, the rate limiter, the campaign statuses of parked requests, the do-not-call list and the recipients' call counts, shared by replicas; operators' `callbridge parked` and `callbridge suppress` commands come through it. Unset: all in-process, and the do-not-call list is not checked.",
    ),
  TALKOVER_BASE_URL: z
    .string({ error: "is required: the Talkover API (or the simulator, e.g. http://127.0.0.1:4010)" })
    .url({ message: "must be a URL such as https://app.talkover.ai" })
    .describe("The Talkover API, e.g. https://app.talkover.ai (or the simulator, e.g. http://127.0.0.1:4010)."),
  TALKOVER_API_TOKEN: z
    .string({ error: "is required and must be a talq_ token" })
    .startsWith("talq_", { message: "is required and must be a talq_ token" })
    .describe("Bearer token of the Talkover API (`talq_...`); never logged."),
  TALKOVER_TIMEOUT_MS: PositiveInt.default(10_000).describe("Whole-request timeout of one API call."),
  RATE_LIMIT_PER_SECOND: z.coerce
    .number({ error: "must be a number of calls per second" })
    .min(0, "must be 0 (no rate limit) or more")
    .default(10)
    .describe("Calls per second over all campaigns (token bucket refill); 0 means no rate limit."),
  RATE_LIMIT_BURST: PositiveInt.optional().describe(
    "Size of that token bucket; unset: one second of rate (at least 1). 25 ms worth of rate is kept back as a margin for jitter (docs/worker.md).",
  ),
  MAX_CONCURRENT_CALLS: PositiveInt.default(20).describe("Calls at the API at once."),
  CAMPAIGN_RATE_LIMITS: CampaignLimits.describe(
    "Optional per-campaign buckets: `campaign=rate[:burst],...` (calls/s; the burst defaults to one second of rate).",
  ),
  MAX_IN_FLIGHT: PositiveInt.default(500).describe(
    "Records taken from Kafka and not yet finished, a hard bound: fetching pauses at it and takes no record beyond it.",
  ),
  FETCH_MAX_BYTES: PositiveInt.optional().describe(
    "Most bytes one Kafka fetch brings back; unset: MAX_IN_FLIGHT × 1 KiB, at least 64 KiB (records not taken are fetched again later).",
  ),
  CONSUMER_SESSION_TIMEOUT_MS: EnvIntAtLeast(1_000, "ms")
    .default(6_000)
    .describe(
      "Kafka drops a worker it has not heard from for this long and hands its partitions to the others (the broker's group.min.session.timeout.ms, 6000 by default, is the floor).",
    ),
  CONSUMER_HEARTBEAT_INTERVAL_MS: PositiveInt.default(1_000).describe(
    "How often the worker tells the group coordinator it is alive; at most a third of CONSUMER_SESSION_TIMEOUT_MS.",
  ),
  CLAIM_LEASE_MS: EnvIntAtLeast(300, "ms")
    .default(4_000)
    .describe(
      "A claim on a request lapses this long after its worker stops renewing it (renewed every third of it); at most CONSUMER_SESSION_TIMEOUT_MS.",
    ),
  LIMITER_SLOT_LEASE_MS: EnvIntAtLeast(300, "ms")
    .default(3_000)
    .describe(
      "With REDIS_URL: a concurrency slot in Redis lapses this long after its worker stops renewing it (renewed every third of it).",
    ),
  MAX_ATTEMPTS: PositiveInt.default(5).describe("Attempts per request for 5xx, timeouts and connection errors (429 and 401 do not count)."),
  BACKOFF_BASE_MS: PositiveInt.default(500).describe(
    "Backoff ceiling of the first retry, doubled at each retry; the wait is random below it (full jitter).",
  ),
  BACKOFF_MAX_MS: PositiveInt.default(30_000).describe("Cap of the backoff ceiling; must not be below BACKOFF_BASE_MS."),
  RETRY_AFTER_MAX_MS: PositiveInt.default(900_000).describe(
    "Longest wait a Retry-After can impose (15 minutes); a longer one is cut to this. Waits from DEFER_ABOVE_MS up are durable, not held in memory.",
  ),
  DUPLICATE_CALL_POLICY: z
    .enum(["dead_letter", "outcome"])
    .default("dead_letter")
    .describe("409 DUPLICATE_CALL: `dead_letter` (the default) or `outcome` (a plain `duplicate` result)."),
  DEFER_ABOVE_MS: EnvIntAtLeast(1_000, "ms")
    .default(15_000)
    .describe(
      "A wait this long or longer (a Retry-After, a backoff step) is not held in memory: the request waits durably in a deferral tier topic (docs/deferral.md). At least 1000.",
    ),
  PARK_CAMPAIGN_STATUSES: ParkStatuses.describe(
    "Campaign statuses whose CAMPAIGN_NOT_ACTIVE parks the request until the campaign is active (comma-separated); any other status dead-letters. Empty: parking off.",
  ),
  PARK_POLL_INTERVAL_MS: EnvIntAtLeast(1_000, "ms")
    .default(30_000)
    .describe("Each campaign with parked requests is read (GET /campaigns/{id}) this often, once over all replicas. At least 1000."),
  PARK_MAX_AGE_MS: PositiveInt.default(7 * 24 * 3600 * 1000).describe(
    "A request parked this long is dead-lettered `parked_expired` with the campaign's last seen status.",
  ),
  PARK_POLLS_PER_SECOND: z.coerce
    .number({ error: "must be a number of reads per second" })
    .positive("must be above 0")
    .default(5)
    .describe("Most campaign reads one worker starts per second."),
  RECIPIENT_GUARD: z
    .enum(["on", "off"], { error: "must be on or off" })
    .default("on")
    .describe(
      "The recipient guard's calling windows, frequency caps and cooldowns (docs/recipient-protection.md). off: calls at any hour, uncapped (said loudly at start-up); the do-not-call list and route consent still hold.",
    ),
  RECIPIENT_POLICY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      "The recipient policy (YAML: calling windows, caps, overrides by country, region, campaign or route). Unset: the default policy, 08:00-21:00 local every day, at most 3 calls per 24 h.",
    ),
  CIRCUIT_PROBE_INTERVAL_MS: PositiveInt.default(15_000).describe("While the token is refused (401), probe the API this often."),
  LEDGER_TTL_SECONDS: PositiveInt.default(30 * 24 * 3600).describe("How long the ledger remembers a placed call."),
  LEDGER_MAX_ENTRIES: PositiveInt.default(100_000).describe(
    "Without REDIS_URL: most placed calls (and as many attempts) the in-process ledger remembers, oldest dropped first.",
  ),
  COMMIT_INTERVAL_MS: PositiveInt.default(1_000).describe(
    "How often offsets are committed (up to the lowest unfinished record of each partition).",
  ),
  LAG_INTERVAL_MS: PositiveInt.default(10_000).describe("How often the consumer-lag metric is refreshed."),
  SHUTDOWN_TIMEOUT_MS: Ms.default(30_000).describe(
    "SIGTERM: how long in-flight calls may take before they are abandoned (and redelivered later).",
  ),
});

/** The variables the rules across variables read, parsed on their own (defaults applied). */
const CrossFieldVariables = WorkerEnv.pick({
  DEFER_ABOVE_MS: true,
  RETRY_AFTER_MAX_MS: true,
  BACKOFF_BASE_MS: true,
  BACKOFF_MAX_MS: true,
  CONSUMER_SESSION_TIMEOUT_MS: true,
  CONSUMER_HEARTBEAT_INTERVAL_MS: true,
  CLAIM_LEASE_MS: true,
});

/**
 * Rules across variables, on the parsed values, reported with every other problem (zod runs an
 * object's refinements only once the whole object parsed). Each names both values, and says
 * when one is a default the operator never set.
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const parsed = CrossFieldVariables.safeParse(env);
  // A variable that fails on its own is already named.
  if (!parsed.success) return [];
  const e = parsed.data;
  const value = (name: keyof typeof e) => `${name} (${e[name]}${env[name] === undefined ? ", the default" : ""})`;
  const problems: string[] = [];
  // Set above the longest wait there is, nothing would ever be deferred, and nothing would say so.
  // (The default above short caps, as a test stack sets them, just means nothing waits long.)
  if (env.DEFER_ABOVE_MS !== undefined && e.DEFER_ABOVE_MS > Math.max(e.RETRY_AFTER_MAX_MS, e.BACKOFF_MAX_MS)) {
    problems.push(
      `DEFER_ABOVE_MS: ${value("DEFER_ABOVE_MS")} is above the longest wait, ${value("RETRY_AFTER_MAX_MS")} and ${value("BACKOFF_MAX_MS")}: no wait would ever be deferred`,
    );
  }
  if (e.BACKOFF_MAX_MS < e.BACKOFF_BASE_MS)
    problems.push(`BACKOFF_MAX_MS: ${value("BACKOFF_MAX_MS")} must not be below ${value("BACKOFF_BASE_MS")}`);
  if (e.CONSUMER_HEARTBEAT_INTERVAL_MS * 3 > e.CONSUMER_SESSION_TIMEOUT_MS) {
    problems.push(
      `CONSUMER_HEARTBEAT_INTERVAL_MS: ${value("CONSUMER_HEARTBEAT_INTERVAL_MS")} must be at most a third of ${value("CONSUMER_SESSION_TIMEOUT_MS")}`,
    );
  }
  // A dead worker's claims must lapse by the time the group has moved its partitions.
  if (e.CLAIM_LEASE_MS > e.CONSUMER_SESSION_TIMEOUT_MS) {
    problems.push(`CLAIM_LEASE_MS: ${value("CLAIM_LEASE_MS")} must not be above ${value("CONSUMER_SESSION_TIMEOUT_MS")}`);
  }
  return problems;
}

export interface WorkerConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: z.infer<typeof WorkerEnv>["LOG_LEVEL"];
  readonly kafka: {
    readonly brokers: string[];
    readonly clientId: string;
    readonly groupId: string;
    readonly sessionTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
    readonly fetchMaxBytes: number;
  };
  readonly topics: { readonly callRequests: string; readonly deadLetters: string; readonly callResults: string };
  readonly ensureTopics: boolean;
  readonly redisUrl: string | undefined;
  readonly talkover: { readonly baseUrl: string; readonly token: string; readonly timeoutMs: number };
  readonly limits: {
    /** `null`: no rate limit, only the concurrent-call cap. */
    readonly ratePerSecond: number | null;
    readonly burst: number;
    readonly maxConcurrent: number;
    readonly campaigns: ReadonlyMap<string, { ratePerSecond: number; burst: number }>;
  };
  readonly maxInFlight: number;
  readonly claimLeaseMs: number;
  readonly slotLeaseMs: number;
  readonly ledgerMaxEntries: number;
  readonly retry: { readonly maxAttempts: number; readonly baseMs: number; readonly maxMs: number; readonly retryAfterMaxMs: number };
  readonly duplicateCallPolicy: "dead_letter" | "outcome";
  readonly circuitProbeIntervalMs: number;
  /** Waits at least this long are deferred durably, ms. */
  readonly deferAboveMs: number;
  readonly park: {
    readonly statuses: ReadonlySet<CampaignStatus>;
    readonly pollIntervalMs: number;
    readonly maxAgeMs: number;
    readonly pollsPerSecond: number;
  };
  readonly recipients: {
    /** false with RECIPIENT_GUARD=off. */
    readonly policyOn: boolean;
    readonly policy: RecipientPolicy;
    /** Where the policy came from; absent: the default policy. */
    readonly policyFile?: string;
  };
  readonly ledgerTtlSeconds: number;
  readonly commitIntervalMs: number;
  readonly lagIntervalMs: number;
  readonly shutdownTimeoutMs: number;
}

export type ConfigResult = { ok: true; config: WorkerConfig } | { ok: false; problems: string[] };

/** Every problem is named at once; the token never appears in a message. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = WorkerEnv.safeParse(env);
  const crossField = crossFieldProblems(env);
  if (!parsed.success || crossField.length > 0)
    return { ok: false, problems: [...(parsed.success ? [] : envProblems(parsed.error)), ...crossField] };
  const e = parsed.data;
  const policy = e.RECIPIENT_POLICY_FILE
    ? loadRecipientPolicy(e.RECIPIENT_POLICY_FILE)
    : { ok: true as const, policy: DEFAULT_RECIPIENT_POLICY };
  if (!policy.ok) return { ok: false, problems: policy.problems.map((problem) => `RECIPIENT_POLICY_FILE: ${problem}`) };
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      logLevel: e.LOG_LEVEL,
      kafka: {
        brokers: e.KAFKA_BROKERS,
        clientId: e.KAFKA_CLIENT_ID,
        groupId: e.KAFKA_GROUP_ID,
        sessionTimeoutMs: e.CONSUMER_SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: e.CONSUMER_HEARTBEAT_INTERVAL_MS,
        fetchMaxBytes: e.FETCH_MAX_BYTES ?? Math.max(64 * 1024, e.MAX_IN_FLIGHT * 1024),
      },
      topics: { callRequests: e.CALL_REQUESTS_TOPIC, deadLetters: e.DLQ_TOPIC, callResults: e.CALL_RESULTS_TOPIC },
      ensureTopics: e.ENSURE_TOPICS,
      redisUrl: e.REDIS_URL,
      talkover: { baseUrl: e.TALKOVER_BASE_URL, token: e.TALKOVER_API_TOKEN, timeoutMs: e.TALKOVER_TIMEOUT_MS },
      limits: {
        ratePerSecond: e.RATE_LIMIT_PER_SECOND === 0 ? null : e.RATE_LIMIT_PER_SECOND,
        burst: e.RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(e.RATE_LIMIT_PER_SECOND)),
        maxConcurrent: e.MAX_CONCURRENT_CALLS,
        campaigns: e.CAMPAIGN_RATE_LIMITS,
      },
      maxInFlight: e.MAX_IN_FLIGHT,
      claimLeaseMs: e.CLAIM_LEASE_MS,
      slotLeaseMs: e.LIMITER_SLOT_LEASE_MS,
      ledgerMaxEntries: e.LEDGER_MAX_ENTRIES,
      retry: { maxAttempts: e.MAX_ATTEMPTS, baseMs: e.BACKOFF_BASE_MS, maxMs: e.BACKOFF_MAX_MS, retryAfterMaxMs: e.RETRY_AFTER_MAX_MS },
      duplicateCallPolicy: e.DUPLICATE_CALL_POLICY,
      circuitProbeIntervalMs: e.CIRCUIT_PROBE_INTERVAL_MS,
      deferAboveMs: e.DEFER_ABOVE_MS,
      park: {
        statuses: e.PARK_CAMPAIGN_STATUSES,
        pollIntervalMs: e.PARK_POLL_INTERVAL_MS,
        maxAgeMs: e.PARK_MAX_AGE_MS,
        pollsPerSecond: e.PARK_POLLS_PER_SECOND,
      },
      recipients: {
        policyOn: e.RECIPIENT_GUARD === "on",
        policy: policy.policy,
        ...(e.RECIPIENT_POLICY_FILE ? { policyFile: e.RECIPIENT_POLICY_FILE } : {}),
      },
      ledgerTtlSeconds: e.LEDGER_TTL_SECONDS,
      commitIntervalMs: e.COMMIT_INTERVAL_MS,
      lagIntervalMs: e.LAG_INTERVAL_MS,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
  };
}
