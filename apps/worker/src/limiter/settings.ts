import type { BucketSpec, GenerationSpec } from "./generation.js";
import type { CallLimiterConfig, LimitSettings } from "./types.js";

export const DEFAULT_REFILL_INTERVAL_MS = 100;
export const DEFAULT_RECOVERY_STEP_MS = 5_000;
export const MIN_REFILL_INTERVAL_MS = 10;
const MIN_STALL_TIMEOUT_MS = 10_000;
const STALL_TOKEN_PERIODS = 5;

/**
 * How long queued calls may see no start before the watchdog rebuilds: 10 s, or 5 token periods of the
 * slowest bucket they wait for, so a throttled or very slow bucket is not mistaken for a stall.
 */
export function stallTimeoutMs(config: CallLimiterConfig, slowestRatePerSecond: number): number {
  return config.stallTimeoutMs ?? Math.max(MIN_STALL_TIMEOUT_MS, (STALL_TOKEN_PERIODS * 1000) / slowestRatePerSecond);
}

/**
 * The refill tick of one bucket. A tick adds rate × interval tokens but never more than the bucket holds, so
 * with burst < rate × interval the excess is lost on every tick and the rate is capped at burst per tick
 * (measured: 100/s with burst 5 and 100 ms ticks gave 50/s). The tick is therefore shortened until one tick
 * fills at most half the bucket; half, because a late tick adds two ticks' worth at once.
 */
export function refillIntervalFor(limit: LimitSettings, configuredMs: number): number {
  return Math.min(configuredMs, Math.max(MIN_REFILL_INTERVAL_MS, Math.floor((500 * limit.burst) / limit.ratePerSecond)));
}

/** Highest rate a bucket can deliver with its tick (lower than configured only when even 10 ms ticks overflow it). */
export function achievableRate(limit: LimitSettings, intervalMs: number): number {
  return Math.min(limit.ratePerSecond, (limit.burst * 1000) / intervalMs);
}

/** Throws RangeError on settings Bottleneck would accept but misbehave with (zero rate, fractional burst...). */
export function validateConfig(config: CallLimiterConfig): void {
  const check = (name: string, ok: boolean) => {
    if (!ok) throw new RangeError(`call limiter ${config.id}: invalid ${name}`);
  };
  const checkLimit = (name: string, limit: LimitSettings) => {
    check(`${name}.ratePerSecond`, Number.isFinite(limit.ratePerSecond) && limit.ratePerSecond > 0);
    // A bucket that can never hold one whole token would never start a call.
    check(`${name}.burst`, Number.isInteger(limit.burst) && limit.burst >= 1);
  };
  check("id", config.id.length > 0);
  checkLimit("global", config.global);
  for (const [campaignId, limit] of config.campaigns) checkLimit(`campaigns[${campaignId}]`, limit);
  check("maxConcurrent", Number.isInteger(config.maxConcurrent) && config.maxConcurrent >= 1);
  const optionalPositive = (value: number | undefined, min: number) => value === undefined || (Number.isFinite(value) && value >= min);
  check("refillIntervalMs", optionalPositive(config.refillIntervalMs, MIN_REFILL_INTERVAL_MS));
  check("stallTimeoutMs", optionalPositive(config.stallTimeoutMs, 1));
  check("recoveryStepMs", optionalPositive(config.recoveryStepMs, 1));
}

export interface GenerationState {
  readonly number: number;
  readonly redisUrl: string | undefined;
  /** Effective global rate now (after throttling). */
  readonly globalRate: number;
  /** Tokens left in the replaced in-process buckets. */
  readonly carry: { readonly global: number; readonly campaigns: ReadonlyMap<string, number> } | undefined;
  /** In-process only: slots still held by calls of replaced generations. */
  readonly slotsHeldElsewhere: number;
  readonly pushSettings: boolean;
}

/** The buckets of one generation, derived from the configuration and the state recovery carries over. */
export function generationSpec(config: CallLimiterConfig, state: GenerationState): GenerationSpec {
  const configuredMs = config.refillIntervalMs ?? DEFAULT_REFILL_INTERVAL_MS;
  // A rebuilt Redis bucket starts empty: the lost one's level is unknown, and empty can never exceed the rate.
  const initial = (burst: number, carried: number | undefined) => (state.number === 1 ? burst : state.redisUrl ? 0 : (carried ?? 0));
  const campaigns = new Map<string, BucketSpec>();
  for (const [campaignId, limit] of config.campaigns) {
    campaigns.set(campaignId, {
      id: `${config.id}-campaign-${campaignId}`,
      rate: limit.ratePerSecond,
      burst: limit.burst,
      intervalMs: refillIntervalFor(limit, configuredMs),
      initialReservoir: initial(limit.burst, state.carry?.campaigns.get(campaignId)),
    });
  }
  return {
    number: state.number,
    redisUrl: state.redisUrl,
    global: {
      id: config.id,
      rate: state.globalRate,
      burst: config.global.burst,
      // From the configured rate: throttling only ever lowers it, which keeps a tick within the bucket.
      intervalMs: refillIntervalFor(config.global, configuredMs),
      maxConcurrent: config.maxConcurrent - state.slotsHeldElsewhere,
      initialReservoir: initial(config.global.burst, state.carry?.global),
    },
    campaigns,
    pushSettings: state.pushSettings,
  };
}

/** Buckets whose burst is too small for even a 10 ms tick, with the rate they can actually deliver. */
export function cappedBuckets(config: CallLimiterConfig): Array<{ bucket: string; limit: LimitSettings; achievable: number }> {
  const configuredMs = config.refillIntervalMs ?? DEFAULT_REFILL_INTERVAL_MS;
  const all: Array<[string, LimitSettings]> = [["global", config.global], ...config.campaigns];
  return all
    .map(([bucket, limit]) => ({ bucket, limit, achievable: achievableRate(limit, refillIntervalFor(limit, configuredMs)) }))
    .filter(({ limit, achievable }) => achievable < limit.ratePerSecond);
}
