import type { BatchHandler, Consumer, ConsumerEvent, KafkaClient, TopicPartitionOffset, TopicPartitions } from "@callbridge/kafka";

type Target = { readonly topic: string; readonly partitions?: readonly number[] };

/**
 * The worker's two group consumers behind one face: the requests topic's, and the deferral
 * tiers' in a group of their own (`deferralGroupId`). The tiers are mostly paused or empty;
 * fetched with every fetch of the requests topic, they cost the worker 12% more CPU per call
 * (measured, bench/worker), so they get a consumer that long-polls at its own pace. Pauses,
 * resumes and commits go to the consumer that owns the topic; `assigned` events carry both
 * consumers' partitions together.
 */
export class ConsumerPair {
  private readonly assignments: { requests: TopicPartitions[]; tiers: TopicPartitions[] } = { requests: [], tiers: [] };

  constructor(
    private readonly requests: Consumer,
    private readonly tiers: Consumer,
    private readonly tierTopics: ReadonlySet<string>,
  ) {}

  /** Listens to both; an `assigned` event of either says what both own now. */
  on(listener: (event: ConsumerEvent, from: "requests" | "tiers") => void): void {
    for (const [from, consumer] of [
      ["requests", this.requests],
      ["tiers", this.tiers],
    ] as const) {
      consumer.on((event) => {
        if (event.type !== "assigned") return listener(event, from);
        this.assignments[from] = event.assignment;
        listener({ type: "assigned", assignment: [...this.assignments.requests, ...this.assignments.tiers] }, from);
      });
    }
  }

  async connect(): Promise<void> {
    await this.requests.connect();
    await this.tiers.connect();
  }

  async subscribe(requestsTopic: string): Promise<void> {
    await this.requests.subscribe([requestsTopic]);
    await this.tiers.subscribe([...this.tierTopics]);
  }

  async run(handler: BatchHandler): Promise<void> {
    await this.requests.run(handler);
    await this.tiers.run(handler);
  }

  pause(targets: readonly Target[]): void {
    const [tiers, requests] = this.split(targets);
    if (requests.length > 0) this.requests.pause(requests);
    if (tiers.length > 0) this.tiers.pause(tiers);
  }

  resume(targets: readonly Target[]): void {
    const [tiers, requests] = this.split(targets);
    if (requests.length > 0) this.requests.resume(requests);
    if (tiers.length > 0) this.tiers.resume(tiers);
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const [tiers, requests] = this.split(offsets);
    await Promise.all([this.requests.commit(requests), this.tiers.commit(tiers)]);
  }

  /** Both; every step runs, and the first failure is thrown after. */
  async disconnect(): Promise<void> {
    const results = await Promise.allSettled([this.requests.disconnect(), this.tiers.disconnect()]);
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
  }

  private split<T extends { readonly topic: string }>(items: readonly T[]): [T[], T[]] {
    const tiers: T[] = [];
    const requests: T[] = [];
    for (const item of items) (this.tierTopics.has(item.topic) ? tiers : requests).push(item);
    return [tiers, requests];
  }
}

/** The tier consumer: the worker's session settings, a group of its own, small fetches that wait up to 250 ms for data. */
export function tierConsumer(
  kafka: KafkaClient,
  options: { readonly groupId: string; readonly sessionTimeoutMs: number; readonly heartbeatIntervalMs: number },
): Consumer {
  return kafka.consumer({ ...options, maxBytes: 1024 * 1024, maxBytesPerPartition: 64 * 1024, maxWaitTimeMs: 250 });
}
