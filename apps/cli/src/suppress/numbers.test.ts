import { describe, expect, it } from "vitest";
import { checkNumber, checkNumberToRemove, maskedInput, parseDefaultCountry } from "./numbers.js";

describe("checkNumber reads a number as a route reads the one it calls", () => {
  it.each([
    ["E.164", "+14155550123", undefined, "+14155550123"],
    ["spaced international", "+1 415 555 0123", undefined, "+14155550123"],
    ["national with the default country", "(415) 555-0123", "US", "+14155550123"],
    ["another country's national", "020 7946 0958", "GB", "+442079460958"],
    ["an international number ignores the default country", "+44 20 7946 0958", "US", "+442079460958"],
    ["bidi marks around it", "\u202A+1 415 555 0123\u202C", undefined, "+14155550123"],
    ["a zero-width space and an NBSP inside", "+1\u00A0415\u200B555 0123", undefined, "+14155550123"],
    ["fullwidth digits and plus", "＋１ ４１５ ５５５ ０１２３", undefined, "+14155550123"],
    ["a tel: prefix", "tel:+14155550123", undefined, "+14155550123"],
    ["a bracketed country code", "(+44) 20 7946 0958", undefined, "+442079460958"],
  ])("%s", (_name, text, country, e164) => {
    expect(checkNumber(text, country)).toEqual({ ok: true, e164 });
  });

  it("says a national number without a default country needs one", () => {
    expect(checkNumber("(415) 555-0123", undefined)).toEqual({
      ok: false,
      problem: "no country code: write it as +<country code>..., or give --default-country",
      needsCountry: true,
    });
  });

  it.each([
    ["nothing", "", undefined, "empty"],
    ["invisible marks only", "\u200B\u200E ", undefined, "empty"],
    ["words", "call me", undefined, "not a phone number"],
    ["too short", "+1 415 555 01", undefined, "too short for its country"],
    ["too long", "+1 415 555 0123 4567", undefined, "too long for its country"],
    ["an unassigned country code", "+999 1234567", undefined, "unknown country calling code"],
    ["an area code that does not exist", "+1 999 555 0123", undefined, "not a valid number in its country (no such number range)"],
  ])("%s is refused, saying why", (_name, text, country, problem) => {
    expect(checkNumber(text, country)).toEqual({ ok: false, problem });
  });

  it("the problem never holds the number", () => {
    const checked = checkNumber("+1 415 555 01", undefined);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).not.toMatch(/\d{3}/);
  });
});

describe("checkNumberToRemove", () => {
  it("reads numbers like add does", () => {
    expect(checkNumberToRemove("(415) 555-0123", "US")).toEqual({ ok: true, e164: "+14155550123" });
  });

  it("takes an E.164 text libphonenumber refuses as it is, so any listed entry can be removed", () => {
    expect(checkNumberToRemove("+1 999 555 0123", undefined)).toEqual({ ok: true, e164: "+19995550123" });
  });

  it("still refuses what is not E.164", () => {
    expect(checkNumberToRemove("555", undefined)).toEqual({
      ok: false,
      problem: "no country code: write it as +<country code>..., or give --default-country",
      needsCountry: true,
    });
  });
});

describe("parseDefaultCountry", () => {
  it.each([
    [undefined, undefined],
    ["US", "US"],
    ["gb", "GB"],
    [" de ", "DE"],
  ])("%s -> %s", (code, expected) => {
    expect(parseDefaultCountry(code)).toBe(expected);
  });

  it("an unknown code is a usage error (exit 2)", () => {
    expect(() => parseDefaultCountry("XX")).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringContaining("--default-country XX") }),
    );
  });
});

describe("maskedInput", () => {
  it.each([
    ["+14155550123", "+1415*****23"],
    ["+1 415 555 0123", "+1 415 *** **23"],
    ["(415) 555-0123", "(415) ***-**23"],
    ["12", "12"],
    ["call me", "call me"],
  ])("%s -> %s", (text, masked) => {
    expect(maskedInput(text)).toBe(masked);
  });

  it("clips long text", () => {
    expect(maskedInput("x".repeat(100))).toBe(`${"x".repeat(40)}…(+60)`);
  });
});
