import type { Redis } from "ioredis";
import type { BeginResult, Finish, Ledger, PlacedEntry } from "./ledger.js";

/**
 * KEYS: placed, claim, attempted. ARGV: owner, lease ms.
 * Returns {0, entry} when placed, {1} when another owner holds the claim, {2, attempted 1/0} when claimed.
 */
const BEGIN = `
local entry = redis.call('GET', KEYS[1])
if entry then return { 0, entry } end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return { 1 } end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return { 2, redis.call('EXISTS', KEYS[3]) }`;

/** KEYS: claim, attempted. ARGV: owner, lease ms, mark (1/0), ttl s. Returns 1 when the claim was ours (and is renewed). */
const CONFIRM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] == '1' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[4]) end
return 1`;

/** KEYS: claims. ARGV: owner, lease ms. Returns the indexes (1-based) of the claims no longer ours. */
const RENEW = `
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) else lost[#lost + 1] = i end
end
return lost`;

/** KEYS: placed, claim, attempted. ARGV: owner, entry ('' when not placed), ttl s, forget attempt (1/0). */
const FINISH = `
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
if ARGV[4] == '1' then redis.call('DEL', KEYS[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;

/** KEYS: claim. ARGV: owner. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface LedgerRedis extends Redis {
  callbridgeLedgerBegin(
    placed: string,
    claim: string,
    attempted: string,
    owner: string,
    leaseMs: number,
  ): Promise<[0, string] | [1] | [2, 0 | 1]>;
  callbridgeLedgerConfirm(
    claim: string,
    attempted: string,
    owner: string,
    leaseMs: number,
    mark: string,
    ttlSeconds: number,
  ): Promise<0 | 1>;
  callbridgeLedgerRenew(count: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  callbridgeLedgerFinish(
    placed: string,
    claim: string,
    attempted: string,
    owner: string,
    entry: string,
    ttlSeconds: number,
    forget: string,
  ): Promise<1>;
  callbridgeLedgerRelease(claim: string, owner: string): Promise<0 | 1>;
}

/** The ledger in Redis: shared by every replica, surviving restarts of the worker. One script per step. */
export class RedisLedger implements Ledger {
  private readonly redis: LedgerRedis;

  constructor(
    redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = "callbridge:ledger:",
  ) {
    this.redis = redis as LedgerRedis;
    const scripts = [
      ["callbridgeLedgerBegin", BEGIN, 3],
      ["callbridgeLedgerConfirm", CONFIRM, 2],
      ["callbridgeLedgerRenew", RENEW, undefined],
      ["callbridgeLedgerFinish", FINISH, 3],
      ["callbridgeLedgerRelease", RELEASE, 1],
    ] as const;
    for (const [name, lua, numberOfKeys] of scripts) {
      if (!(name in redis)) redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
    }
  }

  async begin(key: string, owner: string, leaseMs: number): Promise<BeginResult> {
    const reply = await this.redis.callbridgeLedgerBegin(
      this.key("placed", key),
      this.key("claim", key),
      this.key("attempted", key),
      owner,
      leaseMs,
    );
    if (reply[0] === 0) return { kind: "placed", entry: JSON.parse(reply[1]) as PlacedEntry };
    if (reply[0] === 1) return { kind: "held_elsewhere" };
    return { kind: "claimed", attempted: reply[1] === 1 };
  }

  async confirm(key: string, owner: string, leaseMs: number, markAttempted: boolean): Promise<boolean> {
    const reply = await this.redis.callbridgeLedgerConfirm(
      this.key("claim", key),
      this.key("attempted", key),
      owner,
      leaseMs,
      markAttempted ? "1" : "0",
      this.ttlSeconds,
    );
    return reply === 1;
  }

  async renew(keys: readonly string[], owner: string, leaseMs: number): Promise<string[]> {
    if (keys.length === 0) return [];
    const lost = await this.redis.callbridgeLedgerRenew(keys.length, ...keys.map((key) => this.key("claim", key)), owner, leaseMs);
    return lost.map((index) => keys[index - 1] as string);
  }

  async finish(key: string, owner: string, outcome: Finish): Promise<void> {
    const placed = outcome.kind === "placed";
    await this.redis.callbridgeLedgerFinish(
      this.key("placed", key),
      this.key("claim", key),
      this.key("attempted", key),
      owner,
      placed ? JSON.stringify(outcome.entry) : "",
      this.ttlSeconds,
      placed || outcome.proven ? "1" : "0",
    );
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.callbridgeLedgerRelease(this.key("claim", key), owner);
  }

  /** The client is shared with the limiter; whoever created it closes it. */
  async close(): Promise<void> {}

  private key(kind: "placed" | "claim" | "attempted", key: string): string {
    return `${this.prefix}${kind}:${key}`;
  }
}
