import { createRegistry, type Logger, runService, startOpsServer } from "@callbridge/observability";
import { buildWorker } from "./build-worker.js";
import { loadConfig, type WorkerConfig } from "./config.js";
import { StartupError } from "./startup-error.js";

/** Says at start-up which recipient policy holds, and loudly when it is off or weaker than it looks. */
function logRecipientGuard(config: WorkerConfig, logger: Logger): void {
  const { recipients } = config;
  if (!recipients.policyOn) {
    logger.warn(
      { ignoredPolicyFile: recipients.policyFile },
      `RECIPIENT_GUARD=off: calls are placed at any hour of the recipient's day and night, with no frequency cap or cooldown; only the do-not-call list and route consent are checked${recipients.policyFile ? " (RECIPIENT_POLICY_FILE is not used)" : ""}`,
    );
  } else {
    logger.info({ policy: recipients.policyFile ?? "the default policy" }, "recipient guard on");
  }
  if (!config.redisUrl) {
    logger.warn(
      "REDIS_URL is not set: the do-not-call list (callbridge suppress, CRM opt-outs) is not checked, and frequency caps count this process's calls only",
    );
  }
}

await runService<WorkerConfig>(
  {
    name: "worker",
    loadConfig,
    // The drain's own deadline, plus time to commit, flush results and close connections.
    shutdownDeadlineMs: (config) => config.shutdownTimeoutMs + 15_000,
    async start({ config, logger, shutdown }) {
      if (!config.redisUrl) {
        logger.warn(
          "REDIS_URL is not set: the idempotency ledger and the rate limiter are in-process (one replica only; a restart forgets placed calls)",
        );
      }
      logRecipientGuard(config, logger);
      const registry = createRegistry();
      const worker = buildWorker(config, { logger, registry });
      shutdown.add("worker", () => worker.stop());
      const ops = await startOpsServer({ registry, port: config.port, host: config.host, readiness: () => worker.readiness() });
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
      return { failed: worker.failed };
    },
    describeStartupError: (error) => (error instanceof StartupError ? error.message : undefined),
  },
  process.env,
);
