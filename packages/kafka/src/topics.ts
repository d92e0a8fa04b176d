import { DEFAULT_TOPICS, DEFERRAL_TIERS, deferralTopic, type TopicRole } from "@callbridge/schemas";

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  /** Copies of each partition; default min(3, brokers in the cluster). */
  readonly replicationFactor?: number;
  /** Further topic configs, e.g. `cleanup.policy`. */
  readonly config?: Readonly<Record<string, string>>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicCatalogOptions {
  /** Topic names by role; defaults are `DEFAULT_TOPICS`. */
  readonly names?: Partial<Record<TopicRole, string>>;
  /** Partitions of the requests and results topics. */
  readonly partitions?: number;
}

/**
 * The topics callbridge owns. Requests and results have enough partitions for the worker's
 * replicas; dead letters are few and kept longer, because people read them after incidents.
 */
export function topicCatalog(options: TopicCatalogOptions = {}): Record<TopicRole, TopicSpec> {
  const names = { ...DEFAULT_TOPICS, ...options.names };
  const partitions = options.partitions ?? 12;
  return {
    callRequests: { name: names.callRequests, partitions, retentionMs: 7 * DAY_MS },
    callRequestsDlq: { name: names.callRequestsDlq, partitions: 3, retentionMs: 30 * DAY_MS },
    callResults: { name: names.callResults, partitions, retentionMs: 7 * DAY_MS },
    // One record per replayed letter, kept as long as the letters (compaction keeps the latest per letter).
    dlqReplays: { name: names.dlqReplays, partitions: 1, retentionMs: 30 * DAY_MS, config: { "cleanup.policy": "compact,delete" } },
  };
}

/**
 * The deferral tier topics of a requests topic (docs/deferral.md): as many partitions, kept as
 * long, and compacted by idempotency key, so a request parked for days (written again at every
 * check) takes the space of its latest copy, not of every copy. Segments roll hourly so
 * compaction can reach them. A record may be a little larger than on the requests topic (the
 * deferral's headers): the limit leaves 64 KiB for them.
 */
export function deferralTopicSpecs(callRequestsTopic: string, partitions = 12): TopicSpec[] {
  return DEFERRAL_TIERS.map((tier) => ({
    name: deferralTopic(callRequestsTopic, tier),
    partitions,
    retentionMs: 7 * DAY_MS,
    config: { "cleanup.policy": "compact,delete", "segment.ms": String(60 * 60 * 1000), "max.message.bytes": String(1_048_588 + 65_536) },
  }));
}
