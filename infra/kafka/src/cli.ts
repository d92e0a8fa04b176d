#!/usr/bin/env node
import { parseArgs } from "node:util";
import { kafkaStatus, startKafka, stopKafka } from "./launcher.js";
import { KAFKA_VERSION } from "./versions.js";

const USAGE = `usage: callbridge-kafka <up|down|status> [--name <instance>] [--port <port>] [--fresh]

  up      start a single-node Kafka ${KAFKA_VERSION} (KRaft) from Maven Central jars, unless it runs;
          the last line printed is KAFKA_BROKERS=host:port
  down    stop it (SIGTERM; the data stays for the next start)
  status  say whether it runs and answers

  --name   instance (own ports, data and logs); default "local"
  --port   client port for a new start; default 19092, or a free one when taken
  --fresh  wipe the instance's data before starting`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string", default: "local" },
      port: { type: "string" },
      fresh: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_535)) {
    console.error(`--port must be a port number, got "${values.port}"`);
    return 2;
  }
  const log = (line: string) => console.error(line);
  switch (command) {
    case "up": {
      const instance = await startKafka({ env: process.env, name: values.name, ...(port ? { port } : {}), fresh: values.fresh, log });
      log(
        instance.started
          ? `Kafka ${KAFKA_VERSION} started (pid ${instance.pid}); logs: ${instance.logFile}`
          : `Kafka already running (pid ${instance.pid})`,
      );
      console.log(`KAFKA_BROKERS=${instance.brokers}`);
      return 0;
    }
    case "down": {
      const stopped = await stopKafka({ env: process.env, name: values.name });
      log(stopped ? `Kafka instance "${values.name}" stopped` : `Kafka instance "${values.name}" was not running`);
      return 0;
    }
    case "status": {
      const status = await kafkaStatus({ env: process.env, name: values.name });
      console.log(
        status.running
          ? `${status.name}: running (pid ${status.pid}), ${status.ready ? "ready" : "not answering"} at ${status.brokers}`
          : `${status.name}: not running`,
      );
      return status.running && status.ready ? 0 : 1;
    }
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`callbridge-kafka: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
