import { RECIPIENT_CALLS_KEY_PREFIX, SUPPRESSION_LIST_KEY, SuppressionEntry } from "@callbridge/schemas";
import type { Redis } from "ioredis";
import { RECIPIENT_CALLS_KEPT_MS, type RecipientAnswer, type RecipientCheck, type RecipientStore } from "./recipient-store.js";

/*
 * One script over many requests, on Redis's clock (the replicas' clocks may differ). Each
 * request's part mirrors countCall (recipient-store.ts). Keys are built inside the script from
 * the prefixes, as the ledger's are: fine on a single Redis (with replicas or Sentinel), not on
 * Redis Cluster.
 *
 * ARGV: list key, calls prefix, kept ms, then per request: number, key, count (1/0), max calls
 * (0: no cap), period ms, cooldown ms. Per request two values: a kind and its detail (the list
 * entry, or until when, ms).
 */
const CHECK = `
local list, prefix, kept = ARGV[1], ARGV[2], tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 4, #ARGV, 6 do
  local number, key = ARGV[i], ARGV[i + 1]
  local listed = redis.call('HGET', list, number)
  if listed then
    out[#out + 1] = 'listed'; out[#out + 1] = listed
  elseif ARGV[i + 2] ~= '1' then
    out[#out + 1] = 'clear'; out[#out + 1] = ''
  else
    local calls = prefix .. number
    local cap, period, cooldown = tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
    redis.call('ZREMRANGEBYSCORE', calls, '-inf', now - kept)
    local kind, detail = nil, ''
    if not redis.call('ZSCORE', calls, key) then
      if cooldown > 0 then
        local last = redis.call('ZRANGE', calls, -1, -1, 'WITHSCORES')
        if last[2] and now - tonumber(last[2]) < cooldown then kind, detail = 'cooling', tonumber(last[2]) + cooldown end
      end
      if not kind and cap > 0 then
        local since = '(' .. (now - period)
        local n = redis.call('ZCOUNT', calls, since, '+inf')
        if n >= cap then
          local freeing = redis.call('ZRANGEBYSCORE', calls, since, '+inf', 'WITHSCORES', 'LIMIT', n - cap, 1)
          kind, detail = 'capped', tonumber(freeing[2]) + period
        end
      end
      if not kind then
        redis.call('ZADD', calls, now, key)
        redis.call('PEXPIRE', calls, kept)
      end
    end
    out[#out + 1] = kind or 'counted'; out[#out + 1] = tostring(detail)
  end
end
return out`;

/** ARGV: calls prefix, then number, key pairs. */
const UNCOUNT = `
for i = 2, #ARGV, 2 do redis.call('ZREM', ARGV[1] .. ARGV[i], ARGV[i + 1]) end
return 0`;

type RecipientRedis = Redis & {
  callbridgeRecipientCheck(keys: 0, ...args: (string | number)[]): Promise<string[]>;
  callbridgeRecipientUncount(keys: 0, ...args: string[]): Promise<number>;
};

/** The do-not-call list and counted calls in Redis, shared by every replica (docs/recipient-protection.md). */
export class RedisRecipientStore implements RecipientStore {
  private readonly redis: RecipientRedis;

  constructor(redis: Redis) {
    this.redis = redis as RecipientRedis;
    for (const [name, lua] of [
      ["callbridgeRecipientCheck", CHECK],
      ["callbridgeRecipientUncount", UNCOUNT],
    ] as const) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
  }

  async check(checks: readonly RecipientCheck[]): Promise<RecipientAnswer[]> {
    if (checks.length === 0) return [];
    const args: (string | number)[] = [SUPPRESSION_LIST_KEY, RECIPIENT_CALLS_KEY_PREFIX, RECIPIENT_CALLS_KEPT_MS];
    for (const check of checks) {
      args.push(check.number, check.key, check.count ? 1 : 0, check.cap?.maxCalls ?? 0, check.cap?.periodMs ?? 0, check.cooldownMs);
    }
    const reply = await this.redis.callbridgeRecipientCheck(0, ...args);
    return checks.map((_check, i) => answerOf(reply[2 * i] as string, reply[2 * i + 1] as string));
  }

  async listed(numbers: readonly string[]): Promise<(SuppressionEntry | undefined)[]> {
    if (numbers.length === 0) return [];
    const entries = await this.redis.hmget(SUPPRESSION_LIST_KEY, ...numbers);
    return entries.map((text) => (text === null ? undefined : listEntry(text)));
  }

  async uncount(items: readonly { readonly number: string; readonly key: string }[]): Promise<void> {
    if (items.length === 0) return;
    await this.redis.callbridgeRecipientUncount(0, RECIPIENT_CALLS_KEY_PREFIX, ...items.flatMap(({ number, key }) => [number, key]));
  }
}

function answerOf(kind: string, detail: string): RecipientAnswer {
  switch (kind) {
    case "listed":
      return { kind, entry: listEntry(detail) };
    case "capped":
    case "cooling":
      return { kind, untilMs: Number(detail) };
    case "counted":
      return { kind };
    default:
      return { kind: "clear" };
  }
}

/**
 * A list entry as written by the CLI or the ingest. One that does not parse still suppresses:
 * the number is listed, whatever else the entry says.
 */
function listEntry(text: string): SuppressionEntry {
  try {
    const parsed = SuppressionEntry.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // falls through
  }
  return { reason: "do_not_call", source: "unreadable entry", added_at: new Date(0).toISOString() };
}
