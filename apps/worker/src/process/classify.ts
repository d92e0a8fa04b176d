import type { ExistingCall, FieldErrors } from "@callbridge/schemas";
import { isTalkoverError, type TalkoverDuplicateCallError, type TalkoverValidationError } from "@callbridge/talkover-client";

/** What one failed API attempt means for the request (SPEC §3). */
export type FailureDecision =
  /** 409 DUPLICATE_CALL. */
  | { kind: "duplicate"; existingCall: ExistingCall | undefined; status: 409; code: string; message: string; body: string | undefined }
  /** 400, 403, 404, 422 and other 4xx the API will answer the same way again: dead-letter now. */
  | { kind: "reject"; status: number; code: string; message: string; body: string | undefined; fieldErrors?: FieldErrors }
  /** 401: the token is wrong for every request; open the circuit, keep the request. */
  | { kind: "unauthorized" }
  /** 429: wait (Retry-After), slow the limiter; does not spend an attempt. */
  | { kind: "throttled"; retryAfterMs: number | undefined }
  /** 5xx, 408, timeouts, connection failures, malformed 2xx: retry within the attempt budget. */
  | {
      kind: "transient";
      reason: TransientReason;
      ambiguous: boolean;
      status: number | undefined;
      code: string;
      message: string;
      body: string | undefined;
      retryAfterMs: number | undefined;
    }
  /** Our own shutdown aborted the attempt. */
  | { kind: "aborted"; ambiguous: boolean };

export type TransientReason = "server_error" | "timeout" | "connection" | "invalid_response" | "unexpected_status";

export function classifyFailure(error: unknown): FailureDecision {
  if (!isTalkoverError(error)) {
    // Not the client's: a bug. Treat as transient and ambiguous rather than lose the request.
    return {
      kind: "transient",
      reason: "unexpected_status",
      ambiguous: true,
      status: undefined,
      code: "INTERNAL",
      message: String(error),
      body: undefined,
      retryAfterMs: undefined,
    };
  }
  const base = { status: error.status, code: error.code, message: error.message, body: error.responseBody };
  switch (error.kind) {
    case "duplicate_call":
      return { kind: "duplicate", existingCall: (error as TalkoverDuplicateCallError).existingCall, ...base, status: 409 };
    case "unauthorized":
      return { kind: "unauthorized" };
    case "rate_limited":
      return { kind: "throttled", retryAfterMs: error.retryAfterMs };
    case "bad_request":
    case "forbidden":
    case "not_found":
      return { kind: "reject", ...base, status: error.status ?? 400 };
    case "validation":
      return { kind: "reject", ...base, status: 422, fieldErrors: (error as TalkoverValidationError).fieldErrors };
    case "unexpected_status":
      return error.retryable
        ? { kind: "transient", reason: "unexpected_status", ambiguous: false, ...base, retryAfterMs: error.retryAfterMs }
        : { kind: "reject", ...base, status: error.status ?? 0 };
    case "server_error":
      // A 5xx may come from a proxy after the API acted; only a later 409 would tell.
      return { kind: "transient", reason: "server_error", ambiguous: true, ...base, retryAfterMs: error.retryAfterMs };
    case "timeout":
      return { kind: "transient", reason: "timeout", ambiguous: true, ...base, retryAfterMs: undefined };
    case "connection":
      return { kind: "transient", reason: "connection", ambiguous: error.ambiguous, ...base, retryAfterMs: undefined };
    case "invalid_response":
      // A 2xx we could not read: the call was most likely placed; a retry's 409 will say so.
      return { kind: "transient", reason: "invalid_response", ambiguous: true, ...base, retryAfterMs: undefined };
    case "aborted":
      return { kind: "aborted", ambiguous: true };
  }
}
