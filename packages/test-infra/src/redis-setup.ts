import type { TestProject } from "vitest/node";
import type {} from "./provided-context.js";
import { provideRedis } from "./redis-provider.js";

/** vitest `globalSetup`: one Redis for the whole run of this package's tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await provideRedis(process.env);
  project.provide("redisUrl", redis.url);
  return () => redis.release();
}
