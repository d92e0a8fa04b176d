import type { TopicRole } from "@callbridge/schemas";
import kafkajs, { type Kafka, type Admin as KafkaJsAdmin } from "kafkajs";
import { whileClusterInFlux } from "./cluster-in-flux.js";
import { wrapKafkaError } from "./errors.js";
import type { ConnectionState } from "./log-adapter.js";
import { DEFAULT_MAX_MESSAGE_BYTES } from "./record-size.js";
import { type TopicCatalogOptions, type TopicSpec, topicCatalog } from "./topics.js";

const ADMIN_ATTEMPTS = 5;

export interface PartitionLag {
  readonly partition: number;
  /** Next offset the broker will write. */
  readonly high: string;
  /** Next offset the group will read; `null` when the group never committed here. */
  readonly committed: string | null;
  /** Records written but not yet committed by the group. */
  readonly lag: number;
}

export interface EnsureTopicsResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
  /** Existing topics with fewer partitions than asked; never shrunk or grown silently. */
  readonly mismatched: readonly { name: string; partitions: number; wanted: number }[];
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: readonly { partition: number; low: string; high: string }[];
}

export class Admin {
  private readonly admin: KafkaJsAdmin;
  private closing: Promise<void> | undefined;

  /** @internal Made by KafkaClient only: kafkajs stays out of the public declarations. */
  constructor(
    kafka: Kafka,
    private readonly connection: ConnectionState = { established: false },
    options: { readonly retries?: number } = {},
  ) {
    this.admin = kafka.admin(options.retries === undefined ? {} : { retry: { retries: options.retries } });
  }

  async connect(): Promise<void> {
    try {
      await this.admin.connect();
      this.connection.established = true;
    } catch (error) {
      throw wrapKafkaError("connect", error);
    }
  }

  /** One metadata request, not retried here: it throws when no broker answers. */
  async brokerCount(): Promise<number> {
    try {
      return (await this.admin.describeCluster()).brokers.length;
    } catch (error) {
      throw wrapKafkaError("admin", error);
    }
  }

  async listTopics(): Promise<string[]> {
    return this.call(() => this.admin.listTopics());
  }

  /**
   * Creates the missing topics among `roles` of callbridge's catalog (topicCatalog: partitions,
   * retention, configs), under the names in `options`: the one way every app creates its topics.
   * Answers what `ensureTopics` answers, and the specs it asked for.
   */
  async ensureCatalogTopics(
    roles: readonly TopicRole[],
    options: TopicCatalogOptions = {},
  ): Promise<EnsureTopicsResult & { readonly specs: readonly TopicSpec[] }> {
    const catalog = topicCatalog(options);
    const specs = roles.map((role) => catalog[role]);
    return { ...(await this.ensureTopics(specs)), specs };
  }

