import { normalizePhone } from "@callbridge/routes";
import { cleanPhoneText, E164_PATTERN, maskPhoneNumbersIn } from "@callbridge/schemas";
import { isSupportedCountry, validatePhoneNumberLength } from "libphonenumber-js/max";
import { usageError } from "../errors.js";
import { cellText as clip } from "../output/table.js";

/**
 * A number as the operator wrote it, read the way the ingest reads a routed one. `needsCountry`:
 * refused only for being written without a country code when no default country was given.
 */
export type NumberCheck = { ok: true; e164: string } | { ok: false; problem: string; needsCountry?: true };

/**
 * Reads `text` exactly as a route reads the number it calls (`normalizePhone` of the routes:
 * cleanPhoneText, then libphonenumber's strict parse and validation), so the list holds the
 * very E.164 the worker checks. A number without a country code takes `defaultCountry` (ISO
 * 3166 alpha-2, already checked by parseDefaultCountry). When it cannot be read, `problem`
 * says why in a few words, without the number.
 */
export function checkNumber(text: string, defaultCountry: string | undefined): NumberCheck {
  const cleaned = cleanPhoneText(text);
  if (cleaned === "") return { ok: false, problem: "empty" };
  const e164 = normalizePhone(text, defaultCountry);
  if (e164 !== undefined) return { ok: true, e164 };
  const problem = whyNotANumber(cleaned, defaultCountry);
  return problem === NO_COUNTRY_CODE ? { ok: false, problem, needsCountry: true } : { ok: false, problem };
}

const NO_COUNTRY_CODE = "no country code: write it as +<country code>..., or give --default-country";

/**
 * Why libphonenumber refused a cleaned text. Its length check tells the common cases apart;
 * a number of the right length that is still refused is in no range its country assigns.
 */
function whyNotANumber(cleaned: string, defaultCountry: string | undefined): string {
  const options = defaultCountry === undefined || !isSupportedCountry(defaultCountry) ? undefined : { defaultCountry };
  switch (validatePhoneNumberLength(cleaned, options)) {
    case "NOT_A_NUMBER":
      return "not a phone number";
    case "INVALID_COUNTRY":
      return cleaned.startsWith("+") || defaultCountry !== undefined ? "unknown country calling code" : NO_COUNTRY_CODE;
    case "TOO_SHORT":
      return "too short for its country";
    case "TOO_LONG":
      return "too long for its country";
    case "INVALID_LENGTH":
      return "not a length its country uses";
    case undefined:
      return "not a valid number in its country (no such number range)";
  }
}

/**
 * `--default-country`: an ISO 3166 alpha-2 code libphonenumber knows (any case), upper-cased;
 * `undefined` when not given. Throws a usage error (exit 2) otherwise.
 */
export function parseDefaultCountry(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const upper = code.trim().toUpperCase();
  if (!isSupportedCountry(upper))
    throw usageError(`--default-country ${clip(code, 20)}: not a country code libphonenumber knows, such as US or GB`);
  return upper;
}

/**
 * A number to remove: read like one to add, and also taken as it is when it is already E.164 —
 * so an entry whose number a newer libphonenumber no longer accepts can still be removed.
 */
export function checkNumberToRemove(text: string, defaultCountry: string | undefined): NumberCheck {
  const checked = checkNumber(text, defaultCountry);
  if (checked.ok) return checked;
  const cleaned = cleanPhoneText(text).replace(/[\s().-]/g, "");
  return E164_PATTERN.test(cleaned) ? { ok: true, e164: cleaned } : checked;
}

/**
 * What the operator wrote, fit for a message: every phone-like run masked (maskPhoneNumbersIn,
 * after the same folding the ingest does), at most 40 characters.
 */
export function maskedInput(text: string): string {
  return clip(maskPhoneNumbersIn(text).trim(), 40);
}
