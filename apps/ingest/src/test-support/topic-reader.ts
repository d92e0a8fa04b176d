import { type ConsumedRecord, KafkaClient, readTopicSnapshot } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";

/** Every record in a topic right now (see `readTopicSnapshot`). */
export function readTopic(brokers: string, topic: string, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const client = new KafkaClient({
    brokers: [brokers],
    clientId: "topic-reader",
    logger: createLogger({ name: "reader", level: "silent" }),
  });
  return readTopicSnapshot(client, topic, { timeoutMs });
}
