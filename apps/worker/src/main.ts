import { KafkaClient } from "@callbridge/kafka";
import { createLogger, createRegistry, ShutdownManager } from "@callbridge/observability";
import { TalkoverClient } from "@callbridge/talkover-client";
import { loadConfig } from "./config.js";
import { startOpsServer } from "./http/server.js";
import { createLedger } from "./ledger/create-ledger.js";
import { createLimiter } from "./limiter/create-limiter.js";
import { createWorker } from "./worker.js";

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  console.error(`worker: invalid configuration\n  ${loaded.problems.join("\n  ")}`);
  process.exit(2);
}
const { config } = loaded;
const logger = createLogger({ name: "worker", level: config.logLevel });
if (!config.redisUrl) {
  logger.warn(
    "REDIS_URL is not set: the idempotency ledger and the rate limiter are in-process (one replica only; a restart forgets placed calls)",
  );
}

const registry = createRegistry();
const kafka = new KafkaClient({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, logger });
const client = new TalkoverClient({
  baseUrl: config.talkover.baseUrl,
  token: config.talkover.token,
  timeoutMs: config.talkover.timeoutMs,
  connections: config.limits.maxConcurrent * 2,
});
const ledger = createLedger(config);
const worker = createWorker(config, {
  logger,
  kafka,
  client,
  ledger,
  registry,
  createLimiter: (observer) => createLimiter(config, logger, observer),
});

const shutdown = new ShutdownManager(logger, config.shutdownTimeoutMs + 15_000)
  .add("worker", () => worker.stop())
  .add("talkover client", () => client.close());
try {
  const ops = await startOpsServer({ port: config.port, host: config.host, registry, readiness: () => worker.readiness() });
  shutdown.add("ops server", () => ops.close());
  await worker.start();
  logger.info(
    {
      ops: ops.url,
      talkover: config.talkover.baseUrl,
      rate: config.limits.ratePerSecond ?? "unlimited",
      maxConcurrent: config.limits.maxConcurrent,
    },
    "worker started",
  );
} catch (error) {
  logger.fatal({ err: error }, "worker could not start");
  await shutdown.run("start-up failed");
  process.exit(1);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void shutdown.run(signal).then((clean) => process.exit(clean ? 0 : 1));
  });
}
