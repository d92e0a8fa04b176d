import { CompressionTypes, type Kafka, type Producer as KafkaJsProducer, type Message, Partitioners } from "kafkajs";
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
    // The default partitioner, named so kafkajs does not warn about its v2 change on every start.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
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
