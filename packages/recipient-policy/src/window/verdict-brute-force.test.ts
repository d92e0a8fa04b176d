import { describe, expect, it } from "vitest";
import { CallingWindow, WEEKDAYS } from "../policy/schema.js";
import { insideAt, localWindow } from "./local-window.js";
import { windowVerdict } from "./verdict.js";

/** Zones with and without daylight saving, half-hour offsets, and Lord Howe's half-hour change. */
const ZONES = [
  "America/New_York",
  "America/Los_Angeles",
  "America/St_Johns",
  "America/Phoenix",
  "Europe/Berlin",
  "Europe/London",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Adelaide",
  "Australia/Lord_Howe",
  "Pacific/Guam",
  "Pacific/Pago_Pago",
];
/** Around the changes of 2026: US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct, Australia 5 Apr / 4 Oct. */
const AROUND = ["2026-03-06", "2026-03-27", "2026-04-03", "2026-10-02", "2026-10-23", "2026-10-30", "2026-06-15"];
const MINUTE_MS = 60_000;
const HORIZON_MS = 8 * 24 * 60 * MINUTE_MS;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A run of 1-45 consecutive holidays starting within the next 3 days, some of them past the 8-day horizon. */
function randomHolidays(next: () => number, nowMs: number): string[] {
  const first = nowMs - 24 * 60 * MINUTE_MS + Math.floor(next() * 4) * 24 * 60 * MINUTE_MS;
  return Array.from({ length: 1 + Math.floor(next() * 45) }, (_, i) =>
    new Date(first + i * 24 * 60 * MINUTE_MS).toISOString().slice(0, 10),
  );
}

function randomCase(next: () => number) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const time = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  const hours = Array.from({ length: 1 + Math.floor(next() * 2) }, () => {
    const from = Math.floor(next() * 23 * 4) * 15;
    const to = from + 15 + Math.floor(next() * ((24 * 60 - from - 15) / 15 + 1)) * 15;
    return { days: WEEKDAYS.filter(() => next() < 0.6), from: time(from), to: to === 24 * 60 ? "24:00" : time(to) };
  }).filter((row) => row.days.length > 0);
  const zones = [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(ZONES)))];
  const nowMs = Date.parse(`${pick(AROUND)}T00:00:00Z`) + Math.floor(next() * 3 * 24 * 60) * MINUTE_MS;
  return {
    window: CallingWindow.parse({ hours: hours.length > 0 ? hours : [{ days: ["mon"], from: "08:00", to: "09:00" }], holidays: [] }),
    zones,
    nowMs,
  };
}

/** The answer by walking the clock a minute at a time (every boundary here is a whole minute). */
function bruteForce(window: CallingWindow, zones: readonly string[], nowMs: number): string {
  const local = localWindow(window);
  const inside = (ms: number) => zones.every((zone) => insideAt(local, zone, ms));
  if (inside(nowMs)) return "open";
  for (let ms = Math.ceil((nowMs + 1) / MINUTE_MS) * MINUTE_MS; ms <= nowMs + HORIZON_MS; ms += MINUTE_MS) {
    if (inside(ms)) return `closed until ${new Date(ms).toISOString()}`;
  }
  return "never";
}

const QUARTER_MS = 15 * MINUTE_MS;
const FAR_MS = 70 * 24 * 60 * MINUTE_MS;

/**
 * With holidays, walking 15 minutes at a time (every boundary here is a whole quarter hour in
 * UTC: rows and offsets are) up to 70 days: the first instant inside; "never" when the same
 * hours without holidays have none within 8 days; else "later" than the walk went.
 */
function bruteForceWithHolidays(window: CallingWindow, zones: readonly string[], nowMs: number): string {
  const insideAll = (local: ReturnType<typeof localWindow>, ms: number) => zones.every((zone) => insideAt(local, zone, ms));
  const local = localWindow(window);
  if (insideAll(local, nowMs)) return "open";
  const first = Math.ceil((nowMs + 1) / QUARTER_MS) * QUARTER_MS;
  for (let ms = first; ms <= nowMs + FAR_MS; ms += QUARTER_MS) {
    if (insideAll(local, ms)) return `closed until ${new Date(ms).toISOString()}`;
  }
  const plain = localWindow({ hours: window.hours, holidays: [] });
  for (let ms = first; ms <= nowMs + HORIZON_MS; ms += QUARTER_MS) if (insideAll(plain, ms)) return "later";
  return "never";
}

describe("windowVerdict with holidays past its horizon agrees with walking the clock", () => {
  const next = random(20261224);
  const cases = Array.from({ length: 24 }, () => {
    const { window, zones, nowMs } = randomCase(next);
    return { window: { ...window, holidays: randomHolidays(next, nowMs) }, zones, nowMs };
  });

  it.each(cases.map((c, i) => [i, c] as const))("case %i", (_i, { window, zones, nowMs }) => {
    const verdict = windowVerdict(window, zones, nowMs);
    const answer =
      verdict.kind !== "closed"
        ? verdict.kind
        : verdict.opensAtMs > nowMs + FAR_MS
          ? "later"
          : `closed until ${new Date(verdict.opensAtMs).toISOString()}`;
    const context = { hours: window.hours, holidays: `${window.holidays[0]}..${window.holidays.at(-1)}`, zones, now: new Date(nowMs) };
    expect(answer, JSON.stringify(context)).toBe(bruteForceWithHolidays(window, zones, nowMs));
  });

  it("covers openings past the 8-day horizon, and never", () => {
    const answers = cases.map(({ window, zones, nowMs }) => {
      const verdict = windowVerdict(window, zones, nowMs);
      return verdict.kind === "closed" && verdict.opensAtMs > nowMs + HORIZON_MS ? "past the horizon" : verdict.kind;
    });
    expect(answers).toContain("past the horizon");
    expect(answers).toContain("never");
  });
});

describe("windowVerdict agrees with walking the clock minute by minute", () => {
  const next = random(20261108);
  const cases = Array.from({ length: 40 }, () => randomCase(next));

  it.each(cases.map((c, i) => [i, c] as const))("case %i", (_i, { window, zones, nowMs }) => {
    const verdict = windowVerdict(window, zones, nowMs);
    const answer = verdict.kind === "closed" ? `closed until ${new Date(verdict.opensAtMs).toISOString()}` : verdict.kind;
    expect(answer, JSON.stringify({ hours: window.hours, zones, now: new Date(nowMs).toISOString() })).toBe(
      bruteForce(window, zones, nowMs),
    );
  });

  it("covers all three verdicts", () => {
    const kinds = new Set(cases.map(({ window, zones, nowMs }) => windowVerdict(window, zones, nowMs).kind));
    expect(kinds).toEqual(new Set(["open", "closed", "never"]));
  });
});
