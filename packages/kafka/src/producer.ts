import {
  CompressionTypes,
  type ICustomPartitioner,
  type Kafka,
  type Producer as KafkaJsProducer,
  type Message,
  Partitioners,
} from "kafkajs";
import { whileClusterInFlux } from "./cluster-in-flux.js";
import { wrapKafkaError } from "./errors.js";
import type { ConnectionState } from "./log-adapter.js";
import type { OutgoingRecord, ProducedRecordMetadata } from "./records.js";

export interface ProducerOptions {
  /** How long the broker may wait for all in-sync replicas to acknowledge, ms. */
  readonly ackTimeoutMs?: number;
  readonly compression?: "none" | "gzip";
}

export interface TopicRecords {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
}

/**
 * An idempotent producer that answers only after every in-sync replica has the records
 * (acks=all). Sends are serialised: kafkajs's idempotent producer has a history of sequence
 * errors under concurrent sends, and callers that want throughput batch records instead.
 */
export class Producer {
  private readonly producer: KafkaJsProducer;
  private queue: Promise<unknown> = Promise.resolve();
  private connected = false;
  private closing: Promise<void> | undefined;

  /** @internal Made by KafkaClient only: kafkajs stays out of the public declarations. */
  constructor(
    kafka: Kafka,
    private readonly options: ProducerOptions,
    private readonly connection: ConnectionState = { established: false },
  ) {
    // kafkajs's default partitioner, computed faster (keyHashPartitioner); named, so kafkajs does
    // not warn about its v2 change on every start.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: keyHashPartitioner,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    await whileClusterInFlux("connect", () => this.producer.connect());
    this.connected = true;
    this.connection.established = true;
  }

  send(topic: string, records: readonly OutgoingRecord[]): Promise<ProducedRecordMetadata[]> {
    return this.sendBatch([{ topic, records }]);
  }

  /** Writes records to several topics in one request per broker; resolves once all are acknowledged. */
  sendBatch(batches: readonly TopicRecords[]): Promise<ProducedRecordMetadata[]> {
    const run = async (): Promise<ProducedRecordMetadata[]> => {
      try {
        const metadata = await this.producer.sendBatch({
          acks: -1,
          timeout: this.options.ackTimeoutMs ?? 30_000,
          compression: this.options.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None,
          topicMessages: batches.map(({ topic, records }) => ({ topic, messages: records.map(toKafkaMessage) })),
        });
        return metadata.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: m.baseOffset ?? m.offset ?? "-1" }));
      } catch (error) {
        throw wrapKafkaError("produce", error);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Waits for queued sends, then disconnects; safe to call twice. */
  disconnect(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue;
      await this.producer.disconnect();
      this.connected = false;
    })();
    return this.closing;
  }
}

function toKafkaMessage(record: OutgoingRecord): Message {
  return {
    key: record.key,
    value: record.value,
    ...(record.headers ? { headers: { ...record.headers } } : {}),
    ...(record.partition === undefined ? {} : { partition: record.partition }),
  };
}

/**
 * kafkajs's default partitioner, the Java client's: a keyed record goes to partition
 * `(murmur2(key) & 0x7fffffff) % partitions`. kafkajs computes murmur2 with 64-bit Long objects
 * (microseconds and dozens of allocations per record); this does it in 32-bit integer arithmetic
 * and gives the same partition for every key (producer.test.ts compares them). A record with
 * a partition, or without a key, is left to kafkajs's own.
 * @internal
 */
export const keyHashPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key === undefined || message.key === null) return fallback(args);
    return (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length;
  };
};

/** Murmur2 (32-bit) of the key's bytes (a string's UTF-8), as the Java client's Utils.murmur2. @internal */
export function murmur2(key: string | Buffer): number {
  const data = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const at = i * 4;
    let k = (data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16) | ((data[at + 3] as number) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    h = Math.imul(h, m) ^ Math.imul(k, m);
  }
  // The last 1-3 bytes, as the reference's fall-through switch mixes them.
  const rest = length & 3;
  if (rest > 0) {
    const tail = length - rest;
    if (rest === 3) h ^= (data[tail + 2] as number) << 16;
    if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
    h ^= data[tail] as number;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
