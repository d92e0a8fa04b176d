import type { Redis } from "ioredis";
import type {
  BeginItem,
  BeginResult,
  CommittedOffset,
  ConfirmItem,
  FinishItem,
  Ledger,
  PlacedEntry,
  RecordRef,
  Renewal,
  SettleItem,
} from "./ledger.js";

/*
 * One script per step, each over many requests: the reply has one answer per request, and
 * each request's part is atomic (the whole script is). The scripts build each request's keys
 * from the prefix and its idempotency key (`<prefix>placed:<key>`, `claim:`, `attempted:`):
 * sending three long key names per request cost more CPU than the rest of the step. Keys made
 * inside a script are fine on a single Redis (with replicas or Sentinel), not on Redis Cluster.
 */

/**
 * ARGV: prefix, owner, lease ms, settled prefix, then per request key, partition ('' when none)
 * and offset. Per request: 0 its record settled, 1 another owner holds the claim (it may be
 * writing the outputs), the placed entry (a string), 2 claimed, 3 claimed after an attempt.
 */
const BEGIN = `
local prefix, owner = ARGV[1], ARGV[2]
local out = {}
for i = 5, #ARGV, 3 do
  local claim = prefix .. 'claim:' .. ARGV[i]
  local holder = redis.call('GET', claim)
  if ARGV[i + 1] ~= '' and redis.call('ZSCORE', ARGV[4] .. ARGV[i + 1], ARGV[i + 2]) then
    out[#out + 1] = 0
  elseif holder and holder ~= owner then
    out[#out + 1] = 1
  else
    local entry = redis.call('GET', prefix .. 'placed:' .. ARGV[i])
    if entry then
      out[#out + 1] = entry
    else
      redis.call('SET', claim, owner, 'PX', ARGV[3])
      out[#out + 1] = 2 + redis.call('EXISTS', prefix .. 'attempted:' .. ARGV[i])
    end
  end
end
return out`;

/**
 * ARGV: prefix, owner, lease ms, ttl s, then per request key and mark (1/0). Per request 1 when
 * the claim is ours now: renewed, or taken again after it lapsed (or Redis lost it) while
 * nobody else took it and the request was not placed meanwhile; 0 otherwise.
 */
const CONFIRM = `
local prefix, owner = ARGV[1], ARGV[2]
local out = {}
for i = 5, #ARGV, 2 do
  local claim = prefix .. 'claim:' .. ARGV[i]
  local holder = redis.call('GET', claim)
  if (holder and holder ~= owner) or (not holder and redis.call('EXISTS', prefix .. 'placed:' .. ARGV[i]) == 1) then
    out[#out + 1] = 0
  else
    redis.call('SET', claim, owner, 'PX', ARGV[3])
    if ARGV[i + 1] == '1' then redis.call('SET', prefix .. 'attempted:' .. ARGV[i], '1', 'EX', ARGV[4]) end
    out[#out + 1] = 1
  end
end
return out`;

/**
 * ARGV: prefix, owner, lease ms, keys... Renews the claims still ours. Per request 1 renewed,
 * 0 gone (finished meanwhile, or lapsed and free: the next confirm takes it again), -1 another
 * owner holds it now.
 */
const RENEW = `
local prefix, owner = ARGV[1], ARGV[2]
local out = {}
for i = 4, #ARGV do
  local claim = prefix .. 'claim:' .. ARGV[i]
  local holder = redis.call('GET', claim)
  if holder == owner then
    redis.call('PEXPIRE', claim, ARGV[3])
    out[#out + 1] = 1
  elseif holder then
    out[#out + 1] = -1
  else
    out[#out + 1] = 0
  end
end
return out`;

/**
 * ARGV: prefix, owner, ttl s, then per request key, entry ('' when not placed) and forget
 * attempt (1/0). The claim stays. Per request 1, or 0 when another owner holds the claim.
 */
const FINISH = `
local prefix, owner = ARGV[1], ARGV[2]
local out = {}
for i = 4, #ARGV, 3 do
  local key = ARGV[i]
  if ARGV[i + 1] ~= '' then redis.call('SET', prefix .. 'placed:' .. key, ARGV[i + 1], 'EX', ARGV[3]) end
  if ARGV[i + 2] == '1' then redis.call('DEL', prefix .. 'attempted:' .. key) end
  local holder = redis.call('GET', prefix .. 'claim:' .. key)
  out[#out + 1] = (holder and holder ~= owner) and 0 or 1
end
return out`;

/**
 * ARGV: prefix, owner, settled prefix, ttl s, then per request key, partition and offset: the
 * offset joins its partition's sorted set of settled records (kept a day at most: the worker
 * trims it at each commit), and the claim is dropped.
 */
const SETTLE = `
local prefix, owner, settled = ARGV[1], ARGV[2], ARGV[3]
for i = 5, #ARGV, 3 do
  local set = settled .. ARGV[i + 1]
  redis.call('ZADD', set, ARGV[i + 2], ARGV[i + 2])
  redis.call('EXPIRE', set, ARGV[4])
  local claim = prefix .. 'claim:' .. ARGV[i]
  if redis.call('GET', claim) == owner then redis.call('DEL', claim) end
end
return 1`;

/** ARGV: settled prefix, then per partition its name and the committed offset. */
const FORGET_SETTLED = `
for i = 2, #ARGV, 2 do
  redis.call('ZREMRANGEBYSCORE', ARGV[1] .. ARGV[i], '-inf', '(' .. ARGV[i + 1])
end
return 1`;

