import { DEFAULT_RECIPIENT_POLICY, parseRecipientPolicy, type RecipientPolicy } from "@callbridge/recipient-policy";
import { CallRequest } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { RecipientGuard } from "./recipient-guard.js";
import { InProcessRecipientStore } from "./recipient-store.js";

// The guard around its pure parts, time injected: the number's zone from its digits, the policy's
// overrides, the window in local time, the counts in-process.

/** 03:00 in New York, 00:00 in Los Angeles, 08:00 in London, 17:00 in Tokyo. */
const NIGHT_IN_NEW_YORK = Date.parse("2026-12-07T08:00:00Z");
const NEW_YORK = "+12125550100";
const TOKYO = "+81312345678";

function guard(options: { now?: number; policy?: RecipientPolicy; policyOn?: boolean; random?: number } = {}) {
  return new RecipientGuard({
    policyOn: options.policyOn ?? true,
    policy: options.policy ?? DEFAULT_RECIPIENT_POLICY,
    store: new InProcessRecipientStore(() => options.now ?? NIGHT_IN_NEW_YORK),
    now: () => options.now ?? NIGHT_IN_NEW_YORK,
    random: () => options.random ?? 0,
  });
}

function request(to: string, extra: Partial<CallRequest> = {}): CallRequest {
  return CallRequest.parse({ idempotency_key: `k-${to}-${Math.random()}`, campaign_id: "campaign-uuid-1", to, ...extra });
}

function policy(yaml: string): RecipientPolicy {
  const parsed = parseRecipientPolicy(`kind: recipient-policy\nversion: 1\n${yaml}`, "test.yaml");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.policy;
}

describe("RecipientGuard", () => {
  it("defers a number in its night to its 08:00 plus its share of the 10 min jitter, and places one in its day", async () => {
    expect(await guard({ random: 0.5 }).check(request(NEW_YORK), false)).toEqual({
      kind: "defer",
      reason: "calling_window",
      notBeforeMs: Date.parse("2026-12-07T13:00:00Z") + 300_000,
    });
    expect(await guard().check(request(TOKYO), false)).toEqual({ kind: "place" });
  });

  it("applies a region's override (Florida 08:00-20:00) and not another's", async () => {
    const florida = policy(`overrides:
  - name: us-fl
    match: { region: US-FL }
    calling_window: { hours: [{ days: [mon, tue, wed, thu, fri, sat, sun], from: "08:00", to: "20:00" }] }
`);
    const at2030NewYork = Date.parse("2026-12-08T01:30:00Z");
    expect(await guard({ now: at2030NewYork, policy: florida }).check(request("+13055550100"), false)).toMatchObject({
      kind: "defer",
      reason: "calling_window",
    });
    expect(await guard({ now: at2030NewYork, policy: florida }).check(request(NEW_YORK), false)).toEqual({ kind: "place" });
  });

  it("lets a test call through at night when the policy says so, and only then", async () => {
    const bypass = policy("testing_bypasses_window: true\n");
    expect(await guard({ policy: bypass }).check(request(NEW_YORK, { is_testing: true }), false)).toEqual({ kind: "place" });
    expect(await guard({ policy: bypass }).check(request(NEW_YORK), false)).toMatchObject({ kind: "defer" });
    expect(await guard().check(request(NEW_YORK, { is_testing: true }), false)).toMatchObject({ kind: "defer" });
  });

  it("with the policy off, or after an attempt that may have landed, asks only consent and the list", async () => {
    expect(await guard({ policyOn: false }).check(request(NEW_YORK), false)).toEqual({ kind: "place" });
    expect(await guard().check(request(NEW_YORK), true)).toEqual({ kind: "place" });
    expect(await guard({ policyOn: false }).check(request(NEW_YORK, { consent: false }), false)).toMatchObject({
      kind: "suppress",
      reason: "no_consent",
    });
  });

  it("caps across campaigns: the fourth call to one number in a day is deferred, or suppressed when the policy says so", async () => {
    for (const [overCap, expected] of [
      ["defer", { kind: "defer", reason: "frequency_cap" }],
      ["suppress", { kind: "suppress", reason: "frequency_cap" }],
    ] as const) {
      const g = guard({ policy: policy(`frequency_cap: { max_calls: 3, per_hours: 24, over_cap: ${overCap} }\n`) });
      const campaigns = ["campaign-uuid-1", "campaign-a", "campaign-b"];
      for (const campaign_id of campaigns) expect(await g.check(request(TOKYO, { campaign_id }), false)).toEqual({ kind: "place" });
      expect(await g.check(request(TOKYO, { campaign_id: "campaign-c" }), false)).toMatchObject(expected);
    }
  });

  it("a number with no known zone is suppressed by default, placed when the policy says so", async () => {
    const satellite = "+881612345678";
    expect(await guard().check(request(satellite), false)).toMatchObject({ kind: "suppress", reason: "unknown_time_zone" });
    expect(await guard({ policy: policy("unknown_time_zone: place\n") }).check(request(satellite), false)).toEqual({ kind: "place" });
  });
});
