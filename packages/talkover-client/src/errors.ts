import type { ExistingCall, FieldErrors } from "@callbridge/schemas";

export type TalkoverErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "duplicate_call"
  | "validation"
  | "rate_limited"
  | "server_error"
  | "unexpected_status"
  | "invalid_response"
  | "timeout"
  | "connection"
  | "aborted";

export interface TalkoverErrorInit {
  readonly message: string;
  /** The documented code (`CAMPAIGN_NOT_ACTIVE`, ...: docs/talkover-api.md#error-codes), or ours outside HTTP (`TIMEOUT`, ...). */
  readonly code: string;
  readonly status?: number | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Raw response text; it can hold a phone number, so it is kept off the enumerable fields. */
  readonly responseBody?: string | undefined;
  readonly cause?: unknown;
}

/**
 * Base of every failure the client reports. `kind` is a literal per subclass so callers can
 * `switch` exhaustively; `retryable` says whether the same request may succeed later.
 * No field, message or cause ever carries the API token.
 */
export abstract class TalkoverError extends Error {
  abstract readonly kind: TalkoverErrorKind;
  abstract readonly retryable: boolean;
  readonly code: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  declare readonly responseBody: string | undefined;

  constructor(init: TalkoverErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.headers = init.headers ?? {};
    Object.defineProperty(this, "responseBody", { value: init.responseBody, enumerable: false });
  }

  /**
   * Whether the API may have acted on the request even though no answer says so (a timeout,
   * a connection cut after the request was sent). A later 409 for the same call then means
   * "placed", not "duplicate".
   */
  get ambiguous(): boolean {
    return false;
  }
}

/** 400: the only documented 400 is `CAMPAIGN_NOT_ACTIVE`. */
export class TalkoverBadRequestError extends TalkoverError {
  readonly kind = "bad_request";
  readonly retryable = false;
}

/** 401 `INVALID_TOKEN`: wrong for every request, not just this one. */
export class TalkoverUnauthorizedError extends TalkoverError {
  readonly kind = "unauthorized";
  readonly retryable = false;
}

/** 403 `FORBIDDEN`: the token may not call this campaign. */
export class TalkoverForbiddenError extends TalkoverError {
  readonly kind = "forbidden";
  readonly retryable = false;
}

/** 404 `CAMPAIGN_NOT_FOUND` (or `NOT_FOUND` for a path the API does not have). */
export class TalkoverNotFoundError extends TalkoverError {
  readonly kind = "not_found";
  readonly retryable = false;
}

/** 409 `DUPLICATE_CALL`: the number has a queued or active call in the campaign. */
export class TalkoverDuplicateCallError extends TalkoverError {
  readonly kind = "duplicate_call";
  readonly retryable = false;
  declare readonly existingCall: ExistingCall | undefined;

  constructor(init: TalkoverErrorInit & { readonly existingCall?: ExistingCall | undefined }) {
    super(init);
    // Holds the phone number: reachable, but not printed when the error is logged.
    Object.defineProperty(this, "existingCall", { value: init.existingCall, enumerable: false });
  }
}

/** 422 `VALIDATION_ERROR`, with the API's messages per field. */
export class TalkoverValidationError extends TalkoverError {
  readonly kind = "validation";
  readonly retryable = false;
  readonly fieldErrors: FieldErrors;

  constructor(init: TalkoverErrorInit & { readonly fieldErrors?: FieldErrors | undefined }) {
    super(init);
    this.fieldErrors = init.fieldErrors ?? {};
  }
}

/** 429 `RATE_LIMIT_EXCEEDED`; `retryAfterMs` from `Retry-After` when the API sent one. */
export class TalkoverRateLimitError extends TalkoverError {
  readonly kind = "rate_limited";
  readonly retryable = true;
}

/**
 * 5xx `SERVER_ERROR`. Ambiguous: a 5xx can come from a proxy or a gateway after the API acted
 * on the request, so only a later 409 tells whether the call exists.
 */
export class TalkoverServerError extends TalkoverError {
  readonly kind = "server_error";
  readonly retryable = true;
  override get ambiguous(): boolean {
    return true;
  }
}

/** A status the API does not document (3xx, 405, 413, ...); retryable only for 408. */
export class TalkoverUnexpectedStatusError extends TalkoverError {
  readonly kind = "unexpected_status";
  get retryable(): boolean {
    return this.status === 408;
  }
}

/**
 * A success status whose body is not what the API documents: the API most likely acted, but
 * the answer does not say on what. Ambiguous, and retryable because asking again (without
 * `allow_duplicates`) is how to learn the outcome: the API's 409 names the call it placed.
 */
export class TalkoverInvalidResponseError extends TalkoverError {
  readonly kind = "invalid_response";
  readonly retryable = true;
  override get ambiguous(): boolean {
    return true;
  }
}

/** No complete answer within the request timeout; the API may have acted. */
export class TalkoverTimeoutError extends TalkoverError {
  readonly kind = "timeout";
  readonly retryable = true;
  override get ambiguous(): boolean {
    return true;
  }
}

/** The connection failed. `requestSent` tells a refused connect apart from a cut one. */
export class TalkoverConnectionError extends TalkoverError {
  readonly kind = "connection";
  readonly retryable = true;
  readonly requestSent: boolean;

  constructor(init: TalkoverErrorInit & { readonly requestSent: boolean }) {
    super(init);
    this.requestSent = init.requestSent;
  }

  override get ambiguous(): boolean {
    return this.requestSent;
  }
}

/** The caller aborted the request (its `signal`), e.g. at shutdown. */
export class TalkoverAbortedError extends TalkoverError {
  readonly kind = "aborted";
  readonly retryable = true;
  override get ambiguous(): boolean {
    return true;
  }
}

/** Every failure the client reports, as a union: `switch (error.kind)` narrows to the class. */
export type AnyTalkoverError =
  | TalkoverBadRequestError
  | TalkoverUnauthorizedError
  | TalkoverForbiddenError
  | TalkoverNotFoundError
  | TalkoverDuplicateCallError
  | TalkoverValidationError
  | TalkoverRateLimitError
  | TalkoverServerError
  | TalkoverUnexpectedStatusError
  | TalkoverInvalidResponseError
  | TalkoverTimeoutError
  | TalkoverConnectionError
  | TalkoverAbortedError;

export function isTalkoverError(error: unknown): error is AnyTalkoverError {
  return error instanceof TalkoverError;
}
