import { type KafkaOperationError, wrapKafkaError } from "./errors.js";

/**
 * Broker answers that describe a cluster in the middle of a change, not a fault: a partition
 * whose leader is being elected (a topic just created, a broker just restarted). kafkajs asks
 * for the metadata of every topic when it connects or lists topics, and fails the whole request
 * when any one topic answers so — even a topic another client created a moment ago.
 */
const IN_FLUX_CODES = new Set(["LEADER_NOT_AVAILABLE", "NOT_LEADER_OR_FOLLOWER", "NOT_LEADER_FOR_PARTITION"]);

/** Whether the error is the cluster changing (see IN_FLUX_CODES), worth waiting out. */
export function clusterInFlux(error: KafkaOperationError): boolean {
  return error.code !== undefined && IN_FLUX_CODES.has(error.code);
}

export interface InFluxRetryOptions {
  /** How long to keep trying while the cluster is in flux, in ms; 30 s by default. */
  readonly budgetMs?: number;
  /** Pause between tries, in ms; 250 by default. */
  readonly pauseMs?: number;
}

/**
 * Runs `operation`, trying again while it fails only because the cluster is in flux, for at
 * most `budgetMs`. Any other error, or the budget spent, is thrown as a KafkaOperationError.
 */
export async function whileClusterInFlux<T>(
  operation: KafkaOperationError["operation"],
  run: () => Promise<T>,
  options: InFluxRetryOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.budgetMs ?? 30_000);
  for (;;) {
    try {
      return await run();
    } catch (error) {
      const wrapped = wrapKafkaError(operation, error);
      if (!clusterInFlux(wrapped) || Date.now() >= deadline) throw wrapped;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 250));
    }
  }
}
