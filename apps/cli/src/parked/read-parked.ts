import { deferralGroupId, deferralTopics } from "@callbridge/schemas";
import type { CliContext } from "../context.js";
import { CliError, interruptedError } from "../errors.js";
import { cliKafka, connectAdmin } from "../kafka.js";
import { readTopic } from "../read-topic.js";
import { LatestCopies } from "./pending.js";
import { type TierCopy, tierCopyOf } from "./tier-copy.js";

/** The worker's consumer group when neither `--group` nor KAFKA_GROUP_ID says otherwise. */
export const DEFAULT_WORKER_GROUP = "callbridge-worker";

/**
 * The requests parked now: on every tier topic of the requests topic, the records from the
 * committed offset of the workers' tier group (`deferralGroupId` of the worker group) (the low watermark where it has none) up to the high
 * watermark, reduced to the latest copy per request and kept when that copy is parked
 * (see LatestCopies). The tiers are read at once, each partition a fetch at a time.
 *
 * Fails (CliError, exit 1) when Kafka does not answer or a tier topic is missing (no worker
 * with durable deferral has started against this requests topic); exit 130/143 when stopped.
 */
export async function readParked(context: CliContext, groupId: string): Promise<TierCopy[]> {
  const topics = deferralTopics(context.topics.callRequests);
  const kafka = cliKafka(context.brokers);
  const admin = await connectAdmin(kafka, context.brokers);
  const committed = new Map<string, Map<number, bigint>>();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) throw missingTiersError(context.topics.callRequests, missing, topics.length);
    for (const topic of topics) {
      const lag = await admin.consumerLag(deferralGroupId(groupId), topic);
      committed.set(topic, new Map(lag.flatMap((p) => (p.committed === null ? [] : [[p.partition, BigInt(p.committed)] as const]))));
    }
  } finally {
    await admin.disconnect();
  }
  const latest = new LatestCopies();
  const reads = await Promise.allSettled(
    topics.map((topic) =>
      readTopic(
        kafka,
        topic,
        (records) => {
          for (const record of records) latest.add(tierCopyOf(record));
          return "more";
        },
        { signal: context.signal, from: (partition) => committed.get(topic)?.get(partition) },
      ),
    ),
  );
  for (const read of reads) if (read.status === "rejected") throw read.reason;
  if (reads.some((read) => read.status === "fulfilled" && read.value === "aborted")) {
    throw interruptedError(context.signal, "the tier topics were not read to the end; nothing is listed");
  }
  return latest.parked();
}

function missingTiersError(requestsTopic: string, missing: readonly string[], tiers: number): CliError {
  if (missing.length === tiers) {
    return new CliError(
      `the deferral tier topics of ${requestsTopic} do not exist (${missing.join(", ")}): no worker with durable deferral has started against this requests topic, so nothing is parked`,
    );
  }
  return new CliError(
    `deferral tier topic${missing.length === 1 ? "" : "s"} ${missing.join(", ")} missing: a worker creates them when it starts`,
  );
}
