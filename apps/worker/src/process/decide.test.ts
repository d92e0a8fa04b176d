import type { CampaignCall, ExistingCall } from "@callbridge/schemas";
import {
  type AnyTalkoverError,
  TalkoverAbortedError,
  TalkoverBadRequestError,
  TalkoverConnectionError,
  TalkoverDuplicateCallError,
  TalkoverForbiddenError,
  TalkoverInvalidResponseError,
  TalkoverNotFoundError,
  TalkoverRateLimitError,
  TalkoverServerError,
  TalkoverTimeoutError,
  TalkoverUnauthorizedError,
  TalkoverUnexpectedStatusError,
  TalkoverValidationError,
} from "@callbridge/talkover-client";
import { describe, expect, it } from "vitest";
import {
  type AttemptOutcome,
  type AttemptState,
  CLOCK_SKEW_ALLOWANCE_MS,
  decide,
  initialAttemptState,
  type OutcomePolicy,
} from "./decide.js";

// Every row of the outcome policy (docs/worker.md#what-happens-to-each-request), as a table
// over the pure decision: no Kafka, no HTTP, no clock.

const AT = "2026-11-29T10:00:00.000Z";
// Durable deferral above a minute and parking off, so the rows of the in-memory waits hold; the
// rows of deferral and parking turn them on.
const policy: OutcomePolicy = {
  maxAttempts: 3,
  baseMs: 500,
  maxMs: 30_000,
  retryAfterMaxMs: 60_000,
  duplicateCallPolicy: "dead_letter",
  deferAboveMs: 60_001,
  parking: false,
};
const call: CampaignCall = {
  id: "call-1",
  campaign_id: "campaign-uuid-1",
  to: "+14155550142",
  status: "queued",
  scheduled_at: null,
  created_at: AT,
};
const existing: ExistingCall = { id: "call-0", campaign_id: "campaign-uuid-1", to: "+14155550142", status: "queued", created_at: AT };
const init = (status: number | undefined, code: string) => ({ status, code, message: `m ${code}`, responseBody: `{"code":"${code}"}` });
const failed = (error: AnyTalkoverError, sentAt = AT): AttemptOutcome => ({ kind: "failed", error, sentAt, at: AT });
const fresh = initialAttemptState(false);
const afterTimeout: AttemptState = { ...fresh, calls: 1, budgetSpent: 1, ambiguous: true, ambiguousSince: AT, firstAttemptAt: AT };
const BEFORE = (ms: number) => new Date(Date.parse(AT) - ms).toISOString();
const lastAttempt: AttemptState = { ...fresh, calls: 2, budgetSpent: 2, firstAttemptAt: AT };

const rateLimited = (retryAfterMs?: number) => new TalkoverRateLimitError({ ...init(429, "RATE_LIMIT_EXCEEDED"), retryAfterMs });
const duplicate = (existingCall?: ExistingCall) => new TalkoverDuplicateCallError({ ...init(409, "DUPLICATE_CALL"), existingCall });

