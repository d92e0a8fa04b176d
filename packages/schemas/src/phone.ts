import { z } from "zod";
import { foldPhoneCharacters } from "./phone-text.js";

/**
 * E.164: a plus sign, a country code that does not start with 0, at most 15 digits in all.
 * This is the format check the Talkover API documents ("+1234567890"); whether the number
 * exists is the business of libphonenumber at the ingest, not of the contract.
 */
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

export const E164PhoneNumber = z.string().regex(E164_PATTERN, "must be an E.164 phone number such as +14155550123");
export type E164PhoneNumber = z.infer<typeof E164PhoneNumber>;

/** "+14155550123" -> "+1415*****23": enough to tell numbers apart in a log, not enough to dial. */
export function maskPhoneNumber(phone: string): string {
  if (phone.length <= 6) return "*".repeat(phone.length);
  return `${phone.slice(0, 5)}${"*".repeat(phone.length - 7)}${phone.slice(-2)}`;
}

/**
 * A run of digits as people write phone numbers: an optional leading `+`, digit groups and
 * bracketed groups joined by at most one space, dot or dash. `(?=(...))\1` makes the run
 * atomic, so the engine never backtracks to a shorter run that passes the boundary checks
 * (which would cut a UUID or a long id into a "number"). It must not continue a word, an id
 * such as `campaign-1234567` or a decimal, and must not run on into letters.
 */
const PHONE_LIKE_RUN = /(?<![\w+.-])(?=(\+?(?:\(\d{1,5}\)|\d)(?:[ .-]?(?:\(\d{1,5}\)|\d))*))\1(?!\w)/g;

const DATE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4})(?: \d{1,2})?$/;
const DOTTED_QUAD = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Whether a digit run (see PHONE_LIKE_RUN) is a phone number rather than another number.
 * Fewer than 7 digits are ids and counts; with a `+` up to 15 digits (E.164); written with
 * separators up to 15; unbroken up to 12 (a national number, or one with its country code but
 * no `+`) or 17 after an `00` international prefix, because longer unbroken runs are epoch
 * milliseconds and numeric ids. Dates, IPv4 addresses and decimals (one dot, unless shaped as
 * the US `555.0123`) are not numbers to hide. Unbroken 7-12 digit ids (and epoch seconds) are
 * masked too: they cannot be told from a national number, and hiding them is the safe side.
 */
export function isPhoneLike(run: string): boolean {
  const digits = run.replace(/\D/g, "").length;
  if (digits < 7) return false;
  if (run.startsWith("+")) return digits <= 15;
  if (DATE.test(run) || DOTTED_QUAD.test(run)) return false;
  if (/^\d+\.\d+$/.test(run)) return /^\d{3}\.\d{4}$/.test(run);
  if (/^\d+$/.test(run)) return run.startsWith("00") ? digits <= 17 : digits <= 12;
  return digits <= 15;
}

/**
 * Hides the digits of a phone-like run but its last two and a prefix (with `+`: the country
 * and area code, as maskPhoneNumber keeps; without: the area code of a 10-digit national
 * number, less for shorter ones), keeping its separators so the shape stays readable:
 * "+1 (415) 555-0904" -> "+1 (415) ***-**04", "415.555.0905" -> "415.***.**05".
 */
function maskRun(run: string): string {
  const digits = run.replace(/\D/g, "").length;
  const keepLeading = run.startsWith("+") ? 4 : Math.max(0, Math.min(3, digits - 7));
  let seen = 0;
  return run.replace(/\d/g, (digit) => {
    seen += 1;
    return seen <= keepLeading || seen > digits - 2 ? digit : "*";
  });
}

/**
 * Masks every phone-like number in a text (an error message, a record key, a payload field):
 * E.164, and national and international numbers written with spaces, dots, dashes or brackets,
 * in any script's digits and with invisible marks in them (the text is folded first, as the
 * ingest folds a number before reading it, so what comes out is the folded text).
 * ISO dates and times, UUIDs, IPv4 addresses, decimals and numbers under 7 digits stay whole.
 */
export function maskPhoneNumbersIn(text: string): string {
  return foldPhoneCharacters(text).replace(PHONE_LIKE_RUN, (run) => (isPhoneLike(run) ? maskRun(run) : run));
}
