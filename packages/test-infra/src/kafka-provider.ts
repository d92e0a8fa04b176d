import { leaseKafka, releaseKafka } from "@callbridge/kafka-launcher";
import { containerRuntimeAvailable } from "./container-runtime.js";

/** Image for the Testcontainers path: Confluent's Kafka 4.0 build, KRaft by default. */
export const KAFKA_IMAGE = "confluentinc/cp-kafka:8.0.0";

export interface ProvidedKafka {
  readonly brokers: string;
  readonly source: "env" | "testcontainers" | "launcher";
  /** Lets go of what this provider started (a container, or its lease on the launcher's broker). */
  release(): Promise<void>;
}

/**
 * Kafka for a test run (docs/testing.md#how-tests-get-kafka-and-redis): `KAFKA_BROKERS` if set;
 * else a Testcontainers broker when a container engine answers; else the launcher's `test`
 * instance (real Kafka from Maven Central jars), shared by every test process of the run
 * through leases.
 */
export async function provideKafka(
  env: Record<string, string | undefined>,
  log: (line: string) => void = () => {},
): Promise<ProvidedKafka> {
  if (env.KAFKA_BROKERS) return { brokers: env.KAFKA_BROKERS, source: "env", release: async () => {} };
  if (await containerRuntimeAvailable(env)) {
    const { KafkaContainer } = await import("@testcontainers/kafka");
    log(`starting ${KAFKA_IMAGE} with Testcontainers`);
    const container = await new KafkaContainer(KAFKA_IMAGE).start();
    return {
      brokers: `${container.getHost()}:${container.getMappedPort(9093)}`,
      source: "testcontainers",
      release: async () => {
        await container.stop();
      },
    };
  }
  // Tests make unique topics and never need an earlier run's: start from empty storage.
  const instance = await leaseKafka({ name: "test", env, log, wipeWhenStarting: true });
  return { brokers: instance.brokers, source: "launcher", release: () => releaseKafka({ name: "test", env }) };
}