/** How long a partition's settled marks are kept when no commit trims them (the worker stopped), s. */
const SETTLED_TTL_SECONDS = 86_400;

/** ARGV: prefix, owner, keys... */
const RELEASE = `
local prefix, owner = ARGV[1], ARGV[2]
for i = 3, #ARGV do
  local claim = prefix .. 'claim:' .. ARGV[i]
  if redis.call('GET', claim) == owner then redis.call('DEL', claim) end
end
return 1`;

type Args = (string | number)[];

interface LedgerRedis extends Redis {
  callbridgeLedgerBegin(keys: number, ...args: Args): Promise<(string | number)[]>;
  callbridgeLedgerConfirm(keys: number, ...args: Args): Promise<number[]>;
  callbridgeLedgerRenew(keys: number, ...args: Args): Promise<number[]>;
  callbridgeLedgerFinish(keys: number, ...args: Args): Promise<number[]>;
  callbridgeLedgerSettle(keys: number, ...args: Args): Promise<1>;
  callbridgeLedgerForgetSettled(keys: number, ...args: Args): Promise<1>;
  callbridgeLedgerRelease(keys: number, ...args: Args): Promise<1>;
}

/**
 * The ledger in Redis: shared by every replica, surviving restarts of the worker. Settled
 * marks are per consumer group (`group`): another deployment reading the same topics keeps
 * its own.
 */
export class RedisLedger implements Ledger {
  private readonly redis: LedgerRedis;
  private readonly settledPrefix: string;

  constructor(
    redis: Redis,
    private readonly ttlSeconds: number,
    group: string,
    private readonly prefix = "callbridge:ledger:",
  ) {
    this.redis = redis as LedgerRedis;
    this.settledPrefix = `${prefix}settled:${group}:`;
    for (const [name, lua] of [
      ["callbridgeLedgerBegin", BEGIN],
      ["callbridgeLedgerConfirm", CONFIRM],
      ["callbridgeLedgerRenew", RENEW],
      ["callbridgeLedgerFinish", FINISH],
      ["callbridgeLedgerSettle", SETTLE],
      ["callbridgeLedgerForgetSettled", FORGET_SETTLED],
      ["callbridgeLedgerRelease", RELEASE],
    ] as const) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
  }

  async begin(items: readonly BeginItem[], owner: string, leaseMs: number): Promise<BeginResult[]> {
    if (items.length === 0) return [];
    const perItem = items.flatMap(({ key, record }) => [key, record ? partitionName(record) : "", record?.offset ?? ""]);
    const replies = await this.redis.callbridgeLedgerBegin(0, this.prefix, owner, leaseMs, this.settledPrefix, ...perItem);
    return replies.map((reply): BeginResult => {
      if (typeof reply === "string") return { kind: "placed", entry: JSON.parse(reply) as PlacedEntry };
      if (reply === 0) return { kind: "settled" };
      if (reply === 1) return { kind: "held_elsewhere" };
      return { kind: "claimed", attempted: reply === 3 };
    });
  }

  async confirm(items: readonly ConfirmItem[], owner: string, leaseMs: number): Promise<boolean[]> {
    if (items.length === 0) return [];
    const perItem = items.flatMap(({ key, markAttempted }) => [key, markAttempted ? "1" : "0"]);
    const replies = await this.redis.callbridgeLedgerConfirm(0, this.prefix, owner, leaseMs, this.ttlSeconds, ...perItem);
    return replies.map((reply) => reply === 1);
  }

  async renew(keys: readonly string[], owner: string, leaseMs: number): Promise<Renewal[]> {
    if (keys.length === 0) return [];
    const replies = await this.redis.callbridgeLedgerRenew(0, this.prefix, owner, leaseMs, ...keys);
    return replies.map((reply) => (reply === 1 ? "renewed" : reply === -1 ? "taken" : "gone"));
  }

  async finish(items: readonly FinishItem[], owner: string): Promise<boolean[]> {
    if (items.length === 0) return [];
    const perItem = items.flatMap(({ key, outcome }) => {
      const placed = outcome.kind === "placed";
      return [key, placed ? JSON.stringify(outcome.entry) : "", placed || outcome.proven ? "1" : "0"];
    });
    const replies = await this.redis.callbridgeLedgerFinish(0, this.prefix, owner, this.ttlSeconds, ...perItem);
    return replies.map((reply) => reply === 1);
  }

  async settle(items: readonly SettleItem[], owner: string): Promise<void> {
    if (items.length === 0) return;
    const perItem = items.flatMap(({ key, record }) => [key, partitionName(record), record.offset]);
    await this.redis.callbridgeLedgerSettle(0, this.prefix, owner, this.settledPrefix, SETTLED_TTL_SECONDS, ...perItem);
  }

  async forgetSettled(committed: readonly CommittedOffset[]): Promise<void> {
    if (committed.length === 0) return;
    const perPartition = committed.flatMap(({ topic, partition, below }) => [partitionName({ topic, partition }), below]);
    await this.redis.callbridgeLedgerForgetSettled(0, this.settledPrefix, ...perPartition);
  }

  async release(keys: readonly string[], owner: string): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.callbridgeLedgerRelease(0, this.prefix, owner, ...keys);
  }

  /** The client is shared with the limiter; whoever created it closes it. */
  async close(): Promise<void> {}
}

/** Kafka topic names hold no ':' (only letters, digits, '.', '_' and '-'). */
function partitionName(record: Pick<RecordRef, "topic" | "partition">): string {
  return `${record.topic}:${record.partition}`;
}
