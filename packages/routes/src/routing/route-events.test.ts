import { CallRequest } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { RouteConfig } from "../routes-file/schema.js";
import type { RoutedEvent, RouteSource } from "./event.js";
import { type RouteOutcome, routeEvents } from "./route-events.js";

/** Routing reads only a source's `id` and `kind`. */
function fakeSource(id: string, kind: string): RouteSource {
  return { id, kind };
}

const crm = fakeSource("crm", "hubspot");
const receivedAt = new Date("2026-11-27T10:00:00.123Z");

function route(fields: Record<string, unknown>): RouteConfig {
  return RouteConfig.parse({ name: "r", source: "crm", campaign_id: "campaign-uuid-1", to: "phone", default_country: "US", ...fields });
}

function event(id: string, fields: unknown): RoutedEvent {
  return { id, fields };
}

/** Names of the routes an event matched, in route order. */
function matchedRoutes(routes: RouteConfig[], fields: unknown): string[] {
  return routeEvents(crm, { routes }, [event("e1", fields)], receivedAt).outcomes.map((outcome) => outcome.route.name);
}

function callOf(outcome: RouteOutcome | undefined): CallRequest {
  if (outcome?.kind !== "call") throw new Error(`expected a call outcome, got ${outcome?.kind}`);
  return outcome.request;
}

const phone = "(415) 555-0142";