  /** Creates the topics that are missing; safe to run at every start-up and concurrently. */
  async ensureTopics(specs: readonly TopicSpec[]): Promise<EnsureTopicsResult> {
    // Read once: when a leader election makes `call` run this again after the topics were
    // created, they are still the ones this call created, not ones that existed before it.
    let listed: Set<string> | undefined;
    return this.call(async () => {
      listed ??= new Set(await this.admin.listTopics());
      const before = listed;
      const missing = specs.filter((spec) => !before.has(spec.name));
      if (missing.length > 0) {
        // kafkajs speaks CreateTopics v3, which cannot ask for the broker's default factor (-1).
        const { brokers } = await this.admin.describeCluster();
        const defaultFactor = Math.min(3, brokers.length);
        // createTopics answers false (not an error) for topics another process just created.
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor ?? defaultFactor,
            configEntries: Object.entries({ "retention.ms": String(spec.retentionMs), ...spec.config }).map(([name, value]) => ({
              name,
              value,
            })),
          })),
        });
      }
      if (missing.length > 0) await this.untilVisible(missing.map((spec) => spec.name));
      const existingSpecs = specs.filter((spec) => before.has(spec.name));
      const mismatched: { name: string; partitions: number; wanted: number }[] = [];
      if (existingSpecs.length > 0) {
        const metadata = await this.admin.fetchTopicMetadata({ topics: existingSpecs.map((spec) => spec.name) });
        for (const topic of metadata.topics) {
          const wanted = existingSpecs.find((spec) => spec.name === topic.name)?.partitions ?? 0;
          if (topic.partitions.length < wanted) mismatched.push({ name: topic.name, partitions: topic.partitions.length, wanted });
        }
      }
      return { created: missing.map((spec) => spec.name), existing: existingSpecs.map((spec) => spec.name), mismatched };
    });
  }

  /**
   * A new topic's leaders can be elected before every broker's metadata lists it; a client
   * subscribing in that moment fails. Wait until metadata shows the topics with leaders.
   */
  private async untilVisible(topics: readonly string[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const metadata = await this.admin.fetchTopicMetadata({ topics: [...topics] });
        if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async describeTopic(topic: string): Promise<TopicDescription> {
    return this.call(async () => {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return {
        name: topic,
        partitions: offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition),
      };
    });
  }

  /**
   * Lag of a consumer group per partition: high watermark minus committed offset. A partition
   * the group never committed counts everything still retained (high − low).
   */
  async consumerLag(groupId: string, topic: string): Promise<PartitionLag[]> {
    return this.call(async () => {
      const [ends, committed] = await Promise.all([
        this.admin.fetchTopicOffsets(topic),
        this.admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const committedByPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
      return ends
        .map(({ partition, high, low }) => {
          const offset = committedByPartition.get(partition);
          const hasCommit = offset !== undefined && offset !== "-1";
          const lag = hasCommit ? Number(BigInt(high) - BigInt(offset)) : Number(BigInt(high) - BigInt(low));
          return { partition, high, committed: hasCommit ? offset : null, lag: Math.max(0, lag) };
        })
        .sort((a, b) => a.partition - b.partition);
    });
  }

  /**
   * What a producer sizes its records against: each topic's limit (maxMessageBytes), or the
   * broker's default (DEFAULT_MAX_MESSAGE_BYTES) for a topic whose limit cannot be read, in which
   * case `onUnreadable` hears why, once. Never throws: sizing to the default is safer than not
   * starting, and the broker still refuses what it will not take.
   */
  async writeLimits(topics: readonly string[], onUnreadable: (error: unknown) => void): Promise<(topic: string) => number> {
    const read = await this.maxMessageBytes(topics).catch((error: unknown) => {
      onUnreadable(error);
      return new Map<string, number>();
    });
    return (topic) => read.get(topic) ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /**
   * Each topic's `max.message.bytes`: its own setting, else the broker's `message.max.bytes`.
   * The largest record batch the broker takes for it (see record-size.ts).
   */
  async maxMessageBytes(topics: readonly string[]): Promise<Map<string, number>> {
    return this.call(async () => {
      const { resources } = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ["max.message.bytes"] })),
      });
      const limits = new Map<string, number>();
      for (const resource of resources) {
        const value = Number(resource.configEntries.find((entry) => entry.configName === "max.message.bytes")?.configValue);
        if (Number.isFinite(value) && value > 0) limits.set(resource.resourceName, value);
      }
      return limits;
    });
  }

  /** Members of a consumer group right now (0 when it has none or does not exist). */
  async groupMembers(groupId: string): Promise<number> {
    return this.call(async () => {
      const { groups } = await this.admin.describeGroups([groupId]);
      return groups[0]?.members.length ?? 0;
    });
  }

  /** Ids of the consumer groups the cluster knows. */
  async listGroups(): Promise<string[]> {
    return this.call(async () => (await this.admin.listGroups()).groups.map((group) => group.groupId));
  }

  /**
   * Deletes consumer groups that have no members left. kafkajs marks its DeleteGroups error
   * retriable whatever the cause, so a member that has only just left (NON_EMPTY_GROUP) gets
   * the few short tries of `call`. Readers that join a throwaway group use this to leave
   * nothing behind.
   */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    await this.call(() => this.admin.deleteGroups([...groupIds]));
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    await this.call(() => this.admin.deleteTopics({ topics: [...topics] }));
  }

  disconnect(): Promise<void> {
    this.closing ??= this.admin.disconnect();
    return this.closing;
  }

  /**
   * kafkajs does not retry some admin requests even on errors it calls retriable (a
   * coordinator still loading after a broker restart answers GROUP_LOAD_IN_PROGRESS), so
   * retriable failures get a few short tries here; a leader election anywhere in the cluster
   * is waited out (whileClusterInFlux).
   */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await whileClusterInFlux("admin", operation);
      } catch (error) {
        const wrapped = wrapKafkaError("admin", error);
        if (!wrapped.retriable || attempt >= ADMIN_ATTEMPTS) throw wrapped;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }
}
