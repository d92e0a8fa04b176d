import { z } from "zod";

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

/** Masks every E.164-looking number in a text (an error message, a record key) with maskPhoneNumber. */
export function maskPhoneNumbersIn(text: string): string {
  return text.replace(/\+[1-9]\d{6,14}/g, (phone) => maskPhoneNumber(phone));
}
