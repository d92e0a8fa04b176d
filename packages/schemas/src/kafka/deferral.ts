import { z } from "zod";

/**
 * Why a request was deferred (`callbridge.deferral.reason`):
 * - `retry_backoff`: a backoff step of a transient failure longer than the worker holds in memory;
 * - `rate_limited`: a 429 whose Retry-After is that long;
 * - `campaign_not_active`: the campaign is `draft` or `paused` (parked until it is `active`);
 * - `calling_window`: outside the recipient's calling window, in their local time (the recipient guard);
 * - `frequency_cap`: the recipient had as many calls in the policy's rolling period as it allows;
 * - `cooldown`: the recipient was called less than the policy's cooldown ago.
 */
export const DeferralReason = z.enum([
  "retry_backoff",
  "rate_limited",
  "campaign_not_active",
  "calling_window",
  "frequency_cap",
  "cooldown",
]);
export type DeferralReason = z.infer<typeof DeferralReason>;

/**
 * The delay tiers of durable deferral (docs/deferral.md). A deferred request waits in the
 * tier with the longest delay not above its remaining wait, hop by hop; each tier topic is read
 * in order and paused until its head is due, so nothing waits behind a longer wait than its
 * tier's delay. The shortest tier bounds how late a short deferral can be.
 */
export const DEFERRAL_TIERS = [
  { name: "5s", delayMs: 5_000 },
  { name: "30s", delayMs: 30_000 },
  { name: "5m", delayMs: 300_000 },
  { name: "1h", delayMs: 3_600_000 },
] as const;
export type DeferralTier = (typeof DEFERRAL_TIERS)[number];

/** The tier topics of a requests topic: `{requests}.deferred.{tier}`. */
export function deferralTopic(callRequestsTopic: string, tier: DeferralTier): string {
  return `${callRequestsTopic}.deferred.${tier.name}`;
}

/** Every tier topic of a requests topic, shortest delay first. */
export function deferralTopics(callRequestsTopic: string): string[] {
  return DEFERRAL_TIERS.map((tier) => deferralTopic(callRequestsTopic, tier));
}

/**
 * Headers of a record waiting in a tier topic, besides the request's own. The record's key is
 * the idempotency key (the tier topics are compacted by it); its value is the request's value,
 * unchanged. Times are ISO 8601 UTC; values are UTF-8 strings.
 */
export const DEFERRAL_HEADERS = {
  /** The request is not to be placed before this moment. */
  notBefore: "callbridge.deferral.not_before",
  /** When this hop is due to be read: min(not_before, written + the tier's delay). */
  wakeAt: "callbridge.deferral.wake_at",
  reason: "callbridge.deferral.reason",
  /** Deferrals of this request so far, this one included. */
  count: "callbridge.deferral.count",
  /** The request's first deferral. */
  firstAt: "callbridge.deferral.first_at",
  /** When the request was first parked (its age for PARK_MAX_AGE_MS). */
  parkedAt: "callbridge.deferral.parked_at",
  /** The campaign's status when last seen (parked requests). */
  campaignStatus: "callbridge.deferral.campaign_status",
  campaignId: "callbridge.deferral.campaign_id",
  /** The attempts made so far (JSON), so the retry budget goes on where it stopped. */
  attempts: "callbridge.deferral.attempts",
  /** The key of the request's record on the requests topic (absent when it had none). */
  originalKey: "callbridge.deferral.original_key",
  originalTopic: "callbridge.deferral.original_topic",
  originalPartition: "callbridge.deferral.original_partition",
  originalOffset: "callbridge.deferral.original_offset",
} as const;

/** Every deferral header name, for stripping them when a record moves on. */
export const DEFERRAL_HEADER_NAMES: readonly string[] = Object.values(DEFERRAL_HEADERS);

/**
 * Redis key prefix of what was last read of a campaign (`{prefix}{campaign id}`, JSON
 * `{status, checked_at_ms}`, kept one poll interval), shared by the workers so one replica reads
 * a campaign per interval; `callbridge parked redrive` deletes it to force a fresh read.
 */
export const CAMPAIGN_STATUS_KEY_PREFIX = "callbridge:campaign-status:";

/**
 * Operators' commands about parked requests (`callbridge parked redrive|drop`), which every
 * worker reads from Redis: a hash at this key, one field per campaign id, each value a
 * `ParkedCommand` as JSON. Needs REDIS_URL (the state the workers share).
 */
export const PARKED_COMMANDS_KEY = "callbridge:parked-commands";

/**
 * What operators asked for one campaign's parked requests. `redrive_at_ms`: read the campaign
 * again now and wake its parked requests (ms since the epoch, when asked). `drop_before_ms`:
 * dead-letter (`parked_dropped`) its requests parked before this moment. A later command keeps
 * the fields it does not set.
 */
export const ParkedCommand = z.object({
  redrive_at_ms: z.number().int().nonnegative().optional(),
  drop_before_ms: z.number().int().nonnegative().optional(),
});
export type ParkedCommand = z.infer<typeof ParkedCommand>;

/**
 * The consumer group that reads the deferral tiers: the workers' group with `.deferred` after
 * it. A group of its own, so the tiers are fetched at their own pace, not with every fetch of
 * the requests topic.
 */
export function deferralGroupId(workerGroupId: string): string {
  return `${workerGroupId}.deferred`;
}
