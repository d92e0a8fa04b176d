import { describe, expect, it } from "vitest";
import { parseTimeText } from "./time.js";

const now = Date.parse("2026-11-27T12:00:00Z");

describe("parseTimeText", () => {
  it.each([
    ["30m", now - 30 * 60_000],
    ["2h", now - 2 * 3_600_000],
    ["7d", now - 7 * 86_400_000],
    ["0s", now],
    ["2026-11-27T10:00:00Z", Date.parse("2026-11-27T10:00:00Z")],
    ["2026-11-27T10:00Z", Date.parse("2026-11-27T10:00:00Z")],
    ["2026-11-27T10:00:00.250Z", Date.parse("2026-11-27T10:00:00.250Z")],
    ["2026-11-27T10:00:00+01:00", Date.parse("2026-11-27T09:00:00Z")],
    ["2026-11-27T10:00:00-0530", Date.parse("2026-11-27T15:30:00Z")],
    ["2026-11-27 10:00:00Z", Date.parse("2026-11-27T10:00:00Z")],
    ["2026-11-27", Date.parse("2026-11-27T00:00:00Z")],
    ["2028-02-29", Date.parse("2028-02-29T00:00:00Z")],
    ["2026-12-31T23:59:59Z", Date.parse("2026-12-31T23:59:59Z")],
    ["2026-11-27T10:00:00", Date.parse("2026-11-27T10:00:00")],
  ])("reads %s", (text, ms) => {
    expect(parseTimeText(text, now)).toEqual({ ok: true, ms });
  });

  it.each([
    ["2026-02-30T00:00:00Z", "there is no day 30 in February 2026 (it has 28 days)"],
    ["2026-02-29", "there is no day 29 in February 2026"],
    ["2026-04-31T00:00:00Z", "there is no day 31 in April 2026"],
    ["2026-00-10", "there is no month 00"],
    ["2026-13-01T00:00:00Z", "there is no month 13"],
    ["2026-11-00", "there is no day 00"],
    ["2026-11-27T25:00:00Z", "there is no hour 25"],
    ["2026-11-27T24:00:00Z", "there is no hour 24"],
    ["2026-11-27T10:60:00Z", "there is no minute 60"],
    ["2026-11-27T10:00:61Z", "there is no second 61"],
    ["2026-11-27T10:00:00+25:00", "+25:00 is not a time zone offset"],
    ["yesterday", "give a duration ago"],
    ["2026-11-27 or so", "give a duration ago"],
    ["27/11/2026", "give a duration ago"],
    ["2026-1-5", "give a duration ago"],
    ["Nov 27 2026", "give a duration ago"],
    ["-2h", "give a duration ago"],
    ["2.5h", "give a duration ago"],
    ["1w", "give a duration ago"],
    ["", "give a duration ago"],
    ["999999999999d", "further back than a date can go"],
  ])("refuses %j", (text, problem) => {
    const parsed = parseTimeText(text, now);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(problem);
  });
});
