import { startTracing, tracingSettingsFromEnv } from "@callbridge/observability";
import { usageError } from "./errors.js";

/** The service name of the CLI's spans, unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) names another. */
const CLI_SERVICE_NAME = "callbridge-cli";

/**
 * Runs a command with tracing as the standard OTEL_* variables in `env` ask (off unless they
 * do; a variable that is wrong stops the command before it starts, naming the variable). The
 * spans are exported before it returns, also when the command failed or was stopped: a CLI
 * exits right after, so nothing may stay buffered. An export that fails is one line on stderr,
 * not a failure of the command.
 */
export async function withTracing<T>(
  env: Readonly<Record<string, string | undefined>>,
  err: (text: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const parsed = tracingSettingsFromEnv(env);
  if (!parsed.ok) throw usageError(parsed.problems.join("; "));
  const tracing = startTracing(parsed.settings, CLI_SERVICE_NAME);
  try {
    return await work();
  } finally {
    await tracing.shutdown().catch((error: unknown) => {
      const { settings } = parsed;
      const where = settings.enabled && settings.exporters.includes("otlp") ? ` to ${settings.otlpUrl}` : "";
      err(`callbridge: spans not exported${where}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n`);
    });
  }
}
