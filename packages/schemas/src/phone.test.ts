import { describe, expect, it } from "vitest";
import { E164PhoneNumber, maskPhoneNumber, maskPhoneNumbersIn } from "./phone.js";

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
