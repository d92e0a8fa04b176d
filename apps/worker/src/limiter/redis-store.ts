import type { Redis } from "ioredis";
import type { ThrottleState } from "./rate-control.js";
import { ACQUIRE, RENEW, THROTTLE } from "./redis-scripts.js";
import type { BucketStore, CallLimiterConfig, Grant, LimitSettings } from "./types.js";

const THROTTLE_COOLDOWN_MS = 1_000;
const MIN_KEY_TTL_MS = 60_000;

type ScriptReply = [number, number, number, string, string, string];

interface ScriptedRedis extends Redis {
  callbridgeAcquire(...args: (string | number)[]): Promise<ScriptReply>;
  callbridgeThrottle(...args: (string | number)[]): Promise<[string, string, string]>;
  callbridgeRenew(...args: (string | number)[]): Promise<[string, string, string]>;
}

/**
 * The buckets and the concurrency slots in Redis, shared by every replica that uses the same
 * limiter id; one round trip per answer (redis-scripts.ts). Keys carry a hash tag so that all
 * of one limiter's keys live in one Redis Cluster slot.
 */
export class RedisBucketStore implements BucketStore {
  readonly mode = "shared" as const;
  readonly localCap: number;
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  /** When this process last saw each bucket (its clock): a bucket missing soon after was lost, not expired. */
  private readonly lastSeen = new Map<string, number>();

  constructor(
    redis: Redis,
    private readonly config: CallLimiterConfig,
    private readonly recoveryStepMs: number,
    private readonly slotLeaseMs: number,
  ) {
    this.redis = redis as ScriptedRedis;
    for (const [name, lua] of [
      ["callbridgeAcquire", ACQUIRE],
      ["callbridgeThrottle", THROTTLE],
      ["callbridgeRenew", RENEW],
    ] as const) {
      if (!(name in redis)) redis.defineCommand(name, { lua });
    }
    this.prefix = `callbridge:limiter:{${config.id}}:`;
    this.localCap = config.maxConcurrent;
  }

  async acquire(campaignId: string | undefined, slotIds: readonly string[], releasing: readonly string[] = []): Promise<Grant> {
    const global = this.config.global;
    const campaign = campaignId === undefined ? undefined : this.config.campaigns.get(campaignId);
    const globalKey = `${this.prefix}global`;
    const campaignKey = campaign ? `${this.prefix}campaign:${campaignId}` : undefined;
    const keys = campaignKey ? [globalKey, `${this.prefix}slots`, campaignKey] : [globalKey, `${this.prefix}slots`];
    const sentAt = Date.now();
    const reply = await this.redis.callbridgeAcquire(
      keys.length,
      ...keys,
      slotIds.length,
      global?.ratePerSecond ?? 0,
      global?.burst ?? 1,
      this.recoveryStepMs,
      this.known(globalKey, global, sentAt, true),
      this.config.maxConcurrent,
      this.slotLeaseMs,
      keyTtlMs(global, true),
      campaign?.ratePerSecond ?? 0,
      campaign?.burst ?? 1,
      campaignKey ? this.known(campaignKey, campaign, sentAt, false) : "0",
      keyTtlMs(campaign, false),
      ...slotIds,
      ...releasing,
    );
    const [granted, waitMs, lost, floor, since, serverNow] = reply;
    const seenAt = Date.now();
    if (global) this.lastSeen.set(globalKey, seenAt);
    if (campaignKey) this.lastSeen.set(campaignKey, seenAt);
    return { granted, waitMs, keysLost: lost === 1, throttle: throttleState(floor, since, serverNow, seenAt) };
  }

  async release(slotIds: readonly string[]): Promise<void> {
    if (slotIds.length > 0 && this.config.maxConcurrent > 0) await this.redis.zrem(`${this.prefix}slots`, ...slotIds);
  }

  async renew(slotIds: readonly string[]): Promise<ThrottleState | undefined> {
    const [floor, since, serverNow] = await this.redis.callbridgeRenew(
      2,
      `${this.prefix}slots`,
      `${this.prefix}global`,
      this.slotLeaseMs,
      ...slotIds,
    );
    return throttleState(floor, since, serverNow, Date.now());
  }

  async throttle(retryAfterMs: number | undefined): Promise<ThrottleState | undefined> {
    const global = this.config.global;
    if (!global) return undefined;
    const [floor, since, serverNow] = await this.redis.callbridgeThrottle(
      1,
      `${this.prefix}global`,
      global.ratePerSecond,
      this.recoveryStepMs,
      retryAfterMs ?? 0,
      THROTTLE_COOLDOWN_MS,
      keyTtlMs(global, true),
    );
    return throttleState(floor, since, serverNow, Date.now());
  }

  async close(): Promise<void> {}

  private known(key: string, limit: LimitSettings | null | undefined, now: number, throttled: boolean): string {
    const seen = this.lastSeen.get(key);
    // A margin for the round trip: past the TTL, a missing key may simply have expired (full).
    return seen !== undefined && now - seen < keyTtlMs(limit, throttled) - 1_000 ? "1" : "0";
  }
}

/**
 * A bucket key lives as long as the bucket takes to fill from empty at its slowest (10% of the
 * rate after 429s), twice over: a key that expired was full anyway.
 */
function keyTtlMs(limit: LimitSettings | null | undefined, throttled: boolean): number {
  if (!limit) return MIN_KEY_TTL_MS;
  const slowest = throttled ? limit.ratePerSecond * 0.1 : limit.ratePerSecond;
  return Math.max(MIN_KEY_TTL_MS, Math.ceil((2_000 * limit.burst) / slowest));
}

/** The 429 state as Redis keeps it, moved onto this process's clock. */
function throttleState(floor: string, since: string, serverNow: string, localNow: number): ThrottleState | undefined {
  const floorRate = Number(floor);
  const at = Number(since);
  if (floor === "" || since === "" || !Number.isFinite(floorRate) || !Number.isFinite(at)) return undefined;
  return { floorRate, since: at - Number(serverNow) + localNow };
}
