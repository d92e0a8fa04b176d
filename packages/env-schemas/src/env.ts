import { z } from "zod";
import { parseBrokerList } from "./brokers.js";

/**
 * Pieces every app's env schema shares, so one variable means and reads the same everywhere.
 * Each app's `config.ts` still owns its schema; only `main.ts` passes it `process.env`.
 */
export const EnvPort = z.coerce.number({ error: "must be a port number" }).int().min(0).max(65_535);
export const EnvPositiveInt = z.coerce.number({ error: "must be a whole number above 0" }).int().positive();
export const EnvMilliseconds = z.coerce.number({ error: "must be a number of milliseconds" }).int().min(0);

/** A whole number of at least `min` (`unit` named in the message, e.g. "ms"): one problem per bad value, saying the floor. */
export function EnvIntAtLeast(min: number, unit = "") {
  const what = `must be a whole number${unit ? ` of ${unit}` : ""} of at least ${min}`;
  return z.coerce.number({ error: what }).int({ error: what }).min(min, { error: what });
}

export const EnvLogLevel = z
  .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
  .default("info")
  .describe("Lowest level written to the JSON logs (pino).");

const BROKERS_REQUIRED = "is required (e.g. 127.0.0.1:19092; `pnpm kafka:up` prints one)";
export const EnvKafkaBrokers = z
  .string({ error: BROKERS_REQUIRED })
  .min(1, BROKERS_REQUIRED)
  .transform((text, context) => {
    // Checked here: kafkajs would turn `garbage` into port NaN and fail deep in Node's sockets.
    const parsed = parseBrokerList(text);
    if (parsed.ok) return parsed.brokers;
    context.addIssue({ code: "custom", message: parsed.problem });
    return z.NEVER;
  })
  .describe("Comma-separated `host:port` of the Kafka brokers.");

/** One line per problem, `VARIABLE: what is wrong`, for the start-up message. */
export function envProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`);
}
