import type { WorkerConfig } from "./config.js";

/** The worker could not start because a service it needs did not answer; `message` names the setting. */
export class StartupError extends Error {
  readonly kind = "startup";

  constructor(
    readonly what: "kafka" | "redis" | "topics",
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = "StartupError";
  }
}

/** Topics the worker needs are missing and ENSURE_TOPICS=false: name them, and how to create them. */
export function missingTopicsError(missing: readonly string[]): StartupError {
  return new StartupError(
    "topics",
    `these topics do not exist and ENSURE_TOPICS=false: ${missing.join(", ")}; create them with \`callbridge topics ensure\` (the deferral tiers included) or start the worker once with ENSURE_TOPICS=true`,
    { cause: undefined },
  );
}

/** One line an operator can act on: which service, where (never a password), which variable, and why. */
export function startupError(what: "kafka" | "redis", config: WorkerConfig, error: unknown): StartupError {
  const target =
    what === "kafka" ? `Kafka at ${config.kafka.brokers.join(", ")} (KAFKA_BROKERS)` : `Redis at ${hostOf(config.redisUrl)} (REDIS_URL)`;
  const detail = error instanceof Error ? error.message : String(error);
  return new StartupError(what, `cannot reach ${target}: ${detail}`, { cause: error });
}

function hostOf(url: string | undefined): string {
  if (!url) return "(unset)";
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "(unparsable URL)";
  }
}
