import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * Paths pino blanks wherever they appear in a log object. Tokens, secrets and signatures must
 * never reach a log line, whatever a caller passes in.
 */
export const REDACTED_PATHS = [
  "token",
  "apiToken",
  "secret",
  "password",
  "signature",
  "authorization",
  "*.token",
  "*.apiToken",
  "*.secret",
  "*.password",
  "*.signature",
  "*.authorization",
  'headers["authorization"]',
  'headers["x-hubspot-signature"]',
  'headers["x-hubspot-signature-v3"]',
  'headers["webhook-signature"]',
  'req.headers["authorization"]',
];

export interface LoggerConfig {
  /** Name of the app or package, the `name` field of every line. */
  readonly name: string;
  readonly level?: LogLevel;
  /** Where lines go; stdout when absent. Tests pass a stream to read what was logged. */
  readonly destination?: DestinationStream;
  /** Fields merged into every line (the active span's `trace_id`/`span_id` when tracing is on). */
  readonly mixin?: () => object | undefined;
}

/** The one way callbridge makes a root logger: JSON lines, ISO times, secrets redacted. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level ?? "info",
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
  };
  const { mixin } = config;
  if (mixin) options.mixin = () => mixin() ?? {};
  return config.destination ? pino(options, config.destination) : pino(options);
}
