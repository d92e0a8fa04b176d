import { describe, expect, it } from "vitest";
import { CallingWindow, WEEKDAYS } from "../policy/schema.js";
import { localWindow } from "./local-window.js";
import { firstCommonInstant, firstCommonInstantInSlices } from "./opening-search.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const iso = (ms: number | undefined) => (ms === undefined ? "none" : new Date(ms).toISOString());

describe("firstCommonInstant", () => {
  const A = { starts: [10, 50], ends: [20, 60] };
  const B = { starts: [15, 55], ends: [30, 70] };
  it.each([
    ["inside both at the start", [A, B], 16, 100, 16],
    ["the later start of the first overlap", [A, B], 0, 100, 15],
    ["past the first overlap: the second", [A, B], 20, 100, 55],
    ["an overlap starting exactly at the limit counts", [A, B], 20, 55, 55],
    ["past the limit: none", [A, B], 20, 54, undefined],
    ["a zone with no intervals: none", [A, { starts: [], ends: [] }], 0, 100, undefined],
  ])("%s", (_case, perZone, fromMs, limitMs, expected) => {
    expect(firstCommonInstant(perZone, fromMs, limitMs)).toBe(expected);
  });
});

describe("firstCommonInstantInSlices", () => {
  const holidays = ["2026-07-01", "2026-07-02", "2026-07-03", "2026-07-04", "2026-07-05", "2026-07-06"];
  const local = localWindow(CallingWindow.parse({ hours: [{ days: [...WEEKDAYS], from: "08:00", to: "21:00" }], holidays }));
  const from = Date.parse("2026-07-01T00:00:00Z");
  it.each([
    ["found in the first slice", ["Europe/Berlin"], 10 * DAY_MS, 3 * DAY_MS, "2026-07-07T06:00:00.000Z"],
    ["found a few slices on", ["Europe/Berlin"], 10 * DAY_MS, DAY_MS, "2026-07-07T06:00:00.000Z"],
    ["a slice that ends inside the opening", ["Europe/Berlin"], 10 * DAY_MS, 6.26 * DAY_MS, "2026-07-07T06:00:00.000Z"],
    ["an opening exactly at a slice's end, found by the next", ["Europe/Berlin"], 10 * DAY_MS, 6.25 * DAY_MS, "2026-07-07T06:00:00.000Z"],
    ["every zone must be inside", ["Europe/Berlin", "America/New_York"], 10 * DAY_MS, 2 * DAY_MS, "2026-07-07T12:00:00.000Z"],
    ["nothing before the limit: none (the verdict then says look again at the limit)", ["Europe/Berlin"], 6 * DAY_MS, DAY_MS, "none"],
  ])("%s", (_case, zones, searchMs, sliceMs, expected) => {
    expect(iso(firstCommonInstantInSlices(local, zones, from, from + searchMs, sliceMs))).toBe(expected);
  });
});
