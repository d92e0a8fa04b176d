import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CallingWindow, DEFAULT_RECIPIENT_POLICY, type EffectivePolicy, policyFor } from "@callbridge/recipient-policy";
import { afterAll, describe, expect, it } from "vitest";
import { checkConfigFile, type PolicyCheckOptions } from "./config-check-policy.js";
import { closedZonesAt, windowReport } from "./config-check-policy-window.js";
import type { CliContext } from "./context.js";

const DEFAULTS = policyFor(DEFAULT_RECIPIENT_POLICY, { campaignId: "c-1" });
const BYPASS: EffectivePolicy = { ...DEFAULTS, testingBypassesWindow: true };
const NEW_YORK = ["America/New_York"];
/** 03:00 in New York, 04:00 in Halifax, 22:00 in Guam (the day before is 07:00 UTC). */
const NIGHT = Date.parse("2026-06-10T07:00:00Z");

describe("windowReport: the worker's order", () => {
  it.each([
    ["a test call the policy lets bypass the window", BYPASS, NEW_YORK, true, { kind: "open", testingBypass: true }],
    ["... also for a number of no known zone", BYPASS, [], true, { kind: "open", testingBypass: true }],
    ["a test call the policy keeps to the window", DEFAULTS, NEW_YORK, true, expect.objectContaining({ kind: "closed" })],
    ["not a test call, though the policy would let one bypass", BYPASS, NEW_YORK, false, expect.objectContaining({ kind: "closed" })],
    ["no known zone", DEFAULTS, [], false, { kind: "unknown_time_zone", policySays: "suppress" }],
  ])("%s", (_case, effective, zones, testing, expected) => {
    expect(windowReport(effective, zones, NIGHT, testing)).toEqual(expected);
  });
});

describe("closedZonesAt: the zone that keeps a number closed", () => {
  const window = CallingWindow.parse({
    hours: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "08:00", to: "21:00" }],
    holidays: [],
  });
  it.each([
    ["one zone: that one", NEW_YORK, "2026-06-10T07:00:00Z", { closedZone: "America/New_York", closedZones: 1 }],
    [
      "of two closed, the one that opens last",
      ["America/Halifax", "America/Los_Angeles"],
      "2026-06-10T07:00:00Z",
      { closedZone: "America/Los_Angeles", closedZones: 2 },
    ],
    [
      "not the first zone when that one is open",
      ["Pacific/Guam", "America/New_York"],
      "2026-06-10T07:00:00Z",
      { closedZone: "America/New_York", closedZones: 1 },
    ],
  ])("%s", (_case, zones, at, expected) => {
    expect(closedZonesAt(window, zones, Date.parse(at))).toEqual(expected);
  });
});

describe("config check --number --testing", () => {
  const dir = mkdtempSync(join(tmpdir(), "policy-testing-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "bypass.yaml");
  writeFileSync(file, "kind: recipient-policy\nversion: 1\ntesting_bypasses_window: true\n");

  function check(options: PolicyCheckOptions, json = false): string {
    let out = "";
    const context: CliContext = {
      brokers: [],
      topics: { callRequests: "r", deadLetters: "d", callResults: "c", replays: "p" },
      json,
      out: (text) => {
        out += `${text}\n`;
      },
      progress: undefined,
      nowMs: () => NIGHT,
      signal: new AbortController().signal,
    };
    checkConfigFile(context, file, {}, options);
    return out;
  }

  it.each([
    [true, "window at 2026-06-10T07:00:00.000Z: open: test calls bypass the window, the call would be placed"],
    [
      false,
      "window at 2026-06-10T07:00:00.000Z (Wed 03:00:00 America/New_York): closed, deferred until it opens at 2026-06-10T12:00:00.000Z",
    ],
  ])("testing %s: %s", (testing, line) => {
    expect(check({ number: "+12125550100", testing })).toContain(line);
  });

  it("says so in --json", () => {
    const result = JSON.parse(check({ number: "+12125550100", testing: true }, true)) as { is_testing: boolean; window: unknown };
    expect(result.is_testing).toBe(true);
    expect(result.window).toEqual({ kind: "open", because: "testing_bypasses_window" });
  });

  it("needs --number", () => {
    expect(() => check({ testing: true })).toThrow("--testing needs --number <E.164>");
  });
});
