import { createLogger, createRegistry, ShutdownManager } from "@callbridge/observability";
import { buildWorker } from "./build-worker.js";
import { loadConfig } from "./config.js";
import { startOpsServer } from "./http/server.js";
import { StartupError } from "./startup-error.js";

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
const worker = buildWorker(config, { logger, registry });
const shutdown = new ShutdownManager(logger, config.shutdownTimeoutMs + 15_000).add("worker", () => worker.stop());
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
      limiter: worker.readiness().limiter,
    },
    "worker started",
  );
} catch (error) {
  if (error instanceof StartupError) logger.fatal({ what: error.what }, `worker could not start: ${error.message}`);
  else logger.fatal({ err: error }, "worker could not start");
  await shutdown.run("start-up failed");
  process.exit(1);
}

void worker.failed.then(async (error) => {
  logger.fatal(`worker stopped: ${error.message}`);
  await shutdown.run("consumer failed");
  process.exit(1);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void shutdown.run(signal).then((clean) => process.exit(clean ? 0 : 1));
  });
}
