import { TALKOVER_ERROR_CODES, TalkoverErrorBody } from "@callbridge/schemas";
import {
  TalkoverBadRequestError,
  TalkoverDuplicateCallError,
  type TalkoverError,
  type TalkoverErrorInit,
  TalkoverForbiddenError,
  TalkoverNotFoundError,
  TalkoverRateLimitError,
  TalkoverServerError,
  TalkoverUnauthorizedError,
  TalkoverUnexpectedStatusError,
  TalkoverValidationError,
} from "./errors.js";
import { parseRetryAfter } from "./retry-after.js";

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
}

/** Picks the error class for a non-2xx answer (the stripe-node `generate` pattern). */
export function errorFromResponse(response: ErrorResponse, nowMs: number): TalkoverError {
  const { status, headers, bodyText } = response;
  const parsed = parseErrorBody(bodyText);
  const apiMessage = parsed?.message ?? describeUnparsedBody(headers["content-type"], bodyText);
  const code = parsed?.code ?? defaultCode(status, parsed?.message);
  const init: TalkoverErrorInit = {
    message: `Talkover answered ${status} ${code}: ${apiMessage}`,
    code,
    status,
    retryAfterMs: parseRetryAfter(headers["retry-after"], nowMs),
    headers,
    responseBody: bodyText,
  };
  if (status >= 500) return new TalkoverServerError(init);
  switch (status) {
    case 400:
      return new TalkoverBadRequestError(init);
    case 401:
      return new TalkoverUnauthorizedError(init);
    case 403:
      return new TalkoverForbiddenError(init);
    case 404:
      return new TalkoverNotFoundError(init);
    case 409:
      return new TalkoverDuplicateCallError({ ...init, existingCall: parsed?.existing_call });
    case 422:
      return new TalkoverValidationError({ ...init, fieldErrors: parsed?.errors });
    case 429:
      return new TalkoverRateLimitError(init);
    default:
      return new TalkoverUnexpectedStatusError(init);
  }
}

function parseErrorBody(text: string): TalkoverErrorBody | undefined {
  try {
    const result = TalkoverErrorBody.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Documented error bodies carry no code, so it comes from the status. A 400 or 404 gets its
 * documented code only with the documented message (docs/talkover-api.md#error-codes): a 404
 * from a wrong base URL must not read as "campaign not found".
 */
function defaultCode(status: number, message: string | undefined): string {
  switch (status) {
    case 400:
      return message === TALKOVER_ERROR_CODES.CAMPAIGN_NOT_ACTIVE.message ? "CAMPAIGN_NOT_ACTIVE" : "BAD_REQUEST";
    case 401:
      return "INVALID_TOKEN";
    case 403:
      return "FORBIDDEN";
    case 404:
      return message === TALKOVER_ERROR_CODES.CAMPAIGN_NOT_FOUND.message ? "CAMPAIGN_NOT_FOUND" : "NOT_FOUND";
    case 409:
      return "DUPLICATE_CALL";
    case 422:
      return "VALIDATION_ERROR";
    case 429:
      return "RATE_LIMIT_EXCEEDED";
    default:
      return status >= 500 ? "SERVER_ERROR" : `HTTP_${status}`;
  }
}

function describeUnparsedBody(contentType: string | undefined, text: string): string {
  if (text.length === 0) return "(empty body)";
  return `(unrecognised ${contentType ?? "untyped"} body of ${Buffer.byteLength(text)} bytes)`;
}
