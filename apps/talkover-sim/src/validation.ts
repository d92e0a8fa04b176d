import { CampaignStatus, type CreateCampaignCallRequest, E164_PATTERN, type FieldErrors, type JsonObject } from "@callbridge/schemas";

/** No dialable number is shorter than this (country code included), so "+12345" is refused. */
const MIN_DIGITS = 8;

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * The documented 422 messages ("The to field is required.", "The to must be a valid phone
 * number.") and the same Laravel wording for the fields the documentation shows no message for.
 */
export function validateCreateCall(body: unknown): Validated<CreateCampaignCallRequest> {
  if (!isPlainObject(body)) return { ok: false, errors: { body: ["The request body must be a JSON object."] } };
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => {
    errors[field] = [...(errors[field] ?? []), message];
  };

  const to = body.to;
  if (to === undefined || to === null || to === "") add("to", "The to field is required.");
  else if (typeof to !== "string") add("to", "The to must be a string.");
  else if (!E164_PATTERN.test(to) || to.length - 1 < MIN_DIGITS) add("to", "The to must be a valid phone number.");

  for (const field of ["payload", "context"] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && !isPlainObject(value)) add(field, `The ${field} must be an object.`);
  }
  for (const field of ["is_testing", "allow_duplicates"] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && typeof value !== "boolean") {
      add(field, `The ${field} field must be true or false.`);
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      to: to as string,
      payload: (body.payload ?? undefined) as JsonObject | undefined,
      context: (body.context ?? undefined) as JsonObject | undefined,
      is_testing: (body.is_testing ?? undefined) as boolean | undefined,
      allow_duplicates: (body.allow_duplicates ?? undefined) as boolean | undefined,
    },
  };
}

export function validateStatusUpdate(body: unknown): Validated<CampaignStatus> {
  if (!isPlainObject(body)) return { ok: false, errors: { body: ["The request body must be a JSON object."] } };
  if (body.status === undefined || body.status === null || body.status === "") {
    return { ok: false, errors: { status: ["The status field is required."] } };
  }
  const status = CampaignStatus.safeParse(body.status);
  if (!status.success) return { ok: false, errors: { status: ["The selected status is invalid."] } };
  return { ok: true, value: status.data };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
