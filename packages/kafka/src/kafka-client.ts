import type { Logger } from "@callbridge/observability";
import { Kafka } from "kafkajs";
import { Admin } from "./admin.js";
import { Consumer, type ConsumerOptions } from "./consumer.js";
import { type ConnectionState, kafkaLogLevel, pinoLogCreator } from "./log-adapter.js";
import { Producer, type ProducerOptions } from "./producer.js";

export interface KafkaClientConfig {
  /** `host:port` of the brokers' client listener. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** TCP connect timeout per broker, ms. */
  readonly connectionTimeoutMs?: number;
  /** Per-request timeout, ms. */
  readonly requestTimeoutMs?: number;
  /**
   * kafkajs retries of a failing request before it gives up; this bounds how long a send can
   * take while the cluster is unreachable (the ingest answers 503 rather than hang).
   */
  readonly retry?: { readonly retries?: number; readonly initialRetryTimeMs?: number; readonly maxRetryTimeMs?: number };
}

/** Entry point of `@callbridge/kafka`: makes producers, consumers and admins for one cluster. */
export class KafkaClient {
  private readonly kafka: Kafka;
  private readonly connection: ConnectionState = { established: false };

  constructor(private readonly config: KafkaClientConfig) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      connectionTimeout: config.connectionTimeoutMs ?? 3_000,
      requestTimeout: config.requestTimeoutMs ?? 30_000,
      retry: {
        retries: config.retry?.retries ?? 5,
        initialRetryTime: config.retry?.initialRetryTimeMs ?? 300,
        maxRetryTime: config.retry?.maxRetryTimeMs ?? 30_000,
      },
      logLevel: kafkaLogLevel(config.logger),
      logCreator: pinoLogCreator(config.logger, this.connection),
    });
  }

  producer(options: ProducerOptions = {}): Producer {
    return new Producer(this.kafka, options, this.connection);
  }

  consumer(options: ConsumerOptions): Consumer {
    return new Consumer(this.kafka, options, this.config.logger, this.connection);
  }

  /** `retries` overrides the client's retry count for this admin's requests (0: fail at once). */
  admin(options: { readonly retries?: number } = {}): Admin {
    return new Admin(this.kafka, this.connection, options);
  }
}