describe("routeEvents: which routes an event matches", () => {
  it("matches a `when` field equal to the value", () => {
    const routes = [route({ name: "requested", when: { type: "call.requested" } })];
    expect(matchedRoutes(routes, { type: "call.requested", phone })).toEqual(["requested"]);
    expect(matchedRoutes(routes, { type: "call.cancelled", phone })).toEqual([]);
    expect(matchedRoutes(routes, { phone })).toEqual([]);
  });

  it("compares numbers and booleans by value, their text forms included", () => {
    const routes = [route({ name: "portal", when: { portalId: 62515, test: false } })];
    expect(matchedRoutes(routes, { portalId: 62515, test: false, phone })).toEqual(["portal"]);
    expect(matchedRoutes(routes, { portalId: "62515", test: "False", phone })).toEqual(["portal"]);
    expect(matchedRoutes(routes, { portalId: 62515, test: true, phone })).toEqual([]);
    expect(matchedRoutes(routes, { portalId: 62515, test: "no", phone })).toEqual([]);
    expect(matchedRoutes(routes, { portalId: 1, test: false, phone })).toEqual([]);
    expect(matchedRoutes(routes, { portalId: "062515", test: false, phone })).toEqual([]);
  });

  it("compares other strings exactly, case included", () => {
    const routes = [route({ name: "lead", when: { "sObject.type": "Lead" } })];
    expect(matchedRoutes(routes, { sObject: { type: "Lead" }, phone })).toEqual(["lead"]);
    expect(matchedRoutes(routes, { sObject: { type: "lead" }, phone })).toEqual([]);
  });

  it("requires every `when` field to hold", () => {
    const routes = [route({ name: "new-person", when: { "meta.entity": "person", "meta.action": "create" } })];
    expect(matchedRoutes(routes, { meta: { entity: "person", action: "create" }, phone })).toEqual(["new-person"]);
    expect(matchedRoutes(routes, { meta: { entity: "person", action: "change" }, phone })).toEqual([]);
    expect(matchedRoutes(routes, { meta: { entity: "deal", action: "create" }, phone })).toEqual([]);
  });

  it("matches any value of a one-of list", () => {
    const routes = [route({ name: "phone-change", when: { propertyName: ["phone", "mobilephone"] } })];
    expect(matchedRoutes(routes, { propertyName: "phone", phone })).toEqual(["phone-change"]);
    expect(matchedRoutes(routes, { propertyName: "mobilephone", phone })).toEqual(["phone-change"]);
    expect(matchedRoutes(routes, { propertyName: "email", phone })).toEqual([]);
    expect(matchedRoutes(routes, { phone })).toEqual([]);
  });

  it("matches `{exists: true}` only when the field is present and not null", () => {
    const routes = [route({ name: "has-owner", when: { "data.owner_id": { exists: true } } })];
    expect(matchedRoutes(routes, { data: { owner_id: 7 }, phone })).toEqual(["has-owner"]);
    expect(matchedRoutes(routes, { data: { owner_id: "" }, phone })).toEqual(["has-owner"]);
    expect(matchedRoutes(routes, { data: { owner_id: null }, phone })).toEqual([]);
    expect(matchedRoutes(routes, { data: {}, phone })).toEqual([]);
  });

  it("matches `{exists: false}` only when the field is absent or null", () => {
    const routes = [route({ name: "no-owner", when: { "data.owner_id": { exists: false } } })];
    expect(matchedRoutes(routes, { data: {}, phone })).toEqual(["no-owner"]);
    expect(matchedRoutes(routes, { data: { owner_id: null }, phone })).toEqual(["no-owner"]);
    expect(matchedRoutes(routes, { phone })).toEqual(["no-owner"]);
    expect(matchedRoutes(routes, { data: { owner_id: 7 }, phone })).toEqual([]);
  });

  it("follows nested dotted paths and array indexes", () => {
    const routes = [route({ name: "mobile-first", when: { "data.phones.0.label": "mobile" }, to: "data.phones.0.value" })];
    expect(matchedRoutes(routes, { data: { phones: [{ label: "mobile", value: phone }] } })).toEqual(["mobile-first"]);
    expect(matchedRoutes(routes, { data: { phones: [{ label: "work", value: phone }] } })).toEqual([]);
    expect(matchedRoutes(routes, { data: { phones: [] } })).toEqual([]);
  });

  it("matches every event of its source when it has no `when`", () => {
    const routes = [route({ name: "all" })];
    expect(matchedRoutes(routes, { phone })).toEqual(["all"]);
    expect(matchedRoutes(routes, { anything: "else" })).toEqual(["all"]);
    expect(matchedRoutes(routes, null)).toEqual(["all"]);
  });

  it("ignores routes that belong to another source", () => {
    const routes = [route({ name: "other", source: "other-crm" }), route({ name: "mine" })];
    expect(matchedRoutes(routes, { phone })).toEqual(["mine"]);
  });

  it("counts an event that matches no route as ignored, once however many routes it missed", () => {
    const routes = [
      route({ name: "a", when: { type: "a" } }),
      route({ name: "b", when: { type: "b" } }),
      route({ name: "c", when: { type: "c" } }),
    ];
    const events = [event("e1", { type: "x", phone }), event("e2", { type: "b", phone }), event("e3", { type: "y", phone })];
    const routed = routeEvents(crm, { routes }, events, receivedAt);
    expect(routed.ignored).toBe(2);
    expect(routed.outcomes.map((outcome) => outcome.event.id)).toEqual(["e2"]);
  });

  it("counts every event as ignored when the source has no routes", () => {
    const routed = routeEvents(
      crm,
      { routes: [route({ name: "other", source: "other-crm" })] },
      [event("e1", { phone }), event("e2", { phone })],
      receivedAt,
    );
    expect(routed).toEqual({ outcomes: [], ignored: 2 });
  });

  it("gives one outcome per matching route, each with its own idempotency key", () => {
    const routes = [route({ name: "sales", campaign_id: "campaign-sales" }), route({ name: "support", campaign_id: "campaign-support" })];
    const routed = routeEvents(crm, { routes }, [event("evt-42", { phone })], receivedAt);
    expect(routed.ignored).toBe(0);
    expect(routed.outcomes.map((outcome) => outcome.idempotencyKey)).toEqual(["crm:evt-42:sales", "crm:evt-42:support"]);
    expect(routed.outcomes.map((outcome) => callOf(outcome).idempotency_key)).toEqual(["crm:evt-42:sales", "crm:evt-42:support"]);
    expect(routed.outcomes.map((outcome) => callOf(outcome).campaign_id)).toEqual(["campaign-sales", "campaign-support"]);
  });

  it("gives different events different keys on the same route", () => {
    const routed = routeEvents(crm, { routes: [route({ name: "all" })] }, [event("1", { phone }), event("2", { phone })], receivedAt);
    expect(routed.outcomes.map((outcome) => outcome.idempotencyKey)).toEqual(["crm:1:all", "crm:2:all"]);
  });
});

