import type { CampaignCall, ExistingCall } from "@callbridge/schemas";
import type { AnyTalkoverError } from "@callbridge/talkover-client";
import type { DeadLetter } from "../delivery/records.js";
import { fullJitterBackoffMs, retryDelayMs } from "./backoff.js";

/** What the attempts of one request have done so far. */
export interface AttemptState {
  /** Requests sent to the API. */
  readonly calls: number;
  /** Failures counted against the attempt budget (5xx, timeouts, connection errors, ...). */
  readonly budgetSpent: number;
  /** 429s so far (they do not spend the budget; they lengthen the backoff). */
  readonly throttles: number;
  /** An attempt may have reached the API without an answer saying so: a later 409 may mean "placed". */
  readonly ambiguous: boolean;
  /**
   * The earliest moment such an unanswered attempt was sent (ISO 8601): a call the API created
   * before it cannot be ours. Undefined when unknown (then any existing call may be ours).
   */
  readonly ambiguousSince: string | undefined;
  readonly firstAttemptAt: string | undefined;
}

/**
 * A request's state before its first attempt here. `ambiguousBefore`: an earlier process may
 * have sent it unanswered; `since`: no such attempt can be older than this (the time the
 * request was received or made), so an existing call created before it is someone else's.
 */
export function initialAttemptState(ambiguousBefore: boolean, since?: string): AttemptState {
  return {
    calls: 0,
    budgetSpent: 0,
    throttles: 0,
    ambiguous: ambiguousBefore,
    ambiguousSince: ambiguousBefore ? since : undefined,
    firstAttemptAt: undefined,
  };
}

/**
 * How much earlier than our unanswered attempt an existing call's `created_at` may read and
 * still count as possibly ours, ms. The API's examples write `created_at` to the whole second
 * (a call made at .800 reads .000), and its clock and ours differ by NTP's error besides. Erring
 * this way only ever miscounts an earlier request's call as placed; erring the other way would
 * dead-letter our own call, and a replay of that letter could call the person twice.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 1_000;

/** Could the API's existing call (409 `existing_call`) be the one our unanswered attempt created? */
function couldBeOurs(createdAt: string, ambiguousSince: string | undefined): boolean {
  if (ambiguousSince === undefined) return true;
  const created = Date.parse(createdAt);
  // Unreadable: keep the request's bookkeeping as placed, which never calls again either.
  if (Number.isNaN(created)) return true;
  return created >= Date.parse(ambiguousSince) - CLOCK_SKEW_ALLOWANCE_MS;
}

/** `state` after an attempt sent at `sentAt` that may have reached the API unanswered. */
function madeAmbiguous(state: AttemptState, sentAt: string): AttemptState {
  return { ...state, ambiguous: true, ambiguousSince: state.ambiguousSince ?? sentAt };
}

/** What one turn through the limiter came back with. */
export type AttemptOutcome =
  | { readonly kind: "created"; readonly call: CampaignCall; readonly at: string }
  /** `sentAt`: when the request left (ISO 8601); `at`: when it ended. */
  | { readonly kind: "failed"; readonly error: AnyTalkoverError; readonly sentAt: string; readonly at: string }
  /** Not a client error: a bug. Treated as an ambiguous transient failure rather than losing the request. */
  | { readonly kind: "crashed"; readonly message: string; readonly sentAt: string; readonly at: string }
  /** Nothing was sent: the 401 circuit opened while the call waited for its turn. */
  | { readonly kind: "circuit_open" };

export interface OutcomePolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly retryAfterMaxMs: number;
  readonly duplicateCallPolicy: "dead_letter" | "outcome";
  /** A wait this long or longer is not held in memory but deferred durably (DEFER_ABOVE_MS), ms. */
  readonly deferAboveMs: number;
  /** Whether a 400 CAMPAIGN_NOT_ACTIVE may park the request (PARK_CAMPAIGN_STATUSES not empty). */
  readonly parking: boolean;
}

/** Why an attempt is repeated: the client's error kind (`server_error`, `timeout`, `rate_limited`, ...), or `internal` for a bug. */
type RetryReason = AnyTalkoverError["kind"] | "internal";

/** The next thing to do, for the loop in process-request.ts to carry out. */
export type NextStep =
  /** Record the call in the ledger; the result is `placed`. */
  | { readonly kind: "place"; readonly call: CampaignCall }
  /** 409 and DUPLICATE_CALL_POLICY=outcome: a `duplicate` result, no dead letter. */
  | { readonly kind: "duplicate"; readonly existingCall: ExistingCall }
  | { readonly kind: "dead_letter"; readonly letter: Omit<DeadLetter, "attempts" | "firstAttemptAt" | "campaignId"> }
  /** Wait, then go through the limiter again; `throttle`: a 429, slow the shared limiter down. */
  | {
      readonly kind: "retry";
      readonly waitMs: number;
      readonly reason: RetryReason;
      readonly throttle?: { readonly retryAfterMs: number | undefined };
    }
  /** Wait durably: the request leaves memory and comes back at `waitMs` from now (docs/deferral.md). */
  | {
      readonly kind: "defer";
      readonly waitMs: number;
      readonly reason: "retry_backoff" | "rate_limited";
      readonly throttle?: { readonly retryAfterMs: number | undefined };
    }
  /** 400 CAMPAIGN_NOT_ACTIVE with parking on: read the campaign's status to park or dead-letter (`letter`). */
  | { readonly kind: "campaign_not_active"; readonly letter: Omit<DeadLetter, "attempts" | "firstAttemptAt" | "campaignId"> }
  /** 401 (`open`) or an open circuit: wait until the token is accepted, then try again; spends nothing. */
  | { readonly kind: "await_circuit"; readonly open: boolean }
  /** Our own shutdown aborted the call: leave the record uncommitted. */
  | { readonly kind: "abandon" };

