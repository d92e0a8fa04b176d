import { type Admin, KafkaClient, KafkaOperationError } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { CliError } from "./errors.js";

/** A client that gives up quickly: a CLI should say "unreachable" in seconds, not retry for minutes. */
export function cliKafka(brokers: string[]): KafkaClient {
  return new KafkaClient({
    brokers,
    clientId: "callbridge-cli",
    logger: createLogger({ name: "callbridge-cli", level: "silent" }),
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 10_000,
    retry: { retries: 2, initialRetryTimeMs: 200, maxRetryTimeMs: 1_000 },
  });
}

/** Connects an admin client, turning a connection failure into one clear line. */
export async function connectAdmin(kafka: KafkaClient, brokers: string[]): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new CliError(`cannot reach Kafka at ${brokers.join(",")}: ${rootMessage(error)}`);
  }
  return admin;
}

/** Fails with a clear message when `topic` does not exist. */
export async function requireTopic(admin: Admin, topic: string): Promise<void> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) throw new CliError(`topic ${topic} does not exist (create it with: callbridge topics ensure)`);
}

export function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof KafkaOperationError && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? (current.message.split("\n")[0] ?? String(current)) : String(current);
}
