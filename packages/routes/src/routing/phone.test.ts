import { describe, expect, it } from "vitest";
import { normalizePhone, resolvePhone } from "./phone.js";

describe("normalizePhone", () => {
  it.each([
    ["a US national number with the default country US", "(415) 555-0142", "US", "+14155550142"],
    ["a US national number written with dashes", "415-555-0142", "US", "+14155550142"],
    ["an international UK number and no default country", "+44 20 7946 0958", undefined, "+442079460958"],
    ["an international UK number whatever the default country", "+44 20 7946 0958", "US", "+442079460958"],
    ["a UK national number with its trunk 0 and the default country GB", "020 7946 0958", "GB", "+442079460958"],
    ["a French mobile written nationally with the default country FR", "06 12 34 56 78", "FR", "+33612345678"],
    ["a tel: URI", "tel:+14155550142", undefined, "+14155550142"],
    ["a TEL: URI in capitals", "TEL:+14155550142", "GB", "+14155550142"],
    ["a number with an extension (the extension is dropped)", "+1 415 555 0142 ext 9", undefined, "+14155550142"],
    ["a national number with an x extension", "(415) 555-0142 x12", "US", "+14155550142"],
    ["a number padded with whitespace", "  +1 415 555 0142\n", undefined, "+14155550142"],
    ["a number already in E.164", "+12125552368", "GB", "+12125552368"],
    // Text cleaned by cleanPhoneText before the strict parse (issue 11).
    ["a number between LRO and PDF marks (address book paste)", "\u202D+1 (415) 555-0101\u202C", "US", "+14155550101"],
    ["a number after a left-to-right mark", "\u200E+1 (415) 555-0101", "US", "+14155550101"],
    ["a national number after a right-to-left mark", "\u200F(415) 555-0101", "US", "+14155550101"],
    ["a number after a zero-width space", "\u200B+1 (415) 555-0101", "US", "+14155550101"],
    ["a number after a byte order mark", "\uFEFF+1 (415) 555-0101", "US", "+14155550101"],
    ["a bracketed Thai country code with the default country TH", "(+66)89-900-9000", "TH", "+66899009000"],
    ["a bracketed UK country code with the default country US", "(+44) 20 7946 0958", "US", "+442079460958"],
    ["a UK country code in square brackets", "[+44] 20 7946 0958", "US", "+442079460958"],
    ["a bracketed country code with no default country", "(+44) 20 7946 0958", undefined, "+442079460958"],
    ["a heavy plus sign", "\u27951 415 555 0101", undefined, "+14155550101"],
    ["a fullwidth plus and fullwidth digits", "＋１ ４１５ ５５５ ０１０１", undefined, "+14155550101"],
    ["Arabic-Indic digits", "+١ ٤١٥ ٥٥٥ ٠١٠١", undefined, "+14155550101"],
    ["Devanagari digits", "+९१ ९८७६५ ४३२१०", undefined, "+919876543210"],
    ["no-break spaces between groups", "+1\u00A0415\u00A0555\u00A00101", undefined, "+14155550101"],
    ["a line separator between groups", "+1\u2028415 555 0101", undefined, "+14155550101"],
  ])("accepts %s", (_why, text, country, expected) => {
    expect(normalizePhone(text, country)).toBe(expected);
  });

  it.each([
    ["a national number with no default country", "(415) 555-0142", undefined],
    ["a national number with an empty default country", "(415) 555-0142", ""],
    ["a number too short to dial", "555-0142", "US"],
    ["an international number with too many digits", "+1 415 555 01423", undefined],
    ["a number in a range that is never assigned", "+1 555 555 0100", undefined],
    ["text that is not a number", "call me maybe", "US"],
    ["a vanity number spelled with letters", "1-800-FLOWERS", "US"],
    ["two numbers in one field", "415-555-0142 / 212-555-2368", "US"],
    ["an empty string", "", "US"],
    ["only whitespace", "   ", "US"],
    ["a bare tel: prefix", "tel:", "US"],
    // Cleaning removes what is not part of a number; it does not make a bad number good.
    ["invisible marks around a number too short to dial", "\u202D555-0142\u202C", "US"],
    ["only invisible characters", "\u200E\u200B\uFEFF", "US"],
    ["a vanity number behind a left-to-right mark", "\u200E1-800-FLOWERS", "US"],
    ["two numbers separated by a line separator", "415-555-0142\u2028212-555-2368", "US"],
    ["a bracketed country code with a number invalid there", "(+44) 415 555 0101", "US"],
    ["a bracketed code that is no country code", "(+999) 415 555 0101", "US"],
  ])("rejects %s", (_why, text, country) => {
    expect(normalizePhone(text, country)).toBeUndefined();
  });
});

