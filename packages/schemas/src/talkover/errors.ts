import { z } from "zod";
import { ExistingCall } from "./campaign-call.js";

/** The documented error codes (docs/talkover-api.md#error-codes). */
export const TalkoverErrorCode = z.enum([
  "CAMPAIGN_NOT_FOUND",
  "VALIDATION_ERROR",
  "CAMPAIGN_NOT_ACTIVE",
  "DUPLICATE_CALL",
  "INVALID_TOKEN",
  "FORBIDDEN",
  "RATE_LIMIT_EXCEEDED",
  "SERVER_ERROR",
]);
export type TalkoverErrorCode = z.infer<typeof TalkoverErrorCode>;

export interface TalkoverErrorCodeInfo {
  readonly status: number;
  readonly description: string;
  /** The message the documented example body carries for this code. */
  readonly message: string;
}

export const TALKOVER_ERROR_CODES: Record<TalkoverErrorCode, TalkoverErrorCodeInfo> = {
  CAMPAIGN_NOT_FOUND: { status: 404, description: "Specified campaign does not exist", message: "Campaign not found" },
  VALIDATION_ERROR: { status: 422, description: "Request validation failed", message: "The given data was invalid." },
  CAMPAIGN_NOT_ACTIVE: { status: 400, description: "Campaign is not in active status", message: "Campaign is not active" },
  DUPLICATE_CALL: {
    status: 409,
    description: "An existing call to the same number is queued or active",
    message: "A call to this number already exists in this campaign",
  },
  INVALID_TOKEN: { status: 401, description: "Authentication token is invalid or missing", message: "Unauthorized" },
  FORBIDDEN: { status: 403, description: "Cannot make calls for this campaign", message: "Cannot make calls for this campaign" },
  RATE_LIMIT_EXCEEDED: { status: 429, description: "Rate limit exceeded", message: "Rate limit exceeded" },
  SERVER_ERROR: { status: 500, description: "Internal server error occurred", message: "Internal server error." },
};

/** 422 `errors`: field name -> messages, as in "The to field is required.". */
export const FieldErrors = z.record(z.string(), z.array(z.string()));
export type FieldErrors = z.infer<typeof FieldErrors>;

/**
 * Every documented error body: `{"success": false, "message": ...}`, plus `errors` on 422 and
 * `existing_call` on 409 (docs/talkover-api.md#error-bodies). They carry no `code`; one is
 * accepted if the API adds it.
 */
export const TalkoverErrorBody = z.object({
  success: z.literal(false),
  message: z.string(),
  code: z.string().optional(),
  errors: FieldErrors.optional(),
  existing_call: ExistingCall.optional(),
});
export type TalkoverErrorBody = z.infer<typeof TalkoverErrorBody>;
