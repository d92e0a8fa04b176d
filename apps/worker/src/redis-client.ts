import { Redis } from "ioredis";

const lastErrors = new WeakMap<Redis, Error>();

/**
 * One client for the ledger and the limiter. A command fails after one reconnect attempt
 * rather than queueing while Redis is away: the ledger's callers wait and retry, and the
 * limiter falls back to this replica's share. Auto-pipelining sends the commands of one
 * event-loop turn in one write (a syscall per command was a tenth of the worker's CPU).
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000, enableAutoPipelining: true });
  // Failures reach the callers of each command; without a listener ioredis also prints every reconnect attempt.
  redis.on("error", (error: Error) => lastErrors.set(redis, error));
  return redis;
}

/** The last connection error the client met (ECONNREFUSED, ...): what a failed command's "max retries" message hides. */
export function lastConnectionError(redis: Redis): Error | undefined {
  return lastErrors.get(redis);
}