describe("routeEvents: the call request it produces", () => {
  const salesforceLead = route({
    name: "salesforce-lead",
    source: "salesforce",
    when: { "sObject.type": "Lead" },
    campaign_id: "campaign-uuid-1",
    to: ["sObject.MobilePhone", "sObject.Phone"],
    default_country: "US",
    payload: {
      first_name: "sObject.FirstName",
      last_name: "sObject.LastName",
      language: { value: "en" },
      tags: { value: ["vip", 1] },
    },
    context: { salesforce_id: "sObject.Id", rating: "sObject.Rating", origin: { value: { crm: "salesforce" } } },
    is_testing: true,
    allow_duplicates: true,
  });

  const fields = {
    sObject: { type: "Lead", Id: "00Q5e000001", FirstName: "Ada", LastName: null, Phone: phone },
  };

  it("has exactly the documented shape", () => {
    const source = fakeSource("salesforce", "salesforce-outbound");
    const routed = routeEvents(source, { routes: [salesforceLead] }, [event("04l5e000002", fields)], receivedAt);
    expect(routed.ignored).toBe(0);
    expect(routed.outcomes).toHaveLength(1);
    expect(callOf(routed.outcomes[0])).toStrictEqual({
      version: 1,
      idempotency_key: "salesforce:04l5e000002:salesforce-lead",
      campaign_id: "campaign-uuid-1",
      to: "+14155550142",
      payload: { first_name: "Ada", last_name: null, language: "en", tags: ["vip", 1] },
      context: { salesforce_id: "00Q5e000001", origin: { crm: "salesforce" } },
      is_testing: true,
      allow_duplicates: true,
      source: { kind: "salesforce-outbound", event_id: "04l5e000002", route: "salesforce-lead", received_at: "2026-11-27T10:00:00.123Z" },
      requested_at: "2026-11-27T10:00:00.123Z",
    });
  });

  it("passes the CallRequest v1 contract unchanged", () => {
    const request = callOf(
      routeEvents(crm, { routes: [route({ name: "all", payload: { name: "name" } })] }, [event("e1", { phone, name: "Ada" })], receivedAt)
        .outcomes[0],
    );
    expect(CallRequest.parse(request)).toEqual(request);
  });

  it("omits mapped fields that are missing instead of sending null", () => {
    const request = callOf(
      routeEvents(
        crm,
        { routes: [route({ name: "all", payload: { first_name: "firstname" }, context: { id: "id" } })] },
        [event("e1", { phone })],
        receivedAt,
      ).outcomes[0],
    );
    expect(request.payload).toStrictEqual({});
    expect(request.context).toStrictEqual({});
  });

  it("uses the route defaults: not a test call, no duplicates", () => {
    const request = callOf(routeEvents(crm, { routes: [route({ name: "all" })] }, [event("e1", { phone })], receivedAt).outcomes[0]);
    expect(request.is_testing).toBe(false);
    expect(request.allow_duplicates).toBe(false);
  });

  it("keeps the route and the event on the outcome", () => {
    const all = route({ name: "all" });
    const theEvent = event("e1", { phone });
    const [outcome] = routeEvents(crm, { routes: [all] }, [theEvent], receivedAt).outcomes;
    expect(outcome?.route).toBe(all);
    expect(outcome?.event).toBe(theEvent);
  });
});

