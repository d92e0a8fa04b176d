import type { CampaignCall, ExistingCall } from "@callbridge/schemas";
import type { AnyTalkoverError } from "@callbridge/talkover-client";
import type { DeadLetter } from "../output/records.js";
import { fullJitterBackoffMs, retryDelayMs } from "./backoff.js";

/** What the attempts of one request have done so far. */
export interface AttemptState {
  /** Requests sent to the API. */
  readonly calls: number;
  /** Failures counted against the attempt budget (5xx, timeouts, connection errors, ...). */
  readonly budgetSpent: number;
  /** 429s so far (they do not spend the budget; they lengthen the backoff). */
  readonly throttles: number;
  /** An attempt may have reached the API without an answer saying so: a later 409 means "placed". */
  readonly ambiguous: boolean;
  readonly firstAttemptAt: string | undefined;
}

export function initialAttemptState(ambiguousBefore: boolean): AttemptState {
  return { calls: 0, budgetSpent: 0, throttles: 0, ambiguous: ambiguousBefore, firstAttemptAt: undefined };
}

/** What one turn through the limiter came back with. */
export type AttemptOutcome =
  | { readonly kind: "created"; readonly call: CampaignCall; readonly at: string }
  | { readonly kind: "failed"; readonly error: AnyTalkoverError; readonly at: string }
  /** Not a client error: a bug. Treated as an ambiguous transient failure rather than losing the request. */
  | { readonly kind: "crashed"; readonly message: string; readonly at: string }
  /** Nothing was sent: the 401 circuit opened while the call waited for its turn. */
  | { readonly kind: "circuit_open" };

export interface OutcomePolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly retryAfterMaxMs: number;
  readonly duplicateCallPolicy: "dead_letter" | "outcome";
}

/** Why an attempt is repeated: the client's error kind (`server_error`, `timeout`, `rate_limited`, ...), or `internal` for a bug. */
export type RetryReason = AnyTalkoverError["kind"] | "internal";

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
  /** 401 (`open`) or an open circuit: wait until the token is accepted, then try again; spends nothing. */
  | { readonly kind: "await_circuit"; readonly open: boolean }
  /** Our own shutdown aborted the call: leave the record uncommitted. */
  | { readonly kind: "abandon" };

/**
 * The outcome policy as a pure function: from what the attempts did so far and what the last
 * one came back with, the next step and the new state. `jitter` is a number in [0, 1) for the
 * full-jitter backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"). The rules are
 * the worker's table in the README ("What happens to each request"); the HTTP judgements
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
      { ...sent, ambiguous: true },
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
      return { state: { ...sent, ambiguous: true }, step: { kind: "abandon" } };
    case "unauthorized":
      // Wrong for every request: not this request's failure, so it spends no attempt.
      return { state: sent, step: { kind: "await_circuit", open: true } };
    case "rate_limited": {
      const throttled = { ...sent, throttles: sent.throttles + 1 };
      const backoff = fullJitterBackoffMs(throttled.throttles, policy.baseMs, policy.maxMs, () => jitter);
      const waitMs = retryDelayMs(backoff, error.retryAfterMs, policy.retryAfterMaxMs);
      // The pause the whole limiter takes is capped like this request's own wait.
      const pauseMs = error.retryAfterMs === undefined ? undefined : Math.min(error.retryAfterMs, policy.retryAfterMaxMs);
      return { state: throttled, step: { kind: "retry", waitMs, reason: "rate_limited", throttle: { retryAfterMs: pauseMs } } };
    }
    case "duplicate_call": {
      const existingCall = error.existingCall;
      // Our own earlier attempt placed it; the API just did not get to tell us.
      if (sent.ambiguous && existingCall) return { state: sent, step: { kind: "place", call: { ...existingCall, scheduled_at: null } } };
      if (policy.duplicateCallPolicy === "outcome" && existingCall) return { state: sent, step: { kind: "duplicate", existingCall } };
      return { state: sent, step: { kind: "dead_letter", letter: { reason: "http_4xx", ...letterFields(answered, 409), existingCall } } };
    }
    default: {
      const next = { ...sent, ambiguous: sent.ambiguous || error.ambiguous };
      if (error.retryable) return transient(next, error.kind, answered, error.retryAfterMs, policy, jitter);
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
  return { state: spent, step: { kind: "retry", waitMs: retryDelayMs(backoff, retryAfterMs, policy.retryAfterMaxMs), reason } };
}

function letterFields(answered: Answered, status: number | undefined) {
  return { httpStatus: status, errorCode: answered.code, message: answered.message, responseBody: answered.body };
}
