import type { Redis } from "ioredis";
import type { Ledger, PlacedEntry } from "./ledger.js";

/** Take the claim if free or ours (renewing it), atomically. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Drop the claim only if it is still ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** The ledger in Redis, shared by every replica and surviving restarts of the worker. */
export class RedisLedger implements Ledger {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = "callbridge:ledger:",
  ) {
    // Connection errors surface as failed commands, which the processor retries; without a
    // listener ioredis would also print every reconnect attempt.
    redis.on("error", () => {});
  }

  async placed(key: string): Promise<PlacedEntry | undefined> {
    const value = await this.redis.get(`${this.prefix}placed:${key}`);
    return value === null ? undefined : (JSON.parse(value) as PlacedEntry);
  }

  async markPlaced(key: string, entry: PlacedEntry): Promise<void> {
    await this.redis.set(`${this.prefix}placed:${key}`, JSON.stringify(entry), "EX", this.ttlSeconds);
  }

  async markAttempted(key: string): Promise<void> {
    await this.redis.set(`${this.prefix}attempted:${key}`, "1", "EX", this.ttlSeconds);
  }

  async wasAttempted(key: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}attempted:${key}`)) === 1;
  }

  async clearAttempted(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}attempted:${key}`);
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, `${this.prefix}claim:${key}`, owner, String(leaseMs))) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, `${this.prefix}claim:${key}`, owner);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
