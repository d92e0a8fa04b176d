import type { CallResult } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { allSettled, demoVerdict, matchOutcomes, type RequestOutcome } from "./demo-outcomes.js";
import type { DemoRequest } from "./demo-webhooks.js";

const started = Date.parse("2026-12-07T06:00:00Z");
const at = (seconds: number) => new Date(started + seconds * 1000).toISOString();
const ny: DemoRequest = { route: "hubspot-phone-change", to: "+12125550100" };
const la: DemoRequest = { route: "salesforce-lead", to: "+14155550101" };

function result(to: string, fields: Partial<Record<string, unknown>> & { outcome: CallResult["outcome"] }, receivedS = 1): CallResult {
  const base = {
    version: 1,
    idempotency_key: `hubspot:${to}:${receivedS}`,
    campaign_id: "campaign-uuid-1",
    to,
    is_testing: true,
    attempts: 0,
    source: { kind: "hubspot", event_id: "e1", route: "hubspot-phone-change", received_at: at(receivedS) },
    decided_at: at(receivedS + 1),
  };
  return { ...base, ...fields } as CallResult;
}

const placed = (to: string, receivedS = 1, decidedS = 2) =>
  result(
    to,
    {
      outcome: "placed",
      decided_at: at(decidedS),
      call: { id: "call-1234567890", campaign_id: "c", to, status: "queued", scheduled_at: null, created_at: at(decidedS) },
    },
    receivedS,
  );
const deferred = (to: string, notBeforeS: number, receivedS = 1) =>
  result(to, { outcome: "deferred", reason: "calling_window", not_before: at(notBeforeS), deferrals: 1 }, receivedS);

describe("matchOutcomes", () => {
  it.each<[string, CallResult[], (CallResult["outcome"] | undefined)[]]>([
    ["no results yet", [], [undefined, undefined]],
    ["each number gets its own result", [placed(ny.to), deferred(la.to, 3600)], ["placed", "deferred"]],
    ["a result for a number the demo did not use is ignored", [placed("+13125550199")], [undefined, undefined]],
    ["an earlier run's request for the same number is not this run's", [placed(ny.to, -200, 5)], [undefined, undefined]],
    ["a request received just before the start (the ingest's clock lags) is this run's", [placed(ny.to, -20)], ["placed", undefined]],
    ["placed after a deferral wins over the deferral", [deferred(ny.to, 60), placed(ny.to, 1, 70)], ["placed", undefined]],
    ["a final result wins even when read before a later deferral", [placed(ny.to, 1, 2), deferred(ny.to, 60)], ["placed", undefined]],
  ])("%s", (_, results, expected) => {
    expect(matchOutcomes([ny, la], results, started).map((o) => o.result?.outcome)).toEqual(expected);
  });

  it("of two deferrals, the later decided one is shown", () => {
    const first = { ...deferred(ny.to, 30), decided_at: at(2) } as CallResult;
    const second = { ...deferred(ny.to, 3600), decided_at: at(31), deferrals: 2 } as CallResult;
    expect(matchOutcomes([ny], [second, first], started)[0]?.result).toBe(second);
  });
});

describe("allSettled", () => {
  const deadline = started + 20_000;
  it.each<[string, RequestOutcome[], boolean]>([
    ["a request without a result: wait", [{ request: ny, result: placed(ny.to) }, { request: la }], false],
    ["all placed: done", [{ request: ny, result: placed(ny.to) }], true],
    ["deferred past the wait: done", [{ request: ny, result: deferred(ny.to, 3600) }], true],
    ["deferred to within the wait: it may yet be placed", [{ request: ny, result: deferred(ny.to, 10) }], false],
    ["suppressed: done", [{ request: ny, result: result(ny.to, { outcome: "suppressed", reason: "do_not_call" }) }], true],
  ])("%s", (_, outcomes, expected) => {
    expect(allSettled(outcomes, deadline)).toBe(expected);
  });
});

describe("demoVerdict", () => {
  it.each<[string, RequestOutcome[], boolean, RegExp]>([
    [
      "placed and deferred: the pipeline did its job",
      [
        { request: ny, result: placed(ny.to) },
        { request: la, result: deferred(la.to, 3600) },
      ],
      true,
      /^every request has a result: 1 placed, 1 deferred$/,
    ],
    [
      "suppressed with a reason is a result too",
      [{ request: ny, result: result(ny.to, { outcome: "suppressed", reason: "do_not_call" }) }],
      true,
      /1 suppressed/,
    ],
    [
      "a missing result names the request, masked, and the worker",
      [{ request: ny, result: placed(ny.to) }, { request: la }],
      false,
      /^no result for 1 of 2 requests within 20 s \(salesforce-lead \+1415\*+01\): is the worker running\?/,
    ],
    [
      "a dead-lettered demo call is a failure",
      [{ request: ny, result: result(ny.to, { outcome: "dead_lettered", reason: "http_4xx", error_message: "campaign not found" }) }],
      false,
      /^1 dead_lettered of 1 requests/,
    ],
  ])("%s", (_, outcomes, ok, text) => {
    const verdict = demoVerdict(outcomes, 20);
    expect(verdict.ok).toBe(ok);
    expect(verdict.ok ? verdict.summary : verdict.problem).toMatch(text);
    expect(JSON.stringify(verdict)).not.toContain("5550101");
  });
});
