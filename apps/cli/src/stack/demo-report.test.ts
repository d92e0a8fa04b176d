import type { CallResult } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import type { RequestOutcome } from "./demo-outcomes.js";
import { guardExplanation, inHowLong, outcomeTable, untilWhen } from "./demo-report.js";

const now = Date.parse("2026-12-07T06:00:00Z");

describe("untilWhen", () => {
  it.each<[string, string, string, { local: string; utc: string }]>([
    [
      "New York: the next morning, local and UTC",
      "2026-12-07T13:04:00Z",
      "+12125550100",
      { local: "Mon Dec 7 08:04 EST America/New_York", utc: "Mon Dec 7 13:04 UTC, in 7h 4m" },
    ],
    [
      "Los Angeles in summer time",
      "2026-07-01T15:00:00Z",
      "+14155550101",
      { local: "Wed Jul 1 08:00 PDT America/Los_Angeles", utc: "Wed Jul 1 15:00 UTC, due now" },
    ],
    [
      "a local date before the UTC date",
      "2026-12-08T04:30:00Z",
      "+14155550101",
      { local: "Mon Dec 7 20:30 PST America/Los_Angeles", utc: "Tue Dec 8 04:30 UTC, in 22h 30m" },
    ],
    [
      "a number of no known zone",
      "2026-12-07T06:03:00Z",
      "+80012345678",
      { local: "(time zone unknown)", utc: "Mon Dec 7 06:03 UTC, in 3m" },
    ],
  ])("%s", (_, notBefore, to, expected) => {
    expect(untilWhen(notBefore, to, now)).toEqual(expected);
  });
});

describe("inHowLong", () => {
  it.each<[number, string]>([
    [-5_000, "due now"],
    [1, "in 1m"],
    [59 * 60_000, "in 59m"],
    [60 * 60_000, "in 1h 0m"],
    [(13 * 60 + 5) * 60_000, "in 13h 5m"],
  ])("%d ms: %s", (ms, expected) => {
    expect(inHowLong(ms)).toBe(expected);
  });
});

function outcome(to: string, fields: Record<string, unknown> | undefined): RequestOutcome {
  const request = { route: "standard-call-requested", to };
  if (fields === undefined) return { request };
  const result = {
    version: 1,
    idempotency_key: "k",
    campaign_id: "campaign-uuid-1",
    to,
    is_testing: true,
    attempts: 0,
    decided_at: "2026-12-07T06:00:01Z",
    ...fields,
  } as CallResult;
  return { request, result };
}

const nightDeferral = { outcome: "deferred", reason: "calling_window", not_before: "2026-12-07T13:04:00Z", deferrals: 1 };
const placedCall = {
  outcome: "placed",
  call: { id: "0123456789abcdef", campaign_id: "c", to: "+13125550102", status: "queued", scheduled_at: null, created_at: "x" },
};

describe("outcomeTable", () => {
  it("shows each request masked, deferrals with their reason and times, placed calls with the simulator's payload", () => {
    const text = outcomeTable(
      [outcome("+12125550100", nightDeferral), outcome("+13125550102", placedCall), outcome("+14155550101", undefined)],
      new Map([["0123456789abcdef", { id: "0123456789abcdef", payload: { customer_name: "Grace" } }]]),
      now,
    );
    const [header, night, placed, missing] = text.split("\n");
    expect(header).toMatch(/^ROUTE\s+TO\s+OUTCOME\s+REASON\s+UNTIL \(RECIPIENT'S TIME\)\s+UNTIL \(UTC\)\s+DETAIL$/);
    expect(night).toMatch(
      /\+1212\*{5}00\s+deferred\s+calling_window\s+Mon Dec 7 08:04 EST America\/New_York\s+Mon Dec 7 13:04 UTC, in 7h 4m/,
    );
    expect(placed).toMatch(/placed\s+-\s+-\s+-\s+call 01234567 payload \{"customer_name":"Grace"\}$/);
    expect(missing).toMatch(/\(no result\)/);
    expect(text).not.toMatch(/555010[012]/);
  });

  it("leaves out the reason and until columns when every call was placed", () => {
    const text = outcomeTable([outcome("+13125550102", placedCall)], new Map(), now);
    expect(text.split("\n")[0]).toMatch(/^ROUTE\s+TO\s+OUTCOME\s+DETAIL$/);
    expect(text.split("\n")[1]).toMatch(/^standard-call-requested\s+\+1312\*{5}02\s+placed\s+call 01234567$/);
  });
});

describe("guardExplanation", () => {
  it.each<[string, RequestOutcome[], RegExp[], RegExp[]]>([
    ["all placed: nothing to explain", [outcome("+13125550102", placedCall)], [], [/./]],
    [
      "night: why, until when, and how to see them placed now",
      [outcome("+12125550100", nightDeferral), outcome("+13125550102", placedCall)],
      [
        /^1 of 2 calls were deferred \(calling_window\): it is outside the calling window where these numbers are\.$/m,
        /in their local time: 08:00-21:00 by\s+default, or what the worker's RECIPIENT_POLICY_FILE says/,
        /places them then.*if it is still running/s,
        /^ {2}RECIPIENT_GUARD=off bash scripts\/start\.sh$/m,
        /testing_bypasses_window: true/,
        /RECIPIENT_POLICY_FILE=/,
      ],
      [/frequency cap/],
    ],
    [
      "a frequency cap is not night",
      [outcome("+12125550100", { ...nightDeferral, reason: "frequency_cap" })],
      [/deferred for a frequency cap or cooldown/],
      [/night/],
    ],
    [
      "suppressed requests are never called",
      [outcome("+12125550100", { outcome: "suppressed", reason: "do_not_call" })],
      [/1 of 1 requests were suppressed/],
      [/night/],
    ],
  ])("%s", (_, outcomes, present, absent) => {
    const text = guardExplanation(outcomes).join("\n");
    for (const pattern of present) expect(text).toMatch(pattern);
    for (const pattern of absent) expect(text).not.toMatch(pattern);
  });
});
