import { geocoder, timezones } from "libphonenumber-geo-carrier";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { DEFAULT_RECIPIENT_POLICY, policyFor } from "../policy/effective.js";
import { windowVerdict } from "../window/verdict.js";
import { nanpGeocodeOf, timeZonesOf } from "./geo-data.js";
import { placeOf } from "./place.js";
import { SPLIT_AREA_CODES } from "./split-area-codes.js";

/** Numbers across countries and zones; 555-01xx and similar are fictional ranges where there are some. */
const NUMBERS = [
  "+13055550123", // Florida (Miami)
  "+12125550123", // New York, NY
  "+13125550123", // Chicago, IL
  "+12135550123", // Los Angeles, CA
  "+12065550123", // Washington State (Seattle)
  "+12025550123", // Washington D.C.
  "+16025550123", // Arizona: no daylight saving time
  "+19075550123", // Alaska
  "+18085550123", // Hawaii
  "+14165550123", // Ontario (Toronto)
  "+16045550123", // British Columbia
  "+12575550123", // "British Colombia" in the data
  "+15145550123", // Quebec
  "+19025550123", // Nova Scotia/Prince Edward Island
  "+17875550123", // Puerto Rico
  "+18005550199", // toll-free: every NANP zone
  "+442079460123", // GB, London
  "+81312345678", // JP, Tokyo
  "+61212345678", // AU, Sydney
  "+61892345678", // AU, Perth
  "+911123456789", // IN, Delhi
  "+551123456789", // BR, São Paulo
  "+559212345678", // BR, Manaus
  "+4930123456", // DE, Berlin
  "+74951234567", // RU, Moscow
  "+73832123456", // RU, Novosibirsk
  "+80012345678", // international freephone: no zone in the data
];

function parse(e164: string) {
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed === undefined) throw new Error(`cannot parse test number ${e164}`);
  return parsed;
}

describe("our lookup of the library's data", () => {
  it.each(NUMBERS)("gives %s the zones the library's own timezones() gives", async (e164) => {
    const parsed = parse(e164);
    expect(timeZonesOf(e164.slice(1))).toEqual((await timezones(parsed)) ?? []);
    expect(placeOf(e164).zones).toEqual((await timezones(parsed)) ?? []);
  });

  it.each(NUMBERS.filter((e164) => e164.startsWith("+1")))("gives %s the geocode the library's own geocoder() gives", async (e164) => {
    const parsed = parse(e164);
    expect(nanpGeocodeOf(parsed.nationalNumber)).toBe((await geocoder(parsed)) ?? undefined);
  });

  it("has data for some numbers and none for others, so the comparison above can fail", () => {
    expect(timeZonesOf("13055550123")).toEqual(["America/New_York"]);
    expect(timeZonesOf("80012345678")).toEqual([]);
    expect(nanpGeocodeOf("2125550123")).toBe("New York, NY");
  });

  it("knows every zone the data names (luxon and the runtime's ICU agree)", () => {
    const zones = new Set(NUMBERS.flatMap((e164) => timeZonesOf(e164.slice(1))));
    expect(zones.size).toBeGreaterThan(40);
    for (const zone of zones) expect(IANAZone.isValidZone(zone), zone).toBe(true);
  });
});

describe("placeOf", () => {
  it.each([
    ["+13055550123", { country: "US", region: "US-FL", zones: ["America/New_York"] }],
    ["+12125550123", { country: "US", region: "US-NY", zones: ["America/New_York"] }],
    ["+13125550123", { country: "US", region: "US-IL", zones: ["America/Chicago"] }],
    ["+12065550123", { country: "US", region: "US-WA", zones: ["America/Los_Angeles"] }],
    ["+12025550123", { country: "US", region: "US-DC", zones: ["America/New_York"] }],
    ["+16025550123", { country: "US", region: "US-AZ", zones: ["America/Phoenix"] }],
    ["+14165550123", { country: "CA", region: "CA-ON", zones: ["America/Toronto"] }],
    ["+12575550123", { country: "CA", region: "CA-BC", zones: ["America/Vancouver"] }],
    ["+15145550123", { country: "CA", region: "CA-QC", zones: ["America/Toronto"] }],
    ["+19025550123", { country: "CA", zones: ["America/Halifax"] }],
    ["+17875550123", { country: "PR", zones: ["America/Puerto_Rico"] }],
    ["+442079460123", { country: "GB", zones: ["Europe/London"] }],
    ["+4930123456", { country: "DE", zones: ["Europe/Berlin"] }],
    ["+80012345678", { zones: [] }],
    ["not a number", { zones: [] }],
  ])("places %s", (e164, place) => {
    expect(placeOf(e164)).toEqual(place);
  });

  it("gives a toll-free number every NANP zone and no region", () => {
    const place = placeOf("+18005550199");
    expect(place.region).toBeUndefined();
    expect(place.zones).toContain("Pacific/Guam");
    expect(place.zones).toContain("America/St_Johns");
    expect(place.zones.length).toBeGreaterThan(30);
  });

  it("gives a +1 number the country libphonenumber gives it, also when its area code's country was kept from an earlier number", () => {
    // Every area code of the data, two numbers each: the second is answered from what the first left.
    const areaCodes = [...new Set(Array.from({ length: 800 }, (_, i) => String(200 + i)))];
    let compared = 0;
    for (const areaCode of areaCodes) {
      for (const line of ["5550123", "2345678"]) {
        const e164 = `+1${areaCode}${line}`;
        const parsed = parsePhoneNumberFromString(e164);
        if (!parsed?.isValid()) continue;
        expect(placeOf(e164).country, e164).toBe(parsed.country);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("gives a number of an area code that spans two zones both of them, so its window is the stricter one", () => {
    expect(placeOf("+18505550123").zones).toEqual(["America/New_York", "America/Chicago"]);
    expect(placeOf("+18675550123").zones).toEqual(expect.arrayContaining(["America/Whitehorse", "America/Iqaluit"]));
    // 08:30 in New York is 07:30 in Pensacola: not yet 08:00 on the Central side of the panhandle.
    const { window } = policyFor(DEFAULT_RECIPIENT_POLICY, { campaignId: "c" });
    const verdict = windowVerdict(window, placeOf("+18505550123").zones, Date.parse("2026-12-07T13:30:00Z"));
    expect(verdict).toEqual({ kind: "closed", opensAtMs: Date.parse("2026-12-07T14:00:00Z") });
  });

  it("knows every zone of the split area codes", () => {
    for (const zones of Object.values(SPLIT_AREA_CODES)) {
      for (const zone of zones) expect(() => new Intl.DateTimeFormat("en", { timeZone: zone }), zone).not.toThrow();
    }
  });
});
