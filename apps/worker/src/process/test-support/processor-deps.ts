import { createLogger, createRegistry } from "@callbridge/observability";
import { createWorkerMetrics } from "../../metrics.js";
import { ThrottledLog } from "../../throttled-log.js";
import { AuthCircuit } from "../circuit.js";
import type { CallGate, ProcessorDeps } from "../process-request.js";

/**
 * The parts of ProcessorDeps the processor's unit tests share: a silent logger, a limiter that
 * runs every task at once, a closed circuit that accepts the token, fresh metrics, and a
 * random source fixed at 0 (no jitter). Each test adds its client, ledger, policy and parking.
 */
export function commonProcessorDeps(): Pick<ProcessorDeps, "gate" | "circuit" | "metrics" | "logger" | "warnings" | "random"> {
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
  };
}
