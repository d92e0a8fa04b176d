import type { CampaignStatus } from "@callbridge/schemas";
import { DEFERRAL_TIERS } from "@callbridge/schemas";
import type { SeenStatus } from "./status-cache.js";

/** Which campaign statuses park a request, and for how long (PARK_* settings). */
export interface ParkPolicy {
  /** Statuses that park (default `draft` and `paused`); any other non-active status dead-letters. Empty: parking off. */
  readonly parkStatuses: ReadonlySet<CampaignStatus>;
  /** A parked request is re-checked this often, ms (PARK_POLL_INTERVAL_MS). */
  readonly pollIntervalMs: number;
  /** A request parked longer is dead-lettered `parked_expired`, ms (PARK_MAX_AGE_MS). */
  readonly maxAgeMs: number;
}

/** What becomes of a request the API answered CAMPAIGN_NOT_ACTIVE, or of a parked one that is due. */
export type ParkVerdict =
  /** The campaign is active: go on to the call. */
  | { readonly kind: "call" }
  /** Wait until `notBeforeMs` and look again. */
  | { readonly kind: "park"; readonly notBeforeMs: number; readonly status: CampaignStatus | "unknown" }
  | {
      readonly kind: "dead_letter";
      readonly reason: "parked_expired" | "parked_dropped" | "not_active";
      readonly status: CampaignStatus | "unknown";
    };

export interface ParkFacts {
  readonly seen: SeenStatus;
  /** Ms since the epoch when the request was first parked; now for one not parked yet. */
  readonly parkedAtMs: number;
  readonly nowMs: number;
  /** An operator dropped the campaign's requests parked before this moment (`callbridge parked drop`). */
  readonly dropBeforeMs?: number | undefined;
  /** The API just answered CAMPAIGN_NOT_ACTIVE: an `active` read is older than that answer. */
  readonly refusedJustNow: boolean;
  /** In [0, 1): spreads the next checks of a campaign's requests over a second. */
  readonly jitter: number;
}

/**
 * The parking rule (docs/deferral.md#parking), a pure function: dropped by an operator → dead
 * letter `parked_dropped`; active (and not contradicted by the answer just received) → call;
 * a status that parks, or one that could not be read → park until the status is read again
 * (its read time plus one poll interval), unless the request is older than the maximum age →
 * `parked_expired`; any other status (`completed`, `cancelled`) → dead letter, it will never run.
 */
export function parkVerdict(facts: ParkFacts, policy: ParkPolicy): ParkVerdict {
  const { seen, parkedAtMs, nowMs } = facts;
  if (facts.dropBeforeMs !== undefined && parkedAtMs <= facts.dropBeforeMs) {
    return { kind: "dead_letter", reason: "parked_dropped", status: seen.status };
  }
  if (seen.status === "active" && !facts.refusedJustNow) return { kind: "call" };
  const parkingOn = policy.parkStatuses.size > 0;
  const parks = parkingOn && (seen.status === "unknown" || seen.status === "active" || policy.parkStatuses.has(seen.status));
  if (!parks) return { kind: "dead_letter", reason: "not_active", status: seen.status };
  const expiresAtMs = parkedAtMs + policy.maxAgeMs;
  if (nowMs >= expiresAtMs) return { kind: "dead_letter", reason: "parked_expired", status: seen.status };
  const nextRead = Math.max(seen.checkedAtMs + policy.pollIntervalMs, nowMs + 1_000);
  const notBeforeMs = Math.min(nextRead + Math.floor(facts.jitter * 1_000), expiresAtMs);
  return {
    kind: "park",
    notBeforeMs: Math.min(roundedUpToTier(notBeforeMs - nowMs, policy.pollIntervalMs) + nowMs, expiresAtMs),
    status: seen.status,
  };
}

/**
 * A wait rounded up to the next tier's delay when that is still within a poll interval (plus a
 * second): a request parked a while after its campaign was read would otherwise spend the rest
 * of that interval hopping through the 5 s tier (a write each 5 s) instead of one 30 s hop. It
 * is read a little later than the others, but never later than one interval from now, which
 * is all the parking promise needs (docs/deferral.md#parking).
 */
function roundedUpToTier(waitMs: number, pollIntervalMs: number): number {
  const tier = DEFERRAL_TIERS.find((candidate) => candidate.delayMs >= waitMs);
  return tier && tier.delayMs <= pollIntervalMs + 1_000 ? Math.max(waitMs, tier.delayMs) : waitMs;
}
