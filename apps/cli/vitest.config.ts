import { defineConfig } from "vitest/config";

// The integration tests (`*.integration.test.ts`) get a real Kafka and Redis for the run
// (docs/testing.md#how-tests-get-kafka-and-redis); the unit tests ignore them.
export default defineConfig({
  test: {
    globalSetup: ["@callbridge/test-infra/kafka-setup", "@callbridge/test-infra/redis-setup"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
