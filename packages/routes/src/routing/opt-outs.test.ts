import { CallRequest } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { OptOutConfig, RouteConfig } from "../routes-file/schema.js";
import type { RoutedEvent, RouteSource } from "./event.js";
import { type RouteOutcome, routeEvents } from "./route-events.js";

const crm: RouteSource = { id: "crm", kind: "hubspot" };
const receivedAt = new Date("2026-11-27T10:00:00.123Z");

function route(fields: Record<string, unknown>): RouteConfig {
  return RouteConfig.parse({ name: "r", source: "crm", campaign_id: "campaign-uuid-1", to: "phone", default_country: "US", ...fields });
}

function optOut(fields: Record<string, unknown>): OptOutConfig {
  return OptOutConfig.parse({ name: "stop", source: "crm", to: "phone", default_country: "US", ...fields });
}

function event(id: string, fields: unknown): RoutedEvent {
  return { id, fields };
}

function kinds(outcomes: readonly RouteOutcome[]): string[][] {
  return outcomes.map((outcome) => [outcome.route.name, outcome.kind]);
}

const phone = "(415) 555-0142";

describe("routeEvents: opt-outs", () => {
  const doNotCall = optOut({
    name: "do-not-call",
    when: { "properties.do_not_call": "true" },
    to: ["properties.mobilephone", "properties.phone"],
  });

  it("turns a matching event into an opt-out of the number, normalised as a call's `to` is", () => {
    const fields = { properties: { phone, do_not_call: "true" } };
    const routed = routeEvents(crm, { routes: [], opt_outs: [doNotCall] }, [event("e1", fields)], receivedAt);
    expect(routed.ignored).toBe(0);
    expect(routed.outcomes).toEqual([
      { kind: "opt_out", idempotencyKey: "crm:e1:do-not-call", route: doNotCall, event: event("e1", fields), to: "+14155550142" },
    ]);
  });

  it.each([
    ["the text", "true"],
    ["the boolean", true],
    ["capitalised text", "True"],
    ["upper-case text with spaces", " TRUE "],
  ])("opts out when the CRM sends the do-not-call flag as %s (%j)", (_why, flag) => {
    const fields = { properties: { phone, do_not_call: flag } };
    const routed = routeEvents(crm, { routes: [], opt_outs: [doNotCall] }, [event("e1", fields)], receivedAt);
    expect(routed.ignored).toBe(0);
    expect(kinds(routed.outcomes)).toEqual([["do-not-call", "opt_out"]]);
  });

  it.each([false, "false", "False", null, ""])("leaves the number alone when the flag is %j", (flag) => {
    const fields = { properties: { phone, do_not_call: flag } };
    expect(routeEvents(crm, { routes: [], opt_outs: [doNotCall] }, [event("e1", fields)], receivedAt)).toEqual({
      outcomes: [],
      ignored: 1,
    });
  });

  it("matches a Pipedrive option id written as a number against the id sent as text, and vice versa", () => {
    const byNumber = optOut({ name: "by-number", when: { "data.custom_fields.dnc.id": 42 }, to: "data.phone" });
    const byText = optOut({ name: "by-text", when: { "data.custom_fields.dnc.id": "42" }, to: "data.phone" });
    const table = { routes: [], opt_outs: [byNumber, byText] };
    for (const id of [42, "42"]) {
      const fields = { data: { phone, custom_fields: { dnc: { type: "enum", id } } } };
      expect(kinds(routeEvents(crm, table, [event("e1", fields)], receivedAt).outcomes)).toEqual([
        ["by-number", "opt_out"],
        ["by-text", "opt_out"],
      ]);
    }
  });

  it.each([
    ["a national number with the default country", { phone: "415-555-0142" }, "US", "+14155550142"],
    ["an international number", { phone: "+44 20 7946 0958" }, undefined, "+442079460958"],
    [
      "a Pipedrive phone list, primary first",
      { phone: [{ value: "+1 212 555 0199" }, { value: phone, primary: true }] },
      "US",
      "+14155550142",
    ],
    ["a number with invisible marks", { phone: "\u202D+1 (415) 555-0142\u202C" }, undefined, "+14155550142"],
  ])("normalises %s", (_why, fields, country, expected) => {
    const [outcome] = routeEvents(
      crm,
      { routes: [], opt_outs: [optOut({ default_country: country })] },
      [event("e1", fields)],
      receivedAt,
    ).outcomes;
    expect(outcome).toMatchObject({ kind: "opt_out", to: expected });
  });

  it("ignores an event no opt-out matches, and opt-outs of other sources", () => {
    const table = { routes: [], opt_outs: [doNotCall, optOut({ name: "elsewhere", source: "other-crm" })] };
    const routed = routeEvents(crm, table, [event("e1", { properties: { phone, do_not_call: "false" } })], receivedAt);
    expect(routed).toEqual({ outcomes: [], ignored: 1 });
  });

  it("gives an event matching a route and an opt-out both outcomes, and counts it as not ignored", () => {
    const table = { routes: [route({ name: "call" })], opt_outs: [optOut({ name: "stop" })] };
    const routed = routeEvents(crm, table, [event("e1", { phone })], receivedAt);
    expect(kinds(routed.outcomes)).toEqual([
      ["call", "call"],
      ["stop", "opt_out"],
    ]);
    expect(routed.outcomes.map((outcome) => outcome.idempotencyKey)).toEqual(["crm:e1:call", "crm:e1:stop"]);
    expect(routed.ignored).toBe(0);
  });

  it("reads a table without opt_outs as having none", () => {
    expect(kinds(routeEvents(crm, { routes: [route({ name: "call" })] }, [event("e1", { phone })], receivedAt).outcomes)).toEqual([
      ["call", "call"],
    ]);
  });

  it("yields opt_out_invalid_phone for an unusable number, with what was found and no digits in the problem", () => {
    const fields = { properties: { phone: "555-0142", do_not_call: "true" } };
    const [outcome] = routeEvents(crm, { routes: [], opt_outs: [doNotCall] }, [event("e1", fields)], receivedAt).outcomes;
    if (outcome?.kind !== "opt_out_invalid_phone") throw new Error(`expected opt_out_invalid_phone, got ${outcome?.kind}`);
    expect(outcome.idempotencyKey).toBe("crm:e1:do-not-call");
    expect(outcome.problem).toBe("no valid phone number at properties.mobilephone, properties.phone (1 candidate rejected)");
    expect(outcome.draft).toStrictEqual({
      opt_out: true,
      to: "555-0142",
      source: { kind: "hubspot", event_id: "e1", route: "do-not-call", received_at: "2026-11-27T10:00:00.123Z" },
      requested_at: "2026-11-27T10:00:00.123Z",
    });
  });

  it("says no number was found when the event has none, as a HubSpot propertyChange event has not", () => {
    const propertyChange = {
      objectId: 501,
      propertyName: "do_not_call",
      propertyValue: "true",
      subscriptionType: "contact.propertyChange",
    };
    const stop = optOut({ when: { propertyName: "do_not_call", propertyValue: "true" }, to: "propertyValue" });
    const [outcome] = routeEvents(crm, { routes: [], opt_outs: [stop] }, [event("e1", propertyChange)], receivedAt).outcomes;
    expect(outcome).toMatchObject({
      kind: "opt_out_invalid_phone",
      problem: "no valid phone number at propertyValue (1 candidate rejected)",
    });
    const noPath = optOut({ when: { propertyName: "do_not_call" }, to: "phone" });
    const [missing] = routeEvents(crm, { routes: [], opt_outs: [noPath] }, [event("e1", propertyChange)], receivedAt).outcomes;
    expect(missing).toMatchObject({ kind: "opt_out_invalid_phone", problem: "no phone number at phone", draft: { to: null } });
  });

  it("leaves a draft that is not a call request, even with its number fixed", () => {
    const [outcome] = routeEvents(crm, { routes: [], opt_outs: [optOut({})] }, [event("e1", { phone: "12" })], receivedAt).outcomes;
    if (outcome?.kind !== "opt_out_invalid_phone") throw new Error(`expected opt_out_invalid_phone, got ${outcome?.kind}`);
    expect(CallRequest.safeParse({ ...outcome.draft, to: "+14155550142" }).success).toBe(false);
  });
});

