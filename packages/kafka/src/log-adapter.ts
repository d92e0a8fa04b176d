import type { Logger } from "@callbridge/observability";
import { type logCreator, logLevel } from "kafkajs";

/** kafkajs log lines go through our pino logger, as child `component: kafkajs`, with its namespace. */
export function pinoLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      const line = { namespace, ...fields };
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
