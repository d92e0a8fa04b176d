import { randomUUID } from "node:crypto";
import type { Admin, BatchHandler, KafkaClient } from "@callbridge/kafka";
import { CallResult } from "@callbridge/schemas";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { cliKafka, connectAdmin, requireTopic, rootMessage } from "../kafka.js";

/** Results written to the results topic since a watch began, as they arrive. */
export interface ResultsWatch {
  /** Every result read so far, in the order read (records that are not a CallResult are left out). */
  readonly results: readonly CallResult[];
  /** Throws when the read failed for good (the consumer crashed and will not restart). */
  throwIfFailed(): void;
  /** Stops reading and deletes the watch's consumer group; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts reading the results topic from its end offsets as they are now, so that what arrives
 * from here on is seen however late the group join completes. The read joins a throwaway
 * group that never commits (kafkajs has no group-less consumer) and deletes it on `stop`.
 */
export async function watchResults(context: CliContext): Promise<ResultsWatch> {
  const topic = context.topics.callResults;
  const kafka = cliKafka(context.brokers);
  const admin = await connectAdmin(kafka, context.brokers);
  let firstOffsets: Map<number, bigint>;
  try {
    await requireTopic(admin, topic);
    const { partitions } = await admin.describeTopic(topic);
    firstOffsets = new Map(partitions.map((p) => [p.partition, BigInt(p.high)]));
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    if (error instanceof CliError) throw error;
    throw new CliError(`reading ${topic} failed: ${rootMessage(error)}`);
  }
  return startConsumer(kafka, admin, topic, firstOffsets);
}

async function startConsumer(
  kafka: KafkaClient,
  admin: Admin,
  topic: string,
  firstOffsets: ReadonlyMap<number, bigint>,
): Promise<ResultsWatch> {
  const results: CallResult[] = [];
  let failure: Error | undefined;
  const groupId = `callbridge-cli-demo-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 200, heartbeatIntervalMs: 1_000 });
  const stopWatching = consumer.on((event) => {
    if (event.type === "crashed" && !event.willRestart) failure = new CliError(`reading ${topic} failed: ${rootMessage(event.error)}`);
  });
  // A fresh group starts at the earliest record: the records before the watch are fetched and skipped.
  const handler: BatchHandler = (batch) => {
    const first = firstOffsets.get(batch.partition) ?? 0n;
    for (const record of batch.records) {
      if (BigInt(record.offset) < first || record.value === null) continue;
      const parsed = CallResult.safeParse(parseJson(record.value.toString("utf8")));
      if (parsed.success) results.push(parsed.data);
    }
    return batch.records.length;
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= consumer
      .disconnect()
      .catch(() => undefined)
      .finally(() => stopWatching())
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
    return stopping;
  };
  try {
    await consumer.connect();
    await consumer.subscribe([topic]);
    await consumer.run(handler);
  } catch (error) {
    await stop();
    throw new CliError(`reading ${topic} failed: ${rootMessage(error)}`);
  }
  return {
    results,
    throwIfFailed: () => {
      if (failure) throw failure;
    },
    stop,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
