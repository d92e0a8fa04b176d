/**
 * The shared limiter as Lua run atomically by Redis, on the Redis server's clock (`TIME`), so
 * the replicas' clocks never matter. Buckets are GCRA (see gcra.ts for the arithmetic and its
 * tests): a hash with `tat`, and for the global bucket the last 429's `floor` and `since`
 * (rate-control.ts is the same rule in TypeScript). A missing bucket is recreated: full when
 * this client has not used it lately (first use, or idle past its TTL, so it would be full),
 * empty when it has (Redis lost it: a restart without persistence, a failover, FLUSHALL),
 * which can never exceed the rate. Concurrency slots are a sorted set of holder ids scored by
 * lease expiry: a dead holder's slots drop out by themselves.
 */

const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local function effective_rate(conf, floor, since, step)
  if not floor or not since then return conf end
  local rate = floor + math.floor((now - since) / step) * 0.1 * conf
  if rate >= conf - 1e-9 then return conf end
  return rate
end
`;

/**
 * KEYS: global bucket, slots, [campaign bucket].
 * ARGV: wanted, global rate (0: none), global burst, recovery step ms, global known (1/0),
 *       max slots (0: not shared), slot lease ms, global ttl ms,
 *       campaign rate, campaign burst, campaign known, campaign ttl ms,
 *       `wanted` slot ids to hold, then slot ids to free first (calls that just finished).
 * Returns {granted, wait ms, lost (1/0), floor, since, now}.
 */
export const ACQUIRE = `${PRELUDE}
local wanted = tonumber(ARGV[1])
local lost = 0
local buckets = {}
local function load(key, conf, burst, known, ttl, throttled)
  local v = redis.call('HMGET', key, 'tat', 'floor', 'since')
  local floor, since = tonumber(v[2]), tonumber(v[3])
  local rate = conf
  if throttled then rate = effective_rate(conf, floor, since, tonumber(ARGV[4])) end
  -- Recovering from a 429: calls evenly spaced, no bursts.
  if rate < conf then burst = 1 end
  local interval = 1000 / rate
  local tat = tonumber(v[1])
  if not tat then
    if known == '1' then
      tat = now + burst * interval
      lost = 1
    else
      tat = now
    end
  end
  buckets[#buckets + 1] = { key = key, tat = tat, interval = interval, burst = burst, ttl = ttl }
  return floor, since
end
local floor, since
if tonumber(ARGV[2]) > 0 then
  floor, since = load(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[5], ARGV[8], true)
end
if KEYS[3] then load(KEYS[3], tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11], ARGV[12], false) end
local granted, wait = wanted, 0
for _, b in ipairs(buckets) do
  local base = math.max(b.tat, now)
  -- An absolute tolerance (1 µs): at epoch-ms magnitudes a relative one is lost (TOLERANCE_MS in gcra.ts).
  local room = math.floor((now + b.burst * b.interval - base + 0.001) / b.interval)
  if room < granted then granted = math.max(0, room) end
  if room < 1 then wait = math.max(wait, base + b.interval - b.burst * b.interval - now) end
end
local max_slots = tonumber(ARGV[6])
for i = 13 + wanted, #ARGV do redis.call('ZREM', KEYS[2], ARGV[i]) end
if max_slots > 0 and granted > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local free = max_slots - redis.call('ZCARD', KEYS[2])
  if free < granted then granted = math.max(0, free) end
  if granted == 0 then wait = 10 end
end
for _, b in ipairs(buckets) do
  if granted > 0 then b.tat = math.max(b.tat, now) + granted * b.interval end
  redis.call('HSET', b.key, 'tat', b.tat)
  redis.call('PEXPIRE', b.key, b.ttl)
end
if max_slots > 0 and granted > 0 then
  local lease = tonumber(ARGV[7])
  for i = 1, granted do redis.call('ZADD', KEYS[2], now + lease, ARGV[12 + i]) end
  redis.call('PEXPIRE', KEYS[2], lease * 2)
end
return { granted, math.ceil(wait), lost, tostring(floor or ''), tostring(since or ''), tostring(now) }
`;

/**
 * A 429: halve the effective rate (not below 10% of configured, at most once per cooldown over
 * all replicas), empty the bucket, and keep it shut until `retry after` from now. Until the
 * rate has recovered the bucket holds one call: after a 429, no bursts.
 * KEYS: global bucket. ARGV: rate, recovery step ms, retry after ms, cooldown ms, ttl ms.
 * Returns {floor, since, now}.
 */
export const THROTTLE = `${PRELUDE}
local conf, step = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'tat', 'floor', 'since')
local floor, since = tonumber(v[2]), tonumber(v[3])
local rate = effective_rate(conf, floor, since, step)
if not since or now - since >= tonumber(ARGV[4]) then
  floor = math.max(0.1 * conf, rate / 2)
  since = now
  rate = floor
  redis.call('HSET', KEYS[1], 'floor', floor, 'since', since)
end
local interval = 1000 / rate
-- A throttled bucket holds one call (see ACQUIRE): it reopens for one call at a time.
local reopen = now + math.max(interval, tonumber(ARGV[3]))
local tat = math.max(tonumber(v[1]) or now, reopen)
redis.call('HSET', KEYS[1], 'tat', tat)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return { tostring(floor), tostring(since), tostring(now) }
`;

/**
 * Extends the leases of the slots this replica holds (adding back any Redis lost), and reads
 * the shared 429 state. KEYS: slots, global bucket. ARGV: lease ms, slot ids...
 * Returns {floor, since, now}.
 */
export const RENEW = `${PRELUDE}
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + lease, ARGV[i]) end
if #ARGV > 1 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
local v = redis.call('HMGET', KEYS[2], 'floor', 'since')
return { v[1] or '', v[2] or '', tostring(now) }
`;