describe("resolvePhone", () => {
  it("takes the first path when it holds a valid number", () => {
    const fields = { properties: { mobilephone: "+44 20 7946 0958", phone: "(415) 555-0142" } };
    expect(resolvePhone(fields, ["properties.mobilephone", "properties.phone"], "US")).toEqual({ ok: true, e164: "+442079460958" });
  });

  it("falls back to the next path when the first is missing", () => {
    const fields = { properties: { phone: "(415) 555-0142" } };
    expect(resolvePhone(fields, ["properties.mobilephone", "properties.phone"], "US")).toEqual({ ok: true, e164: "+14155550142" });
  });

  it("falls back to the next path when the first is null", () => {
    const fields = { properties: { mobilephone: null, phone: "(415) 555-0142" } };
    expect(resolvePhone(fields, ["properties.mobilephone", "properties.phone"], "US")).toEqual({ ok: true, e164: "+14155550142" });
  });

  it("uses the first valid number even when an earlier path held an invalid one", () => {
    const fields = { sObject: { MobilePhone: "555-0142", Phone: "(212) 555-2368" } };
    expect(resolvePhone(fields, ["sObject.MobilePhone", "sObject.Phone"], "US")).toEqual({ ok: true, e164: "+12125552368" });
  });

  it("reads the value of a HubSpot-style property object", () => {
    const fields = { properties: { phone: { value: "(415) 555-0142", timestamp: 1 } } };
    expect(resolvePhone(fields, ["properties.phone"], "US")).toEqual({ ok: true, e164: "+14155550142" });
  });

  it("tries the Pipedrive primary phone before the others", () => {
    const fields = {
      data: {
        phones: [
          { value: "+44 20 7946 0958", primary: false, label: "work" },
          { value: "(415) 555-0142", primary: true, label: "mobile" },
        ],
      },
    };
    expect(resolvePhone(fields, ["data.phones"], "US")).toEqual({ ok: true, e164: "+14155550142" });
  });

  it("falls back to a non-primary Pipedrive phone when the primary one is invalid", () => {
    const fields = {
      data: {
        phones: [
          { value: "+44 20 7946 0958", primary: false },
          { value: "not a number", primary: true },
        ],
      },
    };
    expect(resolvePhone(fields, ["data.phones"], "US")).toEqual({ ok: true, e164: "+442079460958" });
  });

  it("keeps list order among phones that are not primary", () => {
    const fields = { phones: [{ value: "(212) 555-2368" }, { value: "(415) 555-0142" }] };
    expect(resolvePhone(fields, ["phones"], "US")).toEqual({ ok: true, e164: "+12125552368" });
  });

  it("accepts a plain list of strings", () => {
    expect(resolvePhone({ phones: ["garbage", "+12125552368"] }, ["phones"], undefined)).toEqual({ ok: true, e164: "+12125552368" });
  });

  it("accepts numbers given as JSON numbers, read in the default country", () => {
    expect(resolvePhone({ phone: 4155550142 }, ["phone"], "US")).toEqual({ ok: true, e164: "+14155550142" });
    expect(resolvePhone({ phone: 14155550142 }, ["phone"], "US")).toEqual({ ok: true, e164: "+14155550142" });
  });

  it("accepts JSON numbers inside a list", () => {
    expect(resolvePhone({ phones: [4155550142] }, ["phones"], "US")).toEqual({ ok: true, e164: "+14155550142" });
  });

  it("reports `missing` with the paths it looked at when no path holds anything", () => {
    const paths = ["properties.mobilephone", "properties.phone"];
    expect(resolvePhone({ properties: { firstname: "Ada" } }, paths, "US")).toEqual({ ok: false, reason: "missing", paths });
  });

  it("reports `missing` for null values, empty lists and lists without phone values", () => {
    const paths = ["a", "b", "c", "d"];
    const fields = { a: null, b: [], c: [{ label: "work" }, { value: null }], d: { primary: true } };
    expect(resolvePhone(fields, paths, "US")).toEqual({ ok: false, reason: "missing", paths });
  });

  it("reports `invalid` with how many candidates were rejected", () => {
    const paths = ["sObject.MobilePhone", "sObject.Phone"];
    const fields = { sObject: { MobilePhone: "555-0142", Phone: "n/a" } };
    expect(resolvePhone(fields, paths, "US")).toEqual({ ok: false, reason: "invalid", paths, candidates: 2 });
  });

  it("counts every entry of a list as a candidate", () => {
    const fields = { data: { phones: [{ value: "123", primary: true }, { value: "" }, { value: "+1 555 555 0100" }] } };
    expect(resolvePhone(fields, ["data.phones"], "US")).toEqual({ ok: false, reason: "invalid", paths: ["data.phones"], candidates: 3 });
  });

  it("rejects national numbers when the route has no default country", () => {
    expect(resolvePhone({ phone: "(415) 555-0142" }, ["phone"], undefined)).toEqual({
      ok: false,
      reason: "invalid",
      paths: ["phone"],
      candidates: 1,
    });
  });

  it("does not treat booleans or objects without a value as phone numbers", () => {
    expect(resolvePhone({ a: true, b: { number: "+14155550142" } }, ["a", "b"], "US")).toEqual({
      ok: false,
      reason: "missing",
      paths: ["a", "b"],
    });
  });
});
