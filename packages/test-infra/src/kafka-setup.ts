import type { TestProject } from "vitest/node";
import { provideKafka } from "./kafka-provider.js";
import type {} from "./provided-context.js";

/** vitest `globalSetup`: one Kafka for the whole run of this package's tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kafka = await provideKafka(process.env, (line) => console.error(`[test-infra] ${line}`));
  project.provide("kafkaBrokers", kafka.brokers);
  return () => kafka.release();
}
