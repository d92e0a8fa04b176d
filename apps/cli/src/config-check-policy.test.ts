import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { daysText } from "./config-check-policy-text.js";
import { runCallbridge } from "./test-support/run-cli.js";

const example = new URL("../../../config/recipient-policy.example.yaml", import.meta.url).pathname;
const routesExample = new URL("../../../config/routes.example.yaml", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "policy-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A Friday, 07:00 in New York (EST), 04:00 in Los Angeles.
const cli = (args: string[]) => runCallbridge(args, { nowMs: () => Date.parse("2026-11-27T12:00:00Z") });

/** Every key of a JSON value, however deep. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

function policyFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("callbridge config check <recipient policy>", () => {
  it("tells a policy file by its kind and sums it up", async () => {
    const run = await cli(["config", "check", example]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`${example} is a valid recipient policy`);
    expect(run.out).toContain("calling window: mon-sun 08:00-21:00 local; no holidays; jitter 10 min");
    expect(run.out).toContain("frequency cap: 3 calls per 24 h, then defer");
    expect(run.out).toContain("cooldown: off");
    expect(run.out).toMatch(/us-florida-example\s+region US-FL\s+window mon-sun 08:00-20:00; cap 3 calls per 24 h/);
  });

  it("still checks a routes file as one", async () => {
    const run = await cli(["config", "check", routesExample]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("is valid");
    expect(run.out).not.toContain("recipient policy");
  });

  it("prints every problem and exits 1, like a bad routes file", async () => {
    const file = policyFile(
      "bad.yaml",
      `kind: recipient-policy
version: 1
calling_window: { hours: [ { days: [mon, fri], from: "21:00", to: "08:00" } ], holidays: ["2026-13-01"] }
overrides:
  - { name: fl, match: { region: US-XX }, cooldown_minutes: 5 }
`,
    );
    const run = await cli(["config", "check", file]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`${file}: calling_window.hours[0].to: must be later than from (21:00)`);
    expect(run.out).toContain(`${file}: calling_window.holidays[0]: is not a date in the calendar`);
    expect(run.out).toContain(`${file}: overrides[0].match.region: must be a US or Canadian region`);
    expect(run.err).toBe(`callbridge: ${file} is not valid (3 problems)\n`);
  });

  it("gives the policy as JSON", async () => {
    const run = await cli(["--json", "config", "check", example]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.out) as { valid: boolean; policy: { overrides: { name: string }[] } };
    expect(result.valid).toBe(true);
    expect(result.policy.overrides.map((o) => o.name)).toEqual(["us-florida-example"]);
  });
});

const OFFICE_HOURS_YEAR_END = `kind: recipient-policy
version: 1
calling_window:
  hours: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" }]
  holidays: ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01"]
`;

describe("callbridge config check <recipient policy> --number", () => {
  it("places a Florida number, applies the Florida override and says when the window opens", async () => {
    const run = await cli(["config", "check", example, "--number", "+13055550123", "--campaign", "c-1"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("+1305*****23: country US, region US-FL; time zone America/New_York");
    expect(run.out).toContain("overrides that apply: us-florida-example");
    expect(run.out).toContain("window: mon-sun 08:00-20:00 local");
    expect(run.out).toContain(
      "window at 2026-11-27T12:00:00.000Z (Fri 07:00:00 America/New_York): closed, deferred until it opens at 2026-11-27T13:00:00.000Z (Fri 08:00:00 America/New_York)",
    );
    expect(run.out).not.toContain("5550123");
  });

  it("judges the window at --at, and shows a number unmasked with --reveal", async () => {
    const run = await cli(["config", "check", example, "--number", "+442079460123", "--at", "2026-11-27T12:00:00+01:00", "--reveal"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("+442079460123: country GB, region none; time zone Europe/London");
    expect(run.out).toContain("overrides that apply: none");
    expect(run.out).toContain("(Fri 11:00:00 Europe/London): open, the call would be placed");
  });

  it("says what happens to a number of no known zone", async () => {
    const run = await cli(["config", "check", example, "--number", "+80012345678"]);
    expect(run.out).toContain("time zone unknown");
    expect(run.out).toContain("suppressed (unknown_time_zone)");
  });

  it("gives the place, the resolved policy and the window as JSON, masked", async () => {
    const run = await cli(["--json", "config", "check", example, "--number", "+18005550199", "--at", "2026-06-10T12:00:00Z"]);
    const result = JSON.parse(run.out) as { number: string; place: { zones: string[] }; window: unknown; policy: { overrides: string[] } };
    expect(result.number).toBe("+1800*****99");
    expect(result.place.zones).toContain("Pacific/Guam");
    expect(result.window).toEqual({ kind: "closed", opens_at: "2026-06-10T22:00:00.000Z", closed_in: "Pacific/Guam", zones_closed: 20 });
    expect(run.out).not.toContain("5550199");
  });

  it("gives the JSON in snake_case throughout, the resolved policy included", async () => {
    const run = await cli(["--json", "config", "check", example, "--number", "+13055550123", "--campaign", "c-1"]);
    const result = JSON.parse(run.out) as { policy: unknown };
    expect(result.policy).toEqual({
      window: { hours: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "08:00", to: "20:00" }], holidays: [] },
      jitter_ms: 600_000,
      testing_bypasses_window: false,
      unknown_time_zone: "suppress",
      cap: { max_calls: 3, period_ms: 86_400_000, over_cap: "defer" },
      cooldown_ms: 0,
      overrides: ["us-florida-example"],
    });
    expect(keysOf(JSON.parse(run.out)).filter((key) => !/^[a-z][a-z0-9_]*$/.test(key))).toEqual([]);
  });

  it.each([
    [
      "at 12:00 UTC, by the zone whose opening it waits for",
      "2026-06-10T12:00:00Z",
      "window at 2026-06-10T12:00:00.000Z: closed in Pacific/Guam (Wed 22:00:00), and 19 other zones; deferred until it opens at 2026-06-10T22:00:00.000Z (Thu 08:00:00 Pacific/Guam)",
    ],
    [
      "at 07:01 UTC, when Guam is open, by a zone that is closed",
      "2026-11-27T07:01:00Z",
      "window at 2026-11-27T07:01:00.000Z: closed in America/Adak (Thu 21:01:00), and 38 other zones; deferred until it opens at 2026-11-27T22:00:00.000Z (Sat 08:00:00 Pacific/Guam)",
    ],
    [
      "at 00:45 UTC in January, when only St John's has closed",
      "2026-01-16T00:45:00Z",
      "window at 2026-01-16T00:45:00.000Z: closed in America/St_Johns (Thu 21:15:00); the other 41 zones are open; deferred until it opens at 2026-01-16T22:00:00.000Z (Sat 08:00:00 Pacific/Guam)",
    ],
  ])("names a zone a toll-free number is closed in: %s", async (_case, at, line) => {
    const run = await cli(["config", "check", example, "--number", "+18005550199", "--at", at]);
    expect(run.out).toContain(`${line}\n`);
  });

  it("defers past holidays that close the window for more than a week, to the first opening after them", async () => {
    const file = policyFile("year-end.yaml", OFFICE_HOURS_YEAR_END);
    const run = await cli(["config", "check", file, "--number", "+12125550100", "--at", "2026-12-25T23:00:00Z"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      "window at 2026-12-25T23:00:00.000Z (Fri 18:00:00 America/New_York): closed, deferred until it opens at 2027-01-04T14:00:00.000Z (Mon 09:00:00 America/New_York)\n",
    );
    expect(run.out).not.toContain("suppressed");
  });

  it("says never only when the hours never meet in all the number's zones", async () => {
    const file = policyFile("year-end-never.yaml", OFFICE_HOURS_YEAR_END);
    const run = await cli(["config", "check", file, "--number", "+18005550199", "--at", "2026-12-25T23:00:00Z"]);
    expect(run.out).toContain(
      "window: the calling hours never open in all of the number's time zones at once (none within 8 days, holidays left aside); suppressed (no_calling_window)",
    );
  });

  it.each([
    [["--number", "305-555-0123"], "--number: must be an E.164 number such as +14155550123"],
    [["--number", "+13055550123", "--at", "2026-06-10T12:00"], "--at 2026-06-10T12:00: must be an ISO 8601 time with Z or an offset"],
    [["--campaign", "c-1"], "--campaign needs --number <E.164>"],
    [["--source", "crm"], "--source is for routes files"],
  ])("refuses %j as a usage error (exit 2)", async (args, message) => {
    const run = await cli(["config", "check", example, ...args]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(run.err).not.toContain("555-0123");
  });

  it("refuses --number for a routes file", async () => {
    const run = await cli(["config", "check", routesExample, "--number", "+13055550123"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--number is for recipient policy files");
  });
});

describe("daysText", () => {
  it.each([
    [["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "mon-sun"],
    [["sat", "sun"], "sat, sun"],
    [["fri", "mon", "tue", "wed"], "mon-wed, fri"],
  ])("%j → %s", (days, text) => {
    expect(daysText(days)).toBe(text);
  });
});
