import { CONNECT_ERROR_HEADERS, DLQ_HEADERS, isPhoneLike, maskPhoneNumbersIn } from "@callbridge/schemas";

/**
 * Headers that hold offsets, counts, sizes and times, never a phone number: a 7+ digit offset
 * or size would otherwise be masked as a national number.
 */
const NUMERIC_HEADERS = new Set<string>([
  DLQ_HEADERS.httpStatus,
  DLQ_HEADERS.attempts,
  DLQ_HEADERS.replayCount,
  DLQ_HEADERS.originalValueBytes,
  DLQ_HEADERS.originalPartition,
  DLQ_HEADERS.originalOffset,
  DLQ_HEADERS.originalTimestamp,
  DLQ_HEADERS.firstAttemptAt,
  DLQ_HEADERS.failedAt,
  CONNECT_ERROR_HEADERS.partition,
  CONNECT_ERROR_HEADERS.offset,
]);

export function maskHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, NUMERIC_HEADERS.has(name) ? value : maskPhoneNumbersIn(value)]),
  );
}

/**
 * A letter's value with phone numbers masked, field by field, so it stays valid JSON: strings
 * through maskPhoneNumbersIn, and whole numbers that read as a phone number (a CRM field may
 * hold 4155550123 as a number) become a masked string. Text that is not JSON is masked whole.
 */
export function maskValue(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return maskPhoneNumbersIn(text);
  }
  return maskJson(parsed);
}

function maskJson(value: unknown): unknown {
  if (typeof value === "string") return maskPhoneNumbersIn(value);
  if (typeof value === "number") return Number.isInteger(value) && isPhoneLike(String(value)) ? maskPhoneNumbersIn(String(value)) : value;
  if (Array.isArray(value)) return value.map(maskJson);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [maskPhoneNumbersIn(key), maskJson(v)]));
  }
  return value;
}

/** The value as it is, for `--reveal`: parsed when JSON, else the text. */
export function plainValue(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
