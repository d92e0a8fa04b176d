import { describe, expect, it } from "vitest";
import { DEFAULT_RECIPIENT_POLICY, type PolicyScope, policyFor } from "./effective.js";
import { parseRecipientPolicy } from "./load.js";
import type { RecipientPolicy } from "./schema.js";

const EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function policy(yaml: string): RecipientPolicy {
  const result = parseRecipientPolicy(`kind: recipient-policy\nversion: 1\n${yaml}`, "test.yaml");
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.policy;
}

const FLORIDA: PolicyScope = { country: "US", region: "US-FL", campaignId: "c-1", route: "hubspot-leads" };

describe("policyFor", () => {
  it("gives the defaults with no file, in milliseconds", () => {
    expect(policyFor(DEFAULT_RECIPIENT_POLICY, { campaignId: "c-1" })).toEqual({
      window: { hours: [{ days: EVERY_DAY, from: "08:00", to: "21:00" }], holidays: [] },
      jitterMs: 600_000,
      testingBypassesWindow: false,
      unknownTimeZone: "suppress",
      cap: { maxCalls: 3, periodMs: 86_400_000, overCap: "defer" },
      cooldownMs: 0,
      overrides: [],
    });
  });

  it("has no cap with max_calls 0, and converts fractional hours", () => {
    expect(policyFor(policy("frequency_cap: { max_calls: 0 }\n"), FLORIDA).cap).toBeUndefined();
    expect(policyFor(policy("frequency_cap: { per_hours: 0.5 }\ncooldown_minutes: 15\n"), FLORIDA)).toMatchObject({
      cap: { periodMs: 1_800_000 },
      cooldownMs: 900_000,
    });
  });

  const layered = policy(`
calling_window: { holidays: ["2026-12-25"], jitter_minutes: 5 }
overrides:
  - name: us
    match: { country: US }
    frequency_cap: { max_calls: 5 }
    cooldown_minutes: 60
  - name: florida
    match: { region: [US-FL, US-GA] }
    calling_window: { hours: [ { days: [mon, tue, wed, thu, fri, sat, sun], from: "08:00", to: "20:00" } ] }
    frequency_cap: { per_hours: 48 }
  - name: vip-campaign
    match: { campaign: c-vip, country: [US, CA] }
    testing_bypasses_window: true
    unknown_time_zone: place
    cooldown_minutes: 0
  - name: leads-route
    match: { route: hubspot-leads }
    frequency_cap: { over_cap: suppress }
`);

  it.each<[string, PolicyScope, string[]]>([
    ["a Florida number of the leads route", FLORIDA, ["us", "florida", "leads-route"]],
    ["a New York number", { country: "US", region: "US-NY", campaignId: "c-1" }, ["us"]],
    ["a US number without a region (toll-free)", { country: "US", campaignId: "c-1" }, ["us"]],
    ["a Canadian number of the VIP campaign", { country: "CA", region: "CA-ON", campaignId: "c-vip" }, ["vip-campaign"]],
    ["a GB number of the VIP campaign: the match needs both keys", { country: "GB", campaignId: "c-vip" }, []],
    ["a number of no known country", { campaignId: "c-1", route: "other" }, []],
  ])("applies to %s: %j", (_case, scope, names) => {
    expect(policyFor(layered, scope).overrides).toEqual(names);
  });

  it("lets each override replace only the fields it sets, in file order", () => {
    expect(policyFor(layered, FLORIDA)).toEqual({
      window: { hours: [{ days: EVERY_DAY, from: "08:00", to: "20:00" }], holidays: ["2026-12-25"] },
      jitterMs: 300_000,
      testingBypassesWindow: false,
      unknownTimeZone: "suppress",
      cap: { maxCalls: 5, periodMs: 48 * 3_600_000, overCap: "suppress" },
      cooldownMs: 3_600_000,
      overrides: ["us", "florida", "leads-route"],
    });
  });

  it("lets a later override undo an earlier one", () => {
    expect(policyFor(layered, { country: "US", region: "US-TX", campaignId: "c-vip" })).toMatchObject({
      testingBypassesWindow: true,
      unknownTimeZone: "place",
      cooldownMs: 0,
      cap: { maxCalls: 5, periodMs: 86_400_000, overCap: "defer" },
      overrides: ["us", "vip-campaign"],
    });
  });
});
