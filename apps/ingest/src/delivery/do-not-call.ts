import { SUPPRESSION_LIST_KEY, type SuppressionEntry } from "@callbridge/schemas";
import { Redis } from "ioredis";

/** One number to put on the do-not-call list: `number` in E.164, `entry` what the list keeps about it. */
export interface DoNotCallEntry {
  readonly number: string;
  readonly entry: SuppressionEntry;
}

/**
 * The do-not-call list the workers read before every call (SUPPRESSION_LIST_KEY, a Redis hash:
 * field = E.164 number, value = SuppressionEntry JSON). The ingest only adds to it.
 */
export interface DoNotCallList {
  /**
   * Puts the numbers on the list. A number already there keeps its entry as it is (`HSETNX`):
   * the list says when and why it was first listed, and a redelivered opt-out changes nothing.
   * Resolves once Redis acknowledged every write, with, per entry, `true` if it was added now
   * and `false` if it was listed already; rejects when Redis did not acknowledge (the caller
   * answers 503 and the sender retries; writing again is harmless).
   */
  add(entries: readonly DoNotCallEntry[]): Promise<boolean[]>;
  close(): Promise<void>;
}

/** The list in Redis, shared with the workers and the CLI. */
export class RedisDoNotCallList implements DoNotCallList {
  constructor(
    private readonly redis: Redis,
    private readonly key = SUPPRESSION_LIST_KEY,
  ) {
    // Failures surface as failed commands (the caller answers 503); this silences ioredis's own
    // "unhandled error event" print on every reconnect attempt.
    redis.on("error", () => {});
  }

  async add(entries: readonly DoNotCallEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const transaction = this.redis.multi();
    for (const { number, entry } of entries) transaction.hsetnx(this.key, number, JSON.stringify(entry));
    const results = await transaction.exec();
    if (results === null) throw new Error("the do-not-call transaction was aborted");
    return results.map(([error, added]) => {
      if (error) throw error;
      return added === 1;
    });
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The list on a Redis client of its own (`url`: REDIS_URL). A write fails within about 2 s
 * (one reconnect attempt, a 2 s connect and command timeout) instead of waiting for Redis to
 * come back: the webhook gets 503 and its sender retries.
 */
export function connectDoNotCallList(url: string): RedisDoNotCallList {
  return new RedisDoNotCallList(new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 }));
}
