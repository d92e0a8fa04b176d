import type { z } from "zod";

/** Outcome of reading a JSON record value against a contract. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: "empty" | "not_json" | "invalid"; detail: string };

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

/**
 * Decodes a record value as UTF-8 JSON and validates it. Never throws: a poison record is a
 * value the caller dead-letters, not an exception that stalls a partition.
 */
export function decodeJson<T>(bytes: Buffer | null, schema: z.ZodType<T>): DecodeResult<T> {
  if (bytes === null || bytes.length === 0) return { ok: false, reason: "empty", detail: "record has no value" };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    // V8's parse message quotes the input, which may hold a phone number: say less.
    return { ok: false, reason: "not_json", detail: `value is not JSON (${bytes.length} bytes)` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const detail = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
  return { ok: false, reason: "invalid", detail };
}
