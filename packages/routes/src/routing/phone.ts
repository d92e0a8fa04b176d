import { cleanPhoneText } from "@callbridge/schemas";
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { valueAt } from "./field-path.js";

export type PhoneResult =
  | { ok: true; e164: string }
  | { ok: false; reason: "missing"; paths: readonly string[] }
  | { ok: false; reason: "invalid"; paths: readonly string[]; candidates: number };

/**
 * Finds the number to call: the first path that holds a valid number wins (e.g. mobile, then
 * phone). A path may hold a string, or a list such as Pipedrive's `phones: [{value, primary}]`
 * (primary first). Numbers are validated with libphonenumber's full metadata and returned as
 * E.164; numbers without a country code use the route's default country.
 */
export function resolvePhone(fields: unknown, paths: readonly string[], defaultCountry: string | undefined): PhoneResult {
  let candidates = 0;
  for (const path of paths) {
    for (const text of phoneCandidates(valueAt(fields, path))) {
      candidates += 1;
      const e164 = normalizePhone(text, defaultCountry);
      if (e164 !== undefined) return { ok: true, e164 };
    }
  }
  return candidates === 0 ? { ok: false, reason: "missing", paths } : { ok: false, reason: "invalid", paths, candidates };
}

/**
 * Every phone text goes through this: first `cleanPhoneText` (the one place that removes what is
 * not part of a number and folds what is), then libphonenumber's strict parse and validation.
 */
export function normalizePhone(text: string, defaultCountry: string | undefined): string | undefined {
  const cleaned = cleanPhoneText(text);
  if (cleaned === "") return undefined;
  const parsed = parsePhoneNumberFromString(cleaned, {
    ...(defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {}),
    extract: false,
  });
  return parsed?.isValid() ? parsed.number : undefined;
}

function phoneCandidates(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number" && Number.isFinite(value)) return [String(value)];
  if (Array.isArray(value)) {
    const entries = value.map((entry) => ({ text: entryText(entry), primary: isPrimary(entry) }));
    return [...entries.filter((e) => e.primary), ...entries.filter((e) => !e.primary)].flatMap((e) =>
      e.text === undefined ? [] : [e.text],
    );
  }
  const text = entryText(value);
  return text === undefined ? [] : [text];
}

function entryText(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (typeof entry === "number") return String(entry);
  if (typeof entry === "object" && entry !== null) {
    const value = (entry as { value?: unknown }).value;
    if (typeof value === "string") return value;
  }
  return undefined;
}

function isPrimary(entry: unknown): boolean {
  return typeof entry === "object" && entry !== null && (entry as { primary?: unknown }).primary === true;
}
