import { describe, expect, it } from "vitest";
import { E164PhoneNumber, isPhoneLike, maskPhoneNumber, maskPhoneNumbersIn } from "./phone.js";

describe("E164PhoneNumber", () => {
  it.each(["+1234567890", "+14155550123", "+442071838750", "+12"])("accepts %s", (phone) => {
    expect(E164PhoneNumber.safeParse(phone).success).toBe(true);
  });

  it.each([
    ["no plus sign", "14155550123"],
    ["a leading zero country code", "+04155550123"],
    ["more than 15 digits", "+1234567890123456"],
    ["spaces", "+1 415 555 0123"],
    ["a trailing newline", "+14155550123\n"],
    ["nothing", ""],
  ])("rejects a number with %s", (_why, phone) => {
    expect(E164PhoneNumber.safeParse(phone).success).toBe(false);
  });
});

describe("maskPhoneNumber", () => {
  it("keeps the country prefix and last two digits only", () => {
    expect(maskPhoneNumber("+14155550123")).toBe("+1415*****23");
  });

  it("never returns a short number whole", () => {
    expect(maskPhoneNumber("+1234")).toBe("*****");
  });
});

describe("maskPhoneNumbersIn", () => {
  it("masks every number in a text and leaves the rest", () => {
    expect(maskPhoneNumbersIn("campaign-1:+14155550123 and +442071838750, not 12345")).toBe(
      "campaign-1:+1415*****23 and +4420******50, not 12345",
    );
  });
});

describe("maskPhoneNumbersIn: phone-like numbers in any format", () => {
  it.each([
    ["E.164", "+14155550123", "+1415*****23"],
    ["E.164 with spaces and brackets", "+1 (415) 555-0904", "+1 (415) ***-**04"],
    ["E.164 with dashes", "+1-415-555-0904", "+1-415-***-**04"],
    ["E.164 with dots", "+44.20.7183.8750", "+44.20.****.**50"],
    ["UK with spaces", "+44 20 7183 8750", "+44 20 **** **50"],
    ["US national with brackets", "(415) 555-0904", "(415) ***-**04"],
    ["US national with dots", "415.555.0905", "415.***.**05"],
    ["US national with dashes", "415-555-0906", "415-***-**06"],
    ["US national unbroken", "4155550907", "415*****07"],
    ["country code without +", "14155550908", "141******08"],
    ["00 international prefix", "004915112345678", "004**********78"],
    ["UK national", "020 7183 8750", "020 **** **50"],
    ["German national", "030 12345678", "030 ******78"],
    ["French pairs", "06 12 34 56 78", "06 1* ** ** 78"],
    ["7-digit local", "555-0904", "***-**04"],
    ["7-digit local with a dot", "555.0909", "***.**09"],
    ["in a sentence", "call +1 (415) 555-0904 now.", "call +1 (415) ***-**04 now."],
    ["in a key", "campaign-1:+14155550123", "campaign-1:+1415*****23"],
    ["as a JSON field", '{"phone":"415.555.0905"}', '{"phone":"415.***.**05"}'],
    ["after a label", "tel:4155550907", "tel:415*****07"],
    // Written as the ingest would still read it: folded first, then masked.
    ["fullwidth", "＋１ ４１５ ５５５ ０９１１", "+1 415 *** **11"],
    ["Arabic-Indic digits", "+١ ٤١٥ ٥٥٥ ٠٩١٤", "+1 415 *** **14"],
    ["no-break spaces", "+1\u00A0415\u00A0555\u00A00915", "+1 415 *** **15"],
    ["direction marks around it", "\u202D+1 (415) 555-0916\u202C", "+1 (415) ***-**16"],
    ["a zero-width space inside", "+1 415\u200B555 0917", "+1 415*** **17"],
  ])("masks %s", (_name, text, masked) => {
    expect(maskPhoneNumbersIn(text)).toBe(masked);
  });

  it.each([
    ["an ISO time", "2026-11-27T12:00:00Z"],
    ["an ISO time with an offset and fraction", "2026-11-27T12:00:00.123+01:00"],
    ["an ISO date", "2026-11-27"],
    ["a date and time with a space", "2026-11-27 12:00:00"],
    ["a European date", "27.11.2026"],
    ["a UUID", "550e8400-e29b-41d4-a716-446655440000"],
    ["a UUID of digits", "12345678-1234-1234-1234-123456789012"],
    ["a short id", "id 123456"],
    ["a count", "attempts: 3, status 422"],
    ["a partition:offset id", "0:42"],
    ["an id in a word", "campaign-1234567"],
    ["an id with an underscore", "obj_12345678"],
    ["an id run into letters", "12345678abc"],
    ["epoch milliseconds", "1764244800000"],
    ["an IPv4 address", "192.168.100.200"],
    ["a decimal amount", "1234567.89"],
    ["a long decimal", "12345.6789"],
    ["a version", "v1.2.3"],
    ["a card-length run", "4111 1111 1111 1111"],
  ])("leaves %s whole", (_name, text) => {
    expect(maskPhoneNumbersIn(text)).toBe(text);
  });

  it("never leaves more than six digits of a masked number visible", () => {
    for (const phone of ["+1 (415) 555-0904", "415.555.0905", "4155550907", "555-0904", "+442071838750"]) {
      const visible = maskPhoneNumbersIn(phone).replace(/\D/g, "").length;
      expect(visible, phone).toBeLessThanOrEqual(6);
      expect(isPhoneLike(phone), phone).toBe(true);
    }
  });
});
