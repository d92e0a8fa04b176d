import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@callbridge/test-infra/kafka-setup"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
