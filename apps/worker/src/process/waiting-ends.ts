import type { CallRequest, DeferralReason } from "@callbridge/schemas";
import type { Deferral } from "../deferral/deferral-record.js";
import type { DeadLetter } from "../delivery/records.js";
import { type AttemptState, initialAttemptState } from "./decide.js";
import { type Deferred, resultEvent } from "./finished.js";

/** What a request that is about to wait brings with it. */
export interface Waiting {
  readonly request: CallRequest;
  readonly now: () => Date;
  readonly state: AttemptState;
  /** Its deferral so far, when it came back from waiting. */
  readonly previous: Deferral | undefined;
}

/** Why a request waits in a tier other than parking. */
export type WaitReason = Exclude<DeferralReason, "campaign_not_active">;

/** A long wait (Retry-After, backoff, the recipient guard) made durable: the attempts kept, and a `deferred` event. */
export function deferredEnd(waiting: Waiting, notBeforeMs: number, reason: WaitReason): Deferred {
  const { request, now, state, previous } = waiting;
  const deferral: Deferral = {
    reason,
    notBefore: new Date(notBeforeMs).toISOString(),
    count: (previous?.count ?? 0) + 1,
    firstAt: previous?.firstAt ?? now().toISOString(),
    attempts: state,
  };
  const result = resultEvent(request, now, state.calls, {
    outcome: "deferred",
    reason,
    not_before: deferral.notBefore,
    deferrals: deferral.count,
  });
  return { kind: "deferred", deferral, result };
}

/**
 * Parked until `notBeforeMs`: a `parked` event the first time only (a parked request is written
 * again at every check, silently); the attempts made before it was parked are kept.
 */
export function parkedEnd(waiting: Waiting, notBeforeMs: number, parkedAtMs: number, status: Deferral["campaignStatus"]): Deferred {
  const { request, now, state, previous } = waiting;
  const deferral: Deferral = {
    reason: "campaign_not_active",
    notBefore: new Date(notBeforeMs).toISOString(),
    count: (previous?.count ?? 0) + 1,
    firstAt: previous?.firstAt ?? now().toISOString(),
    parkedAt: new Date(parkedAtMs).toISOString(),
    campaignStatus: status,
    attempts: state.calls > 0 ? state : previous?.attempts,
  };
  if (previous?.reason === "campaign_not_active") return { kind: "deferred", deferral };
  const result = resultEvent(request, now, state.calls, {
    outcome: "parked",
    reason: "campaign_not_active",
    ...(status ? { campaign_status: status } : {}),
  });
  return { kind: "deferred", deferral, result };
}

/** The letter of a campaign that will never run, for a parked request that finds it so. */
export function notActiveLetter(): Omit<DeadLetter, "attempts" | "firstAttemptAt" | "campaignId"> {
  return { reason: "http_4xx", httpStatus: 400, errorCode: "CAMPAIGN_NOT_ACTIVE", message: "Campaign is not active" };
}

/**
 * The attempt state a request goes on with: what it carried through its deferral, if anything,
 * widened when the ledger says an attempt may have landed that the carried state does not know.
 */
export function resumedState(carried: AttemptState | undefined, attempted: boolean, requestSince: string | undefined): AttemptState {
  if (!carried) return initialAttemptState(attempted, requestSince);
  if (!attempted || carried.ambiguous) return carried;
  return { ...carried, ambiguous: true, ambiguousSince: requestSince };
}