describe("routeEvents: consent", () => {
  const asking = route({ name: "asking", consent: "consent" });

  function requestOf(fields: Record<string, unknown>, theRoute = asking): Record<string, unknown> {
    const [outcome] = routeEvents(crm, { routes: [theRoute] }, [event("e1", { phone, ...fields })], receivedAt).outcomes;
    if (outcome?.kind === "call") return outcome.request;
    if (outcome?.kind === "invalid_phone") return outcome.draft;
    throw new Error(`expected a call or invalid_phone outcome, got ${outcome?.kind}`);
  }

  it.each([
    ["true", true, true],
    ['"yes"', "yes", true],
    ['"Opted_In"', "Opted_In", true],
    ["1", 1, true],
    ["false", false, false],
    ['"no"', "no", false],
    ['""', "", false],
    ["null", null, false],
    ["0", 0, false],
  ])("a route asking for consent writes the value %s as consent: %s", (_why, value, expected) => {
    expect(requestOf({ consent: value }).consent).toBe(expected);
  });

  it("writes consent: false when the field is missing", () => {
    expect(requestOf({}).consent).toBe(false);
  });

  it("reads consent at a nested path", () => {
    expect(requestOf({ properties: { call_consent: "granted" } }, route({ consent: "properties.call_consent" })).consent).toBe(true);
  });

  it("leaves consent out when the route does not ask, whatever the event says", () => {
    expect(requestOf({ consent: false }, route({}))).not.toHaveProperty("consent");
  });

  it("keeps consent on an invalid_phone draft, so a replayed request is still checked", () => {
    expect(requestOf({ phone: "12", consent: "no" }).consent).toBe(false);
  });

  it("writes a request that passes the CallRequest contract", () => {
    const request = requestOf({ consent: "yes" });
    expect(CallRequest.parse(request)).toEqual(request);
  });
});
