import type { Logger } from "@callbridge/observability";
import { type logCreator, logLevel } from "kafkajs";

/** kafkajs start-up notices that say nothing about this deployment. */
const NOTICES = ["Limiting retries for the idempotent producer"];

/**
 * kafkajs log lines go through our pino logger, as child `component: kafkajs`, with its
 * namespace. Two adjustments: a failed protocol response (namespace Connection) is logged by
 * kafkajs at error although it retries it, so it is a warning here; generic notices are debug.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level: kafkaLevel, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      const line = { namespace, ...fields };
      let level = kafkaLevel;
      if (level === logLevel.ERROR && namespace === "Connection") level = logLevel.WARN;
      if (NOTICES.some((notice) => message.startsWith(notice))) level = logLevel.DEBUG;
      switch (level) {
        case logLevel.ERROR:
          return log.error(line, message);
        case logLevel.WARN:
          return log.warn(line, message);
        case logLevel.INFO:
          return log.info(line, message);
        case logLevel.DEBUG:
          return log.debug(line, message);
        default:
          return undefined;
      }
    };
}

/** kafkajs filters before calling us; pass it the level pino is at so debug work is skipped. */
export function kafkaLogLevel(logger: Logger): logLevel {
  switch (logger.level) {
    case "trace":
    case "debug":
      return logLevel.DEBUG;
    case "info":
      return logLevel.INFO;
    case "warn":
      return logLevel.WARN;
    case "silent":
      return logLevel.NOTHING;
    default:
      return logLevel.ERROR;
  }
}
