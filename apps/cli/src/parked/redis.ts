import { Redis } from "ioredis";
import { CliError, usageError } from "../errors.js";

/** Where the operator gave the Redis URL, to name it in messages: the flag or the variable. */
export type RedisUrlSource = "--redis" | "REDIS_URL";

/**
 * The URL checked before Redis is asked: `redis://` or `rediss://`. Answers where it points
 * (host:port, never the password) for messages. Throws a usage error (exit 2) otherwise.
 */
export function checkRedisUrl(url: string, source: RedisUrlSource): { url: string; where: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`${source}: not a URL; use redis://[:password@]host:port[/db] or rediss://...`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw usageError(`${source}: ${parsed.protocol} is not a Redis URL; use redis://[:password@]host:port[/db] or rediss://...`);
  }
  return { url, where: `${parsed.hostname}:${parsed.port || "6379"}` };
}

/**
 * A connected client that gives up quickly, like the CLI's Kafka client: one connection
 * attempt of 3 s, no reconnects, commands failing rather than queueing. Throws a CliError
 * (exit 1) naming host:port when Redis does not answer.
 */
export async function connectRedis(redis: { url: string; where: string }, source: RedisUrlSource): Promise<Redis> {
  let lastError: Error | undefined;
  const client = new Redis(redis.url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Without a listener ioredis prints every connection error itself.
  client.on("error", (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const detail = (lastError ?? (error instanceof Error ? error : new Error(String(error)))).message.split("\n")[0];
    throw new CliError(`cannot reach Redis at ${redis.where} (${source}): ${detail}`);
  }
  return client;
}
