import { readTopicSnapshot } from "@callbridge/kafka";
import type { CliContext } from "../context.js";
import { cliKafka, connectAdmin, requireTopic } from "../kafka.js";
import { type Letter, letterOf } from "./letter.js";

/** Every dead letter in the topic now, oldest first per partition. */
export async function readLetters(context: CliContext): Promise<Letter[]> {
  const kafka = cliKafka(context.brokers);
  const admin = await connectAdmin(kafka, context.brokers);
  try {
    await requireTopic(admin, context.topics.deadLetters);
  } finally {
    await admin.disconnect();
  }
  const records = await readTopicSnapshot(kafka, context.topics.deadLetters, { timeoutMs: 60_000 });
  return records.map(letterOf);
}
