import type { TopicPartitions } from "@callbridge/kafka";
import { sleep } from "../process/sleep.js";

/** Topic-partitions grouped by topic, as the consumer's pause and resume take them. */
export function byTopic(targets: readonly { topic: string; partition: number }[]): TopicPartitions[] {
  const grouped = new Map<string, number[]>();
  for (const { topic, partition } of targets) grouped.set(topic, [...(grouped.get(topic) ?? []), partition]);
  return [...grouped].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Whether `promise` settles within `ms`; the timer does not outlive the answer. */
export async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = await Promise.race([promise.then(() => true), sleep(Math.max(0, ms), timer.signal).then(() => false)]);
  timer.abort();
  return settled;
}