/**
 * The outcome policy as a pure function: from what the attempts did so far and what the last
 * one came back with, the next step and the new state. `jitter` is a number in [0, 1) for the
 * full-jitter backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"). The rules are
 * the table in docs/worker.md#what-happens-to-each-request; the HTTP judgements
 * (`retryable`, `ambiguous`) are the Talkover client's.
 */
export function decide(
  state: AttemptState,
  outcome: AttemptOutcome,
  policy: OutcomePolicy,
  jitter: number,
): { state: AttemptState; step: NextStep } {
  if (outcome.kind === "circuit_open") return { state, step: { kind: "await_circuit", open: false } };
  const sent: AttemptState = { ...state, calls: state.calls + 1, firstAttemptAt: state.firstAttemptAt ?? outcome.at };
  if (outcome.kind === "created") return { state: sent, step: { kind: "place", call: outcome.call } };
  if (outcome.kind === "crashed") {
    return transient(
      madeAmbiguous(sent, outcome.sentAt),
      "internal",
      { status: undefined, code: "INTERNAL", message: outcome.message, body: undefined },
      undefined,
      policy,
      jitter,
    );
  }
  const error = outcome.error;
  const answered = { status: error.status, code: error.code, message: error.message, body: error.responseBody };
  switch (error.kind) {
    case "aborted":
      return { state: madeAmbiguous(sent, outcome.sentAt), step: { kind: "abandon" } };
    case "unauthorized":
      // Wrong for every request: not this request's failure, so it spends no attempt.
      return { state: sent, step: { kind: "await_circuit", open: true } };
    case "rate_limited": {
      const throttled = { ...sent, throttles: sent.throttles + 1 };
      const backoff = fullJitterBackoffMs(throttled.throttles, policy.baseMs, policy.maxMs, () => jitter);
      const waitMs = retryDelayMs(backoff, error.retryAfterMs, policy.retryAfterMaxMs);
      // The pause the whole limiter takes is capped like this request's own wait.
      const pauseMs = error.retryAfterMs === undefined ? undefined : Math.min(error.retryAfterMs, policy.retryAfterMaxMs);
      const kind = waitMs >= policy.deferAboveMs ? "defer" : "retry";
      return { state: throttled, step: { kind, waitMs, reason: "rate_limited", throttle: { retryAfterMs: pauseMs } } };
    }
    case "duplicate_call": {
      const existingCall = error.existingCall;
      // Our own earlier attempt placed it; the API just did not get to tell us. Only if that call
      // is not older than our first unanswered attempt: else it is an earlier request's call.
      if (sent.ambiguous && existingCall && couldBeOurs(existingCall.created_at, sent.ambiguousSince)) {
        return { state: sent, step: { kind: "place", call: { ...existingCall, scheduled_at: null } } };
      }
      if (policy.duplicateCallPolicy === "outcome" && existingCall) return { state: sent, step: { kind: "duplicate", existingCall } };
      return { state: sent, step: { kind: "dead_letter", letter: { reason: "http_4xx", ...letterFields(answered, 409), existingCall } } };
    }
    default: {
      const next = error.ambiguous ? madeAmbiguous(sent, outcome.sentAt) : sent;
      if (error.retryable) return transient(next, error.kind, answered, error.retryAfterMs, policy, jitter);
      if (error.code === "CAMPAIGN_NOT_ACTIVE" && policy.parking) {
        return {
          state: next,
          step: { kind: "campaign_not_active", letter: { reason: "http_4xx", ...letterFields(answered, error.status ?? 400) } },
        };
      }
      return { state: next, step: { kind: "dead_letter", letter: { reason: "http_4xx", ...letterFields(answered, error.status ?? 0) } } };
    }
  }
}

interface Answered {
  readonly status: number | undefined;
  readonly code: string;
  readonly message: string;
  readonly body: string | undefined;
}

function transient(
  state: AttemptState,
  reason: RetryReason,
  answered: Answered,
  retryAfterMs: number | undefined,
  policy: OutcomePolicy,
  jitter: number,
): { state: AttemptState; step: NextStep } {
  const spent = { ...state, budgetSpent: state.budgetSpent + 1 };
  if (spent.budgetSpent >= policy.maxAttempts) {
    return {
      state: spent,
      step: { kind: "dead_letter", letter: { reason: "retries_exhausted", ...letterFields(answered, answered.status) } },
    };
  }
  const backoff = fullJitterBackoffMs(spent.budgetSpent, policy.baseMs, policy.maxMs, () => jitter);
  const waitMs = retryDelayMs(backoff, retryAfterMs, policy.retryAfterMaxMs);
  if (waitMs >= policy.deferAboveMs) return { state: spent, step: { kind: "defer", waitMs, reason: "retry_backoff" } };
  return { state: spent, step: { kind: "retry", waitMs, reason } };
}

function letterFields(answered: Answered, status: number | undefined) {
  return { httpStatus: status, errorCode: answered.code, message: answered.message, responseBody: answered.body };
}
