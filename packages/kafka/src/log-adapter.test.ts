import { Writable } from "node:stream";
import { createLogger } from "@callbridge/observability";
import { logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { kafkaLogLevel, pinoLogCreator } from "./log-adapter.js";

/** A pino destination that keeps the lines written to it. */
function capture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe("kafkajs logs through pino", () => {
  it("writes kafkajs entries as JSON lines of the component kafkajs, with their namespace and fields", () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: "worker", level: "info", destination });
    const log = pinoLogCreator(logger)(logLevel.INFO);
    log({
      namespace: "Consumer",
      level: logLevel.WARN,
      label: "WARN",
      log: { message: "Restarting the consumer", timestamp: "x", logger: "kafkajs", groupId: "g1", retryCount: 2 },
    });
    log({
      namespace: "Connection",
      level: logLevel.DEBUG,
      label: "DEBUG",
      log: { message: "too chatty", timestamp: "x", logger: "kafkajs" },
    });
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      name: "worker",
      component: "kafkajs",
      level: "warn",
      namespace: "Consumer",
      groupId: "g1",
      retryCount: 2,
      msg: "Restarting the consumer",
    });
    expect(entries[0]).not.toHaveProperty("logger");
  });

  it("logs a retried protocol error as a warning and generic notices as debug", () => {
    const { lines, destination } = capture();
    const log = pinoLogCreator(createLogger({ name: "w", level: "info", destination }))(logLevel.INFO);
    log({
      namespace: "Connection",
      level: logLevel.ERROR,
      label: "ERROR",
      log: { message: "Response InitProducerId", timestamp: "x", logger: "kafkajs" },
    });
    log({
      namespace: "Producer",
      level: logLevel.WARN,
      label: "WARN",
      log: { message: "Limiting retries for the idempotent producer may invalidate EoS guarantees", timestamp: "x", logger: "kafkajs" },
    });
    log({ namespace: "Consumer", level: logLevel.ERROR, label: "ERROR", log: { message: "Crash", timestamp: "x", logger: "kafkajs" } });
    expect(lines.map((line) => (JSON.parse(line) as { level: string; msg: string }).level)).toEqual(["warn", "error"]);
  });

  it("keeps connection failures out of the log until the client has connected once, then logs them", () => {
    const { lines, destination } = capture();
    const connection = { established: false };
    const log = pinoLogCreator(createLogger({ name: "w", level: "info", destination }), connection)(logLevel.INFO);
    const refused = (namespace: string) =>
      log({
        namespace,
        level: logLevel.ERROR,
        label: "ERROR",
        log: { message: "Connection error: connect ECONNREFUSED", timestamp: "x", logger: "kafkajs" },
      });
    refused("BrokerPool");
    refused("Connection");
    log({ namespace: "Consumer", level: logLevel.ERROR, label: "ERROR", log: { message: "Crash", timestamp: "x", logger: "kafkajs" } });
    expect(lines).toHaveLength(1);
    connection.established = true;
    refused("BrokerPool");
    expect(lines.map((line) => (JSON.parse(line) as { namespace: string }).namespace)).toEqual(["Consumer", "BrokerPool"]);
  });

  it("asks kafkajs for no more than pino will print", () => {
    expect(kafkaLogLevel(createLogger({ name: "t", level: "warn" }))).toBe(logLevel.WARN);
    expect(kafkaLogLevel(createLogger({ name: "t", level: "silent" }))).toBe(logLevel.NOTHING);
    expect(kafkaLogLevel(createLogger({ name: "t", level: "debug" }))).toBe(logLevel.DEBUG);
  });
});
