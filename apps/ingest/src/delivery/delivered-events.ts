import type { Redis } from "ioredis";

/**
 * What a claim found, per key: `claimed` are now this writer's to write; `delivered` reached
 * Kafka before; the rest are being written by another request right now.
 */
export interface EventClaim {
  readonly claimed: Set<string>;
  readonly delivered: Set<string>;
}

/**
 * Remembers which (source, event, route) keys already reached Kafka, for a TTL, so a CRM's
 * redelivery is answered 2xx and produces nothing. Keys are remembered only after the broker
 * acknowledged them: a failed write must be retried, not forgotten. Before writing, a request
 * claims its keys for a short lease (`claim`), so that the same event delivered several times
 * at once is written by one of them; a claim whose writer died lapses by itself. This trims
 * duplicates; the worker's idempotency ledger is what guarantees one call per key.
 */
export interface DeliveredEvents {
  /** Which of these keys were delivered before. */
  delivered(keys: readonly string[]): Promise<Set<string>>;
  /** Claims the keys neither delivered nor claimed by another `owner`, for `ttlMs`. */
  claim(keys: readonly string[], owner: string, ttlMs: number): Promise<EventClaim>;
  /** Gives back `owner`'s claims (its write failed): a retry may write them at once. */
  release(keys: readonly string[], owner: string): Promise<void>;
  /** Marks the keys delivered (this ends their claims). */
  remember(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** In-process: a bounded map in insertion order, oldest dropped first. Lost on restart. */
export class InMemoryDeliveredEvents implements DeliveredEvents {
  private readonly expiresAt = new Map<string, number>();
  private readonly claims = new Map<string, { owner: string; expiresAt: number }>();
  /**
   * Walks `expiresAt` from its oldest key as keys are dropped. A new iterator per drop would
   * step again over every key dropped before (a Map keeps them as holes until it rehashes):
   * tens of microseconds per webhook once the memory is full.
   */
  private oldest: Iterator<string> | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async delivered(keys: readonly string[]): Promise<Set<string>> {
    const now = this.nowMs();
    return new Set(keys.filter((key) => (this.expiresAt.get(key) ?? 0) > now));
  }

  async claim(keys: readonly string[], owner: string, ttlMs: number): Promise<EventClaim> {
    const now = this.nowMs();
    const claimed = new Set<string>();
    const delivered = new Set<string>();
    for (const key of keys) {
      if ((this.expiresAt.get(key) ?? 0) > now) {
        delivered.add(key);
        continue;
      }
      const holder = this.claims.get(key);
      if (holder && holder.owner !== owner && holder.expiresAt > now) continue;
      this.claims.set(key, { owner, expiresAt: now + ttlMs });
      claimed.add(key);
    }
    return { claimed, delivered };
  }

  async release(keys: readonly string[], owner: string): Promise<void> {
    for (const key of keys) if (this.claims.get(key)?.owner === owner) this.claims.delete(key);
  }

  async remember(keys: readonly string[]): Promise<void> {
    const expires = this.nowMs() + this.ttlMs;
    for (const key of keys) {
      this.claims.delete(key);
      this.expiresAt.delete(key);
      this.expiresAt.set(key, expires);
    }
    while (this.expiresAt.size > this.maxKeys) {
      // Keys are only ever added last, so the walk's next live key is the oldest.
      let next = this.oldest?.next();
      if (next === undefined || next.done) {
        this.oldest = this.expiresAt.keys();
        next = this.oldest.next();
      }
      if (next.done) break;
      this.expiresAt.delete(next.value);
    }
  }

  async close(): Promise<void> {}
}

// Per key (KEYS), one GET and at most one SET: "1" is delivered, "claim:<owner>" is a write in
// progress. Answers 1 claimed, 2 delivered, 0 claimed by another writer.
const CLAIM_SCRIPT = `
local owner = "claim:" .. ARGV[1]
local answers = {}
for i, key in ipairs(KEYS) do
  local value = redis.call("GET", key)
  if value == "1" then
    answers[i] = 2
  elseif value == false or value == owner then
    redis.call("SET", key, owner, "PX", ARGV[2])
    answers[i] = 1
  else
    answers[i] = 0
  end
end
return answers`;

const RELEASE_SCRIPT = `
local owner = "claim:" .. ARGV[1]
for _, key in ipairs(KEYS) do
  if redis.call("GET", key) == owner then redis.call("DEL", key) end
end
return 0`;

/** Shared by every ingest replica through Redis (`SET key 1 EX ttl`; claims as `claim:<owner>` with a PX lease). */
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
    return new Set(keys.filter((_key, i) => values[i] === "1"));
  }

  async claim(keys: readonly string[], owner: string, ttlMs: number): Promise<EventClaim> {
    const claimed = new Set<string>();
    const delivered = new Set<string>();
    if (keys.length === 0) return { claimed, delivered };
    const answers = (await this.redis.eval(
      CLAIM_SCRIPT,
      keys.length,
      ...keys.map((key) => this.prefix + key),
      owner,
      String(Math.ceil(ttlMs)),
    )) as number[];
    keys.forEach((key, i) => {
      if (answers[i] === 1) claimed.add(key);
      else if (answers[i] === 2) delivered.add(key);
    });
    return { claimed, delivered };
  }

  async release(keys: readonly string[], owner: string): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.eval(RELEASE_SCRIPT, keys.length, ...keys.map((key) => this.prefix + key), owner);
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
