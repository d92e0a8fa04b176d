import {
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
import { classifyFailure } from "./classify.js";

const init = (status: number | undefined, code: string) => ({ status, code, message: `m ${code}` });

describe("classifyFailure follows SPEC §3", () => {
  it.each([
    [new TalkoverBadRequestError(init(400, "CAMPAIGN_NOT_ACTIVE")), "reject"],
    [new TalkoverForbiddenError(init(403, "FORBIDDEN")), "reject"],
    [new TalkoverNotFoundError(init(404, "CAMPAIGN_NOT_FOUND")), "reject"],
    [new TalkoverValidationError({ ...init(422, "VALIDATION_ERROR"), fieldErrors: { to: ["bad"] } }), "reject"],
    [new TalkoverUnexpectedStatusError(init(413, "HTTP_413")), "reject"],
    [new TalkoverDuplicateCallError(init(409, "DUPLICATE_CALL")), "duplicate"],
    [new TalkoverUnauthorizedError(init(401, "INVALID_TOKEN")), "unauthorized"],
    [new TalkoverRateLimitError({ ...init(429, "RATE_LIMIT_EXCEEDED"), retryAfterMs: 3_000 }), "throttled"],
    [new TalkoverServerError(init(500, "SERVER_ERROR")), "transient"],
    [new TalkoverUnexpectedStatusError(init(408, "HTTP_408")), "transient"],
    [new TalkoverTimeoutError(init(undefined, "TIMEOUT")), "transient"],
    [new TalkoverConnectionError({ ...init(undefined, "CONNECTION_ERROR"), requestSent: false }), "transient"],
    [new TalkoverInvalidResponseError(init(201, "INVALID_RESPONSE")), "transient"],
    [new TalkoverAbortedError(init(undefined, "ABORTED")), "aborted"],
  ])("%s -> %s", (error, kind) => {
    expect(classifyFailure(error).kind).toBe(kind);
  });

  it("keeps Retry-After of a 429", () => {
    expect(classifyFailure(new TalkoverRateLimitError({ ...init(429, "RATE_LIMIT_EXCEEDED"), retryAfterMs: 3_000 }))).toEqual({
      kind: "throttled",
      retryAfterMs: 3_000,
    });
  });

  it("marks attempts that may have reached the API as ambiguous, and a refused connect as not", () => {
    const ambiguous = (error: unknown) => {
      const decision = classifyFailure(error);
      return decision.kind === "transient" ? decision.ambiguous : undefined;
    };
    expect(ambiguous(new TalkoverTimeoutError(init(undefined, "TIMEOUT")))).toBe(true);
    expect(ambiguous(new TalkoverConnectionError({ ...init(undefined, "CONNECTION_ERROR"), requestSent: true }))).toBe(true);
    expect(ambiguous(new TalkoverConnectionError({ ...init(undefined, "CONNECTION_ERROR"), requestSent: false }))).toBe(false);
    expect(ambiguous(new TalkoverInvalidResponseError(init(201, "INVALID_RESPONSE")))).toBe(true);
  });

  it("treats an error that is not the client's as transient, never as final", () => {
    expect(classifyFailure(new TypeError("x")).kind).toBe("transient");
  });
});
