import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@callbridge/test-infra/kafka-setup", "@callbridge/test-infra/redis-setup"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
