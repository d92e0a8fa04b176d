import type { Redis } from "ioredis";

/**
 * Remembers which (source, event, route) keys already reached Kafka, for a TTL, so a CRM's
 * redelivery is answered 2xx and produces nothing. Keys are remembered only after the broker
 * acknowledged them: a failed write must be retried, not forgotten. This trims duplicates; the
 * worker's idempotency ledger is what guarantees one call per key.
 */
export interface DeliveredEvents {
  /** Which of these keys were delivered before. */
  delivered(keys: readonly string[]): Promise<Set<string>>;
  remember(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** In-process: a bounded map in insertion order, oldest dropped first. Lost on restart. */
export class InMemoryDeliveredEvents implements DeliveredEvents {
  private readonly expiresAt = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async delivered(keys: readonly string[]): Promise<Set<string>> {
    const now = this.nowMs();
    return new Set(keys.filter((key) => (this.expiresAt.get(key) ?? 0) > now));
  }

  async remember(keys: readonly string[]): Promise<void> {
    const expires = this.nowMs() + this.ttlMs;
    for (const key of keys) {
      this.expiresAt.delete(key);
      this.expiresAt.set(key, expires);
    }
    for (const key of this.expiresAt.keys()) {
      if (this.expiresAt.size <= this.maxKeys) break;
      this.expiresAt.delete(key);
    }
  }

  async close(): Promise<void> {}
}

/** Shared by every ingest replica through Redis (`SET key 1 EX ttl`). */
export class RedisDeliveredEvents implements DeliveredEvents {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = "callbridge:ingest:delivered:",
  ) {
    // Failures surface as failed commands (logged by the caller); this silences ioredis's own
    // "unhandled error event" print on every reconnect attempt.
    redis.on("error", () => {});
  }

  async delivered(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const values = await this.redis.mget(keys.map((key) => this.prefix + key));
    return new Set(keys.filter((_key, i) => values[i] !== null));
  }

  async remember(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.set(this.prefix + key, "1", "EX", this.ttlSeconds);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
