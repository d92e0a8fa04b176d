import { containerRuntimeAvailable } from "./container-runtime.js";
import { type RedisServerProcess, redisServerAvailable, startRedisServer } from "./redis-server.js";

export const REDIS_IMAGE = "redis:7.4-alpine";

export interface ProvidedRedis {
  readonly url: string;
  readonly source: "env" | "testcontainers" | "redis-server";
  /** The process, when we run it ourselves: fault tests kill and restart it. */
  readonly process?: RedisServerProcess;
  release(): Promise<void>;
}

/**
 * Redis for a test run (docs/testing.md#how-tests-get-kafka-and-redis): `REDIS_URL`; else
 * Testcontainers; else a `redis-server` process on a free port.
 */
export async function provideRedis(env: Record<string, string | undefined>): Promise<ProvidedRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, source: "env", release: async () => {} };
  if (await containerRuntimeAvailable(env)) {
    const { RedisContainer } = await import("@testcontainers/redis");
    const container = await new RedisContainer(REDIS_IMAGE).start();
    return { url: container.getConnectionUrl(), source: "testcontainers", release: async () => void (await container.stop()) };
  }
  if (!redisServerAvailable()) {
    throw new Error("no Redis: set REDIS_URL, run a Docker engine, or install redis-server (Debian: apt-get install redis-server)");
  }
  const server = await startRedisServer();
  return { url: server.url, source: "redis-server", process: server, release: () => server.stop() };
}
