import type { Logger } from "@callbridge/observability";
import { type logCreator, logLevel } from "kafkajs";

/** kafkajs start-up notices that say nothing about this deployment. */
const NOTICES = ["Limiting retries for the idempotent producer"];

/** Whether this client ever reached the cluster; shared by its producers, consumers and admins. */
export interface ConnectionState {
  established: boolean;
}

/** kafkajs namespaces whose lines, before a first connection, only repeat "cannot connect yet". */
const CONNECTING = new Set(["Connection", "BrokerPool"]);

/**
 * kafkajs log lines go through our pino logger, as child `component: kafkajs`, with its
 * namespace. Three adjustments: a failed protocol response (namespace Connection) is logged by
 * kafkajs at error although it retries it, so it is a warning here; generic notices are debug;
 * and until the client has connected once, its retried connection failures are debug, since
 * whoever connects reports the failure in one line of its own (an unreachable broker at
 * start-up); after that, an outage is logged as it happens.
 */
export function pinoLogCreator(logger: Logger, connection: ConnectionState = { established: true }): logCreator {
  const log = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level: kafkaLevel, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      const line = { namespace, ...fields };
      let level = kafkaLevel;
      if (level === logLevel.ERROR && namespace === "Connection") level = logLevel.WARN;
      if (NOTICES.some((notice) => message.startsWith(notice))) level = logLevel.DEBUG;
      if (!connection.established && CONNECTING.has(namespace)) level = logLevel.DEBUG;
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
