import { createLogger, createRegistry } from "@callbridge/observability";
import { DEFAULT_RECIPIENT_POLICY } from "@callbridge/recipient-policy";
import { createWorkerMetrics } from "../../metrics.js";
import { RecipientGuard } from "../../recipients/recipient-guard.js";
import { InProcessRecipientStore } from "../../recipients/recipient-store.js";
import { ThrottledLog } from "../../throttled-log.js";
import { AuthCircuit } from "../circuit.js";
import type { CallGate, ProcessorDeps } from "../process-request.js";

/**
 * The parts of ProcessorDeps the processor's unit tests share: a silent logger, a limiter that
 * runs every task at once, a closed circuit that accepts the token, fresh metrics, and a
 * random source fixed at 0 (no jitter), and the recipient guard with its policy off (the hour of
 * the day must not decide these tests; recipient-guard tests turn it on). Each test adds its
 * client, ledger, policy and parking.
 */
export function commonProcessorDeps(): Pick<ProcessorDeps, "gate" | "circuit" | "metrics" | "logger" | "warnings" | "random" | "guard"> {
  const logger = createLogger({ name: "t", level: "silent" });
  const gate: CallGate = { run: (_campaign, task) => task(), throttled: () => {} };
  return {
    gate,
    circuit: new AuthCircuit(
      async () => true,
      60_000,
      logger,
      () => {},
    ),
    metrics: createWorkerMetrics(createRegistry()),
    logger,
    warnings: new ThrottledLog(logger),
    random: () => 0,
    guard: new RecipientGuard({ policyOn: false, policy: DEFAULT_RECIPIENT_POLICY, store: new InProcessRecipientStore() }),
  };
}