describe("routeEvents: events without a usable number", () => {
  const leadRoute = route({
    name: "lead",
    to: ["sObject.MobilePhone", "sObject.Phone"],
    payload: { first_name: "sObject.FirstName" },
    is_testing: true,
  });

  function invalidOf(outcome: RouteOutcome | undefined) {
    if (outcome?.kind !== "invalid_phone") throw new Error(`expected an invalid_phone outcome, got ${outcome?.kind}`);
    return outcome;
  }

  it("yields invalid_phone with the raw number in the draft", () => {
    const [outcome] = routeEvents(
      crm,
      { routes: [leadRoute] },
      [event("e1", { sObject: { Phone: "555-0142", FirstName: "Ada" } })],
      receivedAt,
    ).outcomes;
    const invalid = invalidOf(outcome);
    expect(invalid.idempotencyKey).toBe("crm:e1:lead");
    expect(invalid.draft).toStrictEqual({
      version: 1,
      idempotency_key: "crm:e1:lead",
      campaign_id: "campaign-uuid-1",
      to: "555-0142",
      payload: { first_name: "Ada" },
      context: {},
      is_testing: true,
      allow_duplicates: false,
      source: { kind: "hubspot", event_id: "e1", route: "lead", received_at: "2026-11-27T10:00:00.123Z" },
      requested_at: "2026-11-27T10:00:00.123Z",
    });
  });

  it("says which paths it looked at and how many candidates it rejected, without the digits", () => {
    const [outcome] = routeEvents(
      crm,
      { routes: [leadRoute] },
      [event("e1", { sObject: { MobilePhone: "555-0142", Phone: "867-5309" } })],
      receivedAt,
    ).outcomes;
    const { problem } = invalidOf(outcome);
    expect(problem).toContain("sObject.MobilePhone");
    expect(problem).toContain("sObject.Phone");
    expect(problem).toContain("2 candidates");
    for (const digits of ["555", "0142", "867", "5309"]) expect(problem).not.toContain(digits);
  });

  it("puts the first raw value found in the draft, skipping null paths", () => {
    const [outcome] = routeEvents(
      crm,
      { routes: [leadRoute] },
      [event("e1", { sObject: { MobilePhone: null, Phone: "n/a" } })],
      receivedAt,
    ).outcomes;
    expect(invalidOf(outcome).draft.to).toBe("n/a");
  });

  it("writes a non-string raw value, such as a Pipedrive phone list, as JSON", () => {
    const pipedrive = route({ name: "person", to: "data.phones" });
    const phones = [{ value: "123", primary: true }];
    const [outcome] = routeEvents(crm, { routes: [pipedrive] }, [event("e1", { data: { phones } })], receivedAt).outcomes;
    expect(invalidOf(outcome).draft.to).toBe(JSON.stringify(phones));
  });

  it("uses null as the draft number and says no number was found when every path is absent", () => {
    const [outcome] = routeEvents(crm, { routes: [leadRoute] }, [event("e1", { sObject: { FirstName: "Ada" } })], receivedAt).outcomes;
    const invalid = invalidOf(outcome);
    expect(invalid.draft.to).toBeNull();
    expect(invalid.problem).toBe("no phone number at sObject.MobilePhone, sObject.Phone");
  });

  it("rejects a national number when the route has no default country", () => {
    const noCountry = RouteConfig.parse({ name: "r", source: "crm", campaign_id: "c", to: "phone" });
    const [outcome] = routeEvents(crm, { routes: [noCountry] }, [event("e1", { phone })], receivedAt).outcomes;
    expect(invalidOf(outcome).problem).toBe("no valid phone number at phone (1 candidate rejected)");
  });

  it("leaves a draft that becomes a valid CallRequest once its number is fixed", () => {
    const [outcome] = routeEvents(
      crm,
      { routes: [leadRoute] },
      [event("e1", { sObject: { Phone: "555-0142", FirstName: "Ada" } })],
      receivedAt,
    ).outcomes;
    const fixed = { ...invalidOf(outcome).draft, to: "+14155550142" };
    expect(CallRequest.parse(fixed)).toEqual(fixed);
  });

  it("still routes the other events of the same webhook", () => {
    const routed = routeEvents(
      crm,
      { routes: [leadRoute] },
      [event("bad", { sObject: {} }), event("good", { sObject: { Phone: phone } })],
      receivedAt,
    );
    expect(routed.outcomes.map((outcome) => [outcome.event.id, outcome.kind])).toEqual([
      ["bad", "invalid_phone"],
      ["good", "call"],
    ]);
  });
});
