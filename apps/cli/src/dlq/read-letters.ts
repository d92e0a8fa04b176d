import type { CliContext } from "../context.js";
import { cliKafka, connectAdmin, requireTopic } from "../kafka.js";
import { type ReadEnd, type ReadVerdict, readTopic } from "../read-topic.js";
import { type Letter, letterOf } from "./letter.js";

/**
 * Streams the dead letters in the topic now, partition by partition and oldest first, a fetch
 * at a time (see readTopic): nothing holds the whole topic.
 */
export async function forEachLetter(
  context: CliContext,
  onLetters: (letters: readonly Letter[]) => Promise<ReadVerdict> | ReadVerdict,
  options: { partitions?: readonly number[] } = {},
): Promise<ReadEnd> {
  const kafka = cliKafka(context.brokers);
  const admin = await connectAdmin(kafka, context.brokers);
  try {
    await requireTopic(admin, context.topics.deadLetters);
  } finally {
    await admin.disconnect();
  }
  return readTopic(kafka, context.topics.deadLetters, (records) => onLetters(records.map(letterOf)), {
    signal: context.signal,
    ...options,
  });
}
