import type { FieldErrors } from "@callbridge/schemas";

/** What a handler decides; the server turns it into bytes. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The documented error envelope (docs/talkover-api.md#error-bodies): `{"success": false, "message": ...}` plus extras. */
export function errorReply(status: number, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Reply {
  return headers
    ? { status, body: { success: false, message, ...extra }, headers }
    : { status, body: { success: false, message, ...extra } };
}

export function validationReply(errors: FieldErrors): Reply {
  return errorReply(422, "The given data was invalid.", { errors });
}

export const UNAUTHORIZED = errorReply(401, "Unauthorized");
export const CAMPAIGN_NOT_FOUND = errorReply(404, "Campaign not found");
export const SERVER_ERROR = errorReply(500, "Internal server error.");
