import { type Admin, deferralTopicSpecs } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import { deferralTopics } from "@callbridge/schemas";
import type { WorkerConfig } from "./config.js";
import type { WriteLimits } from "./consume/dispatcher.js";
import { missingTopicsError } from "./startup-error.js";

/**
 * The topics the worker reads and writes: created when missing (ENSURE_TOPICS), the deferral
 * tiers among them; else checked, and a missing one named in a StartupError. `step` runs each
 * broker request, turning its failure into the start-up error that names KAFKA_BROKERS.
 */
export async function prepareTopics(
  admin: Admin,
  config: WorkerConfig,
  log: Logger,
  step: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const { topics } = config;
  if (config.ensureTopics) {
    const names = { callRequests: topics.callRequests, callRequestsDlq: topics.deadLetters, callResults: topics.callResults };
    const result = await step(() => admin.ensureCatalogTopics(["callRequests", "callRequestsDlq", "callResults"], { names }));
    const tiers = await step(() => admin.ensureTopics(deferralTopicSpecs(topics.callRequests)));
    const created = [...result.created, ...tiers.created];
    if (created.length > 0) log.info({ topics: created }, "created topics");
    return;
  }
  const existing = new Set(await step(() => admin.listTopics()));
  const needed = [topics.callRequests, ...deferralTopics(topics.callRequests), topics.deadLetters, topics.callResults];
  const missing = needed.filter((topic) => !existing.has(topic));
  if (missing.length > 0) throw missingTopicsError(missing);
}

/** The size limits of the topics the worker writes, from the broker (see Admin.writeLimits). */
export async function writeLimits(admin: Admin, config: WorkerConfig, log: Logger): Promise<WriteLimits> {
  const topics = [config.topics.callResults, config.topics.deadLetters];
  const limitOf = await admin.writeLimits(topics, (error) => {
    log.warn({ err: error, topics }, "could not read the topics' max.message.bytes; assuming the broker default");
  });
  return { callResults: limitOf(config.topics.callResults), deadLetters: limitOf(config.topics.deadLetters) };
}

/** How many partitions each deferral tier topic has (a tier that cannot be described is left out). */
export async function tierPartitions(admin: Admin, config: WorkerConfig, log: Logger): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const topic of deferralTopics(config.topics.callRequests)) {
    try {
      counts.set(topic, (await admin.describeTopic(topic)).partitions.length);
    } catch (error) {
      log.warn({ err: error, topic }, "could not read a deferral tier's partitions; its records go where their key hashes");
    }
  }
  return counts;
}
