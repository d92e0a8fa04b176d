import { describe, expect, it } from "vitest";
import { placeOf } from "../place/place.js";
import { CallingWindow, WEEKDAYS } from "../policy/schema.js";
import { windowVerdict } from "./verdict.js";

const EVERY_DAY = [...WEEKDAYS];
const DEFAULT = window([{ days: EVERY_DAY, from: "08:00", to: "21:00" }]);
const OFFICE_HOURS = window([{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" }]);

function window(hours: unknown[], holidays: string[] = []): CallingWindow {
  return CallingWindow.parse({ hours, holidays });
}

/** The verdict with times as ISO text, so a table row reads like the case it is. */
function verdictAt(calling: CallingWindow, zones: readonly string[], at: string) {
  const verdict = windowVerdict(calling, zones, Date.parse(at));
  return verdict.kind === "closed" ? `closed until ${new Date(verdict.opensAtMs).toISOString()}` : verdict.kind;
}

type Row = [string, CallingWindow, readonly string[], string, string];

function table(rows: Row[]) {
  it.each(rows)("%s", (_case, calling, zones, at, expected) => {
    expect(verdictAt(calling, zones, at)).toBe(expected);
  });
}

const NEW_YORK = ["America/New_York"];
const BERLIN = ["Europe/Berlin"];

describe("one zone: from is inclusive, to exclusive", () => {
  table([
    ["08:00 EDT exactly: open", DEFAULT, NEW_YORK, "2026-06-10T12:00:00.000Z", "open"],
    ["07:59:59.999 EDT: opens at 08:00", DEFAULT, NEW_YORK, "2026-06-10T11:59:59.999Z", "closed until 2026-06-10T12:00:00.000Z"],
    ["13:00 EDT: open", DEFAULT, NEW_YORK, "2026-06-10T17:00:00.000Z", "open"],
    ["20:59:59 EDT: open", DEFAULT, NEW_YORK, "2026-06-11T00:59:59.000Z", "open"],
    ["21:00 EDT exactly: opens tomorrow at 08:00", DEFAULT, NEW_YORK, "2026-06-11T01:00:00.000Z", "closed until 2026-06-11T12:00:00.000Z"],
    ["03:00 in Tokyo: opens at 08:00", DEFAULT, ["Asia/Tokyo"], "2026-06-10T18:00:00.000Z", "closed until 2026-06-10T23:00:00.000Z"],
    [
      "half-hour zone, 07:30 IST: opens at 08:00",
      DEFAULT,
      ["Asia/Kolkata"],
      "2026-06-10T02:00:00.000Z",
      "closed until 2026-06-10T02:30:00.000Z",
    ],
  ]);
});

describe("weekdays and holidays, in the local calendar", () => {
  table([
    ["Wednesday 10:00 Berlin: open", OFFICE_HOURS, BERLIN, "2026-06-10T08:00:00.000Z", "open"],
    [
      "Saturday 10:00 Berlin: opens Monday 09:00",
      OFFICE_HOURS,
      BERLIN,
      "2026-06-13T08:00:00.000Z",
      "closed until 2026-06-15T07:00:00.000Z",
    ],
    ["Friday 17:00 Berlin: opens Monday 09:00", OFFICE_HOURS, BERLIN, "2026-06-12T15:00:00.000Z", "closed until 2026-06-15T07:00:00.000Z"],
    [
      "Sunday 23:30 UTC is Monday 01:30 in Berlin",
      OFFICE_HOURS,
      BERLIN,
      "2026-06-14T23:30:00.000Z",
      "closed until 2026-06-15T07:00:00.000Z",
    ],
    [
      "two rows: Saturday 10:00-14:00 besides weekdays",
      window([
        { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" },
        { days: ["sat"], from: "10:00", to: "14:00" },
      ]),
      BERLIN,
      "2026-06-13T07:00:00.000Z",
      "closed until 2026-06-13T08:00:00.000Z",
    ],
    [
      "a holiday: no window that local day",
      window([{ days: EVERY_DAY, from: "08:00", to: "21:00" }], ["2026-12-25"]),
      ["Europe/London"],
      "2026-12-25T10:00:00.000Z",
      "closed until 2026-12-26T08:00:00.000Z",
    ],
    [
      "the eve of a holiday, after hours: skips the holiday",
      window([{ days: EVERY_DAY, from: "08:00", to: "21:00" }], ["2026-12-25"]),
      ["Europe/London"],
      "2026-12-24T21:00:00.000Z",
      "closed until 2026-12-26T08:00:00.000Z",
    ],
    [
      "a holiday is a local date: 19:00 on the 24th in Los Angeles is the 25th in UTC",
      window([{ days: EVERY_DAY, from: "08:00", to: "21:00" }], ["2026-12-25"]),
      ["America/Los_Angeles"],
      "2026-12-25T03:00:00.000Z",
      "open",
    ],
    [
      "holidays on every day of a one-day-a-week window within 8 days: the Monday after them",
      window([{ days: ["mon"], from: "09:00", to: "17:00" }], ["2026-06-15", "2026-06-22"]),
      BERLIN,
      "2026-06-14T12:00:00.000Z",
      "closed until 2026-06-29T07:00:00.000Z",
    ],
  ]);
});

/** Every local date from `first` to `last`, both included. */
function dates(first: string, last: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(first); ms <= Date.parse(last); ms += 24 * 60 * 60 * 1000) days.push(new Date(ms).toISOString().slice(0, 10));
  return days;
}

describe("holidays that close the window for more than a week: the first opening after them, not never", () => {
  const YEAR_END = window([{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" }], dates("2026-12-28", "2027-01-01"));
  const DEFAULT_AROUND_NEW_YEAR = window([{ days: EVERY_DAY, from: "08:00", to: "21:00" }], dates("2026-12-24", "2027-01-06"));
  const SUMMER_OFF = window([{ days: EVERY_DAY, from: "08:00", to: "21:00" }], dates("2026-07-01", "2026-08-31"));
  table([
    [
      "office hours, Friday 18:00 New York before a week of holidays: Monday 4 January 09:00",
      YEAR_END,
      NEW_YORK,
      "2026-12-25T23:00:00.000Z",
      "closed until 2027-01-04T14:00:00.000Z",
    ],
    [
      "... asked again the next day (the answer kept): the same",
      YEAR_END,
      NEW_YORK,
      "2026-12-26T12:00:00.000Z",
      "closed until 2027-01-04T14:00:00.000Z",
    ],
    [
      "... asked earlier, the Thursday evening: Friday 25th is no holiday",
      YEAR_END,
      NEW_YORK,
      "2026-12-24T23:00:00.000Z",
      "closed until 2026-12-25T14:00:00.000Z",
    ],
    ["... and once it has opened: open", YEAR_END, NEW_YORK, "2027-01-04T15:00:00.000Z", "open"],
    [
      "toll-free, two weeks of holidays: 08:00 in Guam once 6 January has ended in Pago Pago",
      DEFAULT_AROUND_NEW_YEAR,
      placeOf("+18005550199").zones,
      "2026-12-24T00:00:00.000Z",
      "closed until 2027-01-07T22:00:00.000Z",
    ],
    [
      "two months off, asked at the start: 1 September 08:00 Berlin, several slices on",
      SUMMER_OFF,
      BERLIN,
      "2026-07-01T00:00:00.000Z",
      "closed until 2026-09-01T06:00:00.000Z",
    ],
    [
      "holidays do not make never out of zones that share no hour: still never",
      window([{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" }], dates("2026-06-10", "2026-06-30")),
      ["Asia/Tokyo", "America/New_York"],
      "2026-06-10T12:00:00.000Z",
      "never",
    ],
  ]);
});

const GAP = window([{ days: EVERY_DAY, from: "02:30", to: "05:00" }]);
const REPEATED = window([{ days: EVERY_DAY, from: "01:30", to: "01:45" }]);
const ACROSS = window([{ days: EVERY_DAY, from: "01:00", to: "04:00" }]);
const DAYLIGHT_SAVING_ROWS: Row[] = [
  [
    "New York spring forward, 01:00 EST: opens 08:00 EDT",
    DEFAULT,
    NEW_YORK,
    "2026-03-08T06:00:00.000Z",
    "closed until 2026-03-08T12:00:00.000Z",
  ],
  ["New York spring forward, 07:59 EDT", DEFAULT, NEW_YORK, "2026-03-08T11:59:00.000Z", "closed until 2026-03-08T12:00:00.000Z"],
  [
    "New York the evening before, 21:00 EST: opens 08:00 EDT",
    DEFAULT,
    NEW_YORK,
    "2026-03-08T02:00:00.000Z",
    "closed until 2026-03-08T12:00:00.000Z",
  ],
  [
    "New York fall back, 01:00 EDT: opens 08:00 EST",
    DEFAULT,
    NEW_YORK,
    "2026-11-01T05:00:00.000Z",
    "closed until 2026-11-01T13:00:00.000Z",
  ],
  ["New York fall back, 20:59 EST: open", DEFAULT, NEW_YORK, "2026-11-02T01:59:00.000Z", "open"],
  [
    "a window from 02:30, skipped by the clocks: opens at the jump, 03:00 EDT",
    GAP,
    NEW_YORK,
    "2026-03-08T06:00:00.000Z",
    "closed until 2026-03-08T07:00:00.000Z",
  ],
  [
    "a window from 01:30 on the night 01:00-02:00 happens twice: the first time",
    REPEATED,
    NEW_YORK,
    "2026-11-01T05:00:00.000Z",
    "closed until 2026-11-01T05:30:00.000Z",
  ],
  [
    "... and after the first has closed, the second",
    REPEATED,
    NEW_YORK,
    "2026-11-01T05:50:00.000Z",
    "closed until 2026-11-01T06:30:00.000Z",
  ],
  [
    "Berlin spring forward, 03:30 CEST: opens 08:00 CEST",
    DEFAULT,
    BERLIN,
    "2026-03-29T01:30:00.000Z",
    "closed until 2026-03-29T06:00:00.000Z",
  ],
  [
    "Berlin the Saturday before, 22:00 CET: opens 08:00 CEST",
    DEFAULT,
    BERLIN,
    "2026-03-28T21:00:00.000Z",
    "closed until 2026-03-29T06:00:00.000Z",
  ],
  [
    "Berlin fall back, 22:00 CEST the evening before: opens 08:00 CET",
    DEFAULT,
    BERLIN,
    "2026-10-24T20:00:00.000Z",
    "closed until 2026-10-25T07:00:00.000Z",
  ],
  ["Berlin, a window across the jump: 01:30 CET inside", ACROSS, BERLIN, "2026-03-29T00:30:00.000Z", "open"],
  ["... 03:00 CEST still inside", ACROSS, BERLIN, "2026-03-29T01:00:00.000Z", "open"],
  [
    "... 04:00 CEST closed until 01:00 CEST the next night",
    ACROSS,
    BERLIN,
    "2026-03-29T02:00:00.000Z",
    "closed until 2026-03-29T23:00:00.000Z",
  ],
];

describe("daylight saving time", () => {
  table(DAYLIGHT_SAVING_ROWS);
});

describe("several zones: inside only when inside in all of them", () => {
  const COASTS = ["America/New_York", "America/Los_Angeles"];
  const TOLL_FREE = placeOf("+18005550199").zones;
  table([
    [
      "08:00 New York is 05:00 Los Angeles: opens 11:00 New York",
      DEFAULT,
      COASTS,
      "2026-06-10T12:00:00.000Z",
      "closed until 2026-06-10T15:00:00.000Z",
    ],
    ["11:00 New York: open", DEFAULT, COASTS, "2026-06-10T15:00:00.000Z", "open"],
    ["20:59 New York: open", DEFAULT, COASTS, "2026-06-11T00:59:00.000Z", "open"],
    ["21:00 New York: opens at 11:00 New York", DEFAULT, COASTS, "2026-06-11T01:00:00.000Z", "closed until 2026-06-11T15:00:00.000Z"],
    ["toll-free, June: opens at 08:00 in Guam", DEFAULT, TOLL_FREE, "2026-06-10T12:00:00.000Z", "closed until 2026-06-10T22:00:00.000Z"],
    ["toll-free, June: open at 22:30 UTC", DEFAULT, TOLL_FREE, "2026-06-10T22:30:00.000Z", "open"],
    [
      "toll-free, June: closes at 21:00 in St John's",
      DEFAULT,
      TOLL_FREE,
      "2026-06-10T23:30:00.000Z",
      "closed until 2026-06-11T22:00:00.000Z",
    ],
    ["toll-free, January: open till 00:30 UTC (21:00 NST)", DEFAULT, TOLL_FREE, "2026-01-16T00:15:00.000Z", "open"],
    ["toll-free, January: closed at 00:30 UTC", DEFAULT, TOLL_FREE, "2026-01-16T00:30:00.000Z", "closed until 2026-01-16T22:00:00.000Z"],
    [
      "09:00-17:00 in Tokyo and New York share no hour: never",
      OFFICE_HOURS,
      ["Asia/Tokyo", "America/New_York"],
      "2026-06-10T12:00:00.000Z",
      "never",
    ],
    [
      "Monday in Kiritimati (UTC+14) is over before Monday in Pago Pago (UTC-11) begins: never",
      window([{ days: ["mon"], from: "08:00", to: "21:00" }]),
      ["Pacific/Kiritimati", "Pacific/Pago_Pago"],
      "2026-06-10T12:00:00.000Z",
      "never",
    ],
  ]);

  it("gives the toll-free list from Guam to St John's", () => {
    expect(TOLL_FREE).toEqual(expect.arrayContaining(["Pacific/Guam", "Pacific/Pago_Pago", "America/Halifax", "America/St_Johns"]));
  });
});

describe("seconds and the end of the day", () => {
  const SECONDS = window([{ days: EVERY_DAY, from: "08:00:30", to: "08:00:45" }]);
  const MIDNIGHT = window([
    { days: EVERY_DAY, from: "22:00", to: "24:00" },
    { days: EVERY_DAY, from: "00:00", to: "02:00" },
  ]);
  table([
    ["08:00:29: opens at 08:00:30", SECONDS, BERLIN, "2026-06-10T06:00:29.000Z", "closed until 2026-06-10T06:00:30.000Z"],
    ["08:00:30: open", SECONDS, BERLIN, "2026-06-10T06:00:30.000Z", "open"],
    ["08:00:44.999: open", SECONDS, BERLIN, "2026-06-10T06:00:44.999Z", "open"],
    ["08:00:45: opens tomorrow", SECONDS, BERLIN, "2026-06-10T06:00:45.000Z", "closed until 2026-06-11T06:00:30.000Z"],
    ["23:59:59 with a row to 24:00: open", MIDNIGHT, BERLIN, "2026-06-10T21:59:59.000Z", "open"],
    ["00:00 the next day, the other row: open", MIDNIGHT, BERLIN, "2026-06-10T22:00:00.000Z", "open"],
    ["02:00: opens at 22:00", MIDNIGHT, BERLIN, "2026-06-11T00:00:00.000Z", "closed until 2026-06-11T20:00:00.000Z"],
  ]);
});

describe("zones it cannot judge", () => {
  it("throws for no zones, which the policy's unknown_time_zone decides", () => {
    expect(() => windowVerdict(DEFAULT, [], 0)).toThrow(RangeError);
  });

  it("throws for a zone the runtime does not know", () => {
    expect(() => windowVerdict(DEFAULT, ["Mars/Olympus_Mons"], 0)).toThrow(/unknown time zone "Mars\/Olympus_Mons"/);
  });
});