describe("decide: the outcome policy as a table", () => {
  it.each<[string, AttemptState, AttemptOutcome, Partial<OutcomePolicy>, object, Partial<AttemptState>]>([
    ["201: placed", fresh, { kind: "created", call, at: AT }, {}, { kind: "place", call }, { calls: 1, firstAttemptAt: AT }],
    [
      "409: dead-lettered with the existing call",
      fresh,
      failed(duplicate(existing)),
      {},
      { kind: "dead_letter", letter: { reason: "http_4xx", httpStatus: 409, errorCode: "DUPLICATE_CALL", existingCall: existing } },
      { calls: 1, ambiguous: false },
    ],
    [
      "409 with DUPLICATE_CALL_POLICY=outcome: a duplicate",
      fresh,
      failed(duplicate(existing)),
      { duplicateCallPolicy: "outcome" },
      { kind: "duplicate", existingCall: existing },
      {},
    ],
    [
      "409 without an existing call in the body, policy outcome: dead-lettered (nothing to report)",
      fresh,
      failed(duplicate()),
      { duplicateCallPolicy: "outcome" },
      { kind: "dead_letter", letter: { reason: "http_4xx", httpStatus: 409 } },
      {},
    ],
    [
      "409 after an ambiguous attempt: placed, as the existing call",
      afterTimeout,
      failed(duplicate(existing)),
      {},
      { kind: "place", call: { ...existing, scheduled_at: null } },
      { calls: 2 },
    ],
    [
      "409 after an ambiguous attempt, the existing call created before that attempt was sent: an earlier request's, dead-lettered",
      afterTimeout,
      failed(duplicate({ ...existing, created_at: BEFORE(5_000) })),
      {},
      { kind: "dead_letter", letter: { reason: "http_4xx", httpStatus: 409, existingCall: { ...existing, created_at: BEFORE(5_000) } } },
      {},
    ],
    [
      "the same, policy outcome: a duplicate, not placed",
      afterTimeout,
      failed(duplicate({ ...existing, created_at: BEFORE(5_000) })),
      { duplicateCallPolicy: "outcome" },
      { kind: "duplicate", existingCall: { ...existing, created_at: BEFORE(5_000) } },
      {},
    ],
    [
      "409 after an ambiguous attempt, the existing call within the clock-skew allowance before it: placed",
      afterTimeout,
      failed(duplicate({ ...existing, created_at: BEFORE(CLOCK_SKEW_ALLOWANCE_MS) })),
      {},
      { kind: "place", call: { ...existing, created_at: BEFORE(CLOCK_SKEW_ALLOWANCE_MS), scheduled_at: null } },
      {},
    ],
    [
      "409 after an earlier process's unanswered attempt (time unknown): placed",
      initialAttemptState(true),
      failed(duplicate({ ...existing, created_at: BEFORE(60_000) })),
      {},
      { kind: "place", call: { ...existing, created_at: BEFORE(60_000), scheduled_at: null } },
      {},
    ],
    [
      "409 after an earlier process's unanswered attempt, the call older than the request: dead-lettered",
      initialAttemptState(true, AT),
      failed(duplicate({ ...existing, created_at: BEFORE(60_000) })),
      {},
      { kind: "dead_letter", letter: { httpStatus: 409 } },
      {},
    ],
    [
      "a timeout after a 5xx keeps the first unanswered attempt's time",
      { ...afterTimeout, ambiguousSince: BEFORE(10_000) },
      failed(new TalkoverTimeoutError(init(undefined, "TIMEOUT"))),
      {},
      { kind: "retry" },
      { ambiguous: true, ambiguousSince: BEFORE(10_000) },
    ],
    [
      "400 CAMPAIGN_NOT_ACTIVE: dead-lettered",
      fresh,
      failed(new TalkoverBadRequestError(init(400, "CAMPAIGN_NOT_ACTIVE"))),
      {},
      {
        kind: "dead_letter",
        letter: { reason: "http_4xx", httpStatus: 400, errorCode: "CAMPAIGN_NOT_ACTIVE", responseBody: '{"code":"CAMPAIGN_NOT_ACTIVE"}' },
      },
      { calls: 1, budgetSpent: 0 },
    ],
    [
      "400 CAMPAIGN_NOT_ACTIVE with parking on: look at the campaign (park or dead-letter), spends no attempt",
      fresh,
      failed(new TalkoverBadRequestError(init(400, "CAMPAIGN_NOT_ACTIVE"))),
      { parking: true },
      { kind: "campaign_not_active", letter: { reason: "http_4xx", httpStatus: 400, errorCode: "CAMPAIGN_NOT_ACTIVE" } },
      { calls: 1, budgetSpent: 0 },
    ],
    [
      "429 with a Retry-After at DEFER_ABOVE_MS: deferred durably, the limiter slowed all the same",
      fresh,
      failed(rateLimited(15_000)),
      { deferAboveMs: 15_000 },
      { kind: "defer", waitMs: 15_000, reason: "rate_limited", throttle: { retryAfterMs: 15_000 } },
      { throttles: 1, budgetSpent: 0 },
    ],
    [
      "429 with a Retry-After below DEFER_ABOVE_MS: waited in memory",
      fresh,
      failed(rateLimited(14_999)),
      { deferAboveMs: 15_000 },
      { kind: "retry", waitMs: 14_999 },
      {},
    ],
    [
      "503 whose wait reaches DEFER_ABOVE_MS: deferred, the attempt spent",
      fresh,
      failed(new TalkoverServerError({ ...init(503, "SERVER_ERROR"), retryAfterMs: 20_000 })),
      { deferAboveMs: 15_000 },
      { kind: "defer", waitMs: 20_000, reason: "retry_backoff" },
      { budgetSpent: 1, ambiguous: true },
    ],
    [
      "403: dead-lettered",
      fresh,
      failed(new TalkoverForbiddenError(init(403, "FORBIDDEN"))),
      {},
      { kind: "dead_letter", letter: { httpStatus: 403, errorCode: "FORBIDDEN" } },
      {},
    ],
    [
      "404: dead-lettered",
      fresh,
      failed(new TalkoverNotFoundError(init(404, "CAMPAIGN_NOT_FOUND"))),
      {},
      { kind: "dead_letter", letter: { httpStatus: 404 } },
      {},
    ],
    [
      "422: dead-lettered",
      fresh,
      failed(new TalkoverValidationError({ ...init(422, "VALIDATION_ERROR"), fieldErrors: { to: ["bad"] } })),
      {},
      { kind: "dead_letter", letter: { reason: "http_4xx", httpStatus: 422, errorCode: "VALIDATION_ERROR" } },
      {},
    ],
    [
      "413 (undocumented, final): dead-lettered",
      fresh,
      failed(new TalkoverUnexpectedStatusError(init(413, "HTTP_413"))),
      {},
      { kind: "dead_letter", letter: { httpStatus: 413 } },
      {},
    ],
    [
      "401: the circuit opens; no attempt spent",
      fresh,
      failed(new TalkoverUnauthorizedError(init(401, "INVALID_TOKEN"))),
      {},
      { kind: "await_circuit", open: true },
      { calls: 1, budgetSpent: 0 },
    ],
    [
      "the circuit opened before the call was sent: wait, nothing counted",
      fresh,
      { kind: "circuit_open" },
      {},
      { kind: "await_circuit", open: false },
      { calls: 0 },
    ],
    [
      "429 with Retry-After: waits for it, slows the limiter, spends no attempt",
      lastAttempt,
      failed(rateLimited(7_000)),
      {},
      { kind: "retry", waitMs: 7_000, reason: "rate_limited", throttle: { retryAfterMs: 7_000 } },
      { budgetSpent: 2, throttles: 1, calls: 3 },
    ],
    [
      "429 with a day's Retry-After: capped, for this request and for the limiter's pause",
      fresh,
      failed(rateLimited(86_400_000)),
      {},
      { kind: "retry", waitMs: 60_000, throttle: { retryAfterMs: 60_000 } },
      {},
    ],
    [
      "429 without Retry-After: jittered backoff",
      fresh,
      failed(rateLimited()),
      {},
      { kind: "retry", waitMs: 250, reason: "rate_limited", throttle: { retryAfterMs: undefined } },
      {},
    ],
    [
      "500: retried with backoff, ambiguous",
      fresh,
      failed(new TalkoverServerError(init(500, "SERVER_ERROR"))),
      {},
      { kind: "retry", waitMs: 250, reason: "server_error" },
      { budgetSpent: 1, ambiguous: true },
    ],
    [
      "500 on the last attempt: retries_exhausted",
      lastAttempt,
      failed(new TalkoverServerError(init(500, "SERVER_ERROR"))),
      {},
      { kind: "dead_letter", letter: { reason: "retries_exhausted", httpStatus: 500, errorCode: "SERVER_ERROR" } },
      { budgetSpent: 3, calls: 3 },
    ],
    [
      "503 with a Retry-After longer than the backoff: honoured",
      fresh,
      failed(new TalkoverServerError({ ...init(503, "SERVER_ERROR"), retryAfterMs: 9_000 })),
      {},
      { kind: "retry", waitMs: 9_000 },
      {},
    ],
    [
      "timeout: retried, ambiguous",
      fresh,
      failed(new TalkoverTimeoutError(init(undefined, "TIMEOUT"))),
      {},
      { kind: "retry", reason: "timeout" },
      { ambiguous: true },
    ],
    [
      "timeout on the last attempt: retries_exhausted, code TIMEOUT",
      lastAttempt,
      failed(new TalkoverTimeoutError(init(undefined, "TIMEOUT"))),
      {},
      { kind: "dead_letter", letter: { reason: "retries_exhausted", errorCode: "TIMEOUT", httpStatus: undefined } },
      { ambiguous: true },
    ],
    [
      "refused connection: retried, not ambiguous",
      fresh,
      failed(new TalkoverConnectionError({ ...init(undefined, "CONNECTION_ERROR"), requestSent: false })),
      {},
      { kind: "retry", reason: "connection" },
      { ambiguous: false },
    ],
    [
      "cut connection: retried, ambiguous",
      fresh,
      failed(new TalkoverConnectionError({ ...init(undefined, "CONNECTION_ERROR"), requestSent: true })),
      {},
      { kind: "retry", reason: "connection" },
      { ambiguous: true },
    ],
    [
      "unreadable 201: retried, ambiguous",
      fresh,
      failed(new TalkoverInvalidResponseError(init(201, "INVALID_RESPONSE"))),
      {},
      { kind: "retry", reason: "invalid_response" },
      { ambiguous: true },
    ],
    [
      "408: retried",
      fresh,
      failed(new TalkoverUnexpectedStatusError(init(408, "HTTP_408"))),
      {},
      { kind: "retry", reason: "unexpected_status" },
      { ambiguous: false },
    ],
    [
      "our own shutdown aborted the call: abandoned, ambiguous",
      fresh,
      failed(new TalkoverAbortedError(init(undefined, "ABORTED"))),
      {},
      { kind: "abandon" },
      { ambiguous: true },
    ],
    [
      "a bug, not an API answer: retried as ambiguous, never final at once",
      fresh,
      { kind: "crashed", message: "TypeError: x", sentAt: AT, at: AT },
      {},
      { kind: "retry", reason: "internal" },
      { ambiguous: true, budgetSpent: 1 },
    ],
  ])("%s", (_name, state, outcome, overrides, step, after) => {
    const decision = decide(state, outcome, { ...policy, ...overrides }, 0.5);
    expect(decision.step).toMatchObject(step);
    expect(decision.state).toMatchObject(after);
  });

  it("doubles the backoff ceiling per spent attempt, up to BACKOFF_MAX_MS", () => {
    const server = failed(new TalkoverServerError(init(500, "SERVER_ERROR")));
    const waits: number[] = [];
    let state = fresh;
    for (let i = 0; i < 8; i++) {
      const { state: next, step } = decide(state, server, { ...policy, maxAttempts: 100, maxMs: 10_000 }, 0.999_999);
      waits.push(step.kind === "retry" ? step.waitMs : -1);
      state = next;
    }
    expect(waits).toEqual([499, 999, 1999, 3999, 7999, 9999, 9999, 9999]);
  });

  it("keeps a request ambiguous once any attempt was, whatever comes after", () => {
    const refused = failed(new TalkoverConnectionError({ ...init(undefined, "CONNECTION_ERROR"), requestSent: false }));
    const { state } = decide(afterTimeout, refused, policy, 0);
    expect(state.ambiguous).toBe(true);
    expect(decide(state, failed(duplicate(existing)), policy, 0).step.kind).toBe("place");
  });
});
