import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { routeEvents } from "../routing/route-events.js";
import { type LoadRoutesResult, parseRoutes } from "./load.js";

const EXAMPLE = fileURLToPath(new URL("../../../../config/routes.example.yaml", import.meta.url));
const FILE = "/etc/callbridge/routes.yaml";

function problemsOf(result: LoadRoutesResult): string[] {
  if (result.ok) throw new Error("expected the routes file to be refused");
  return result.problems;
}

function routesOf(result: LoadRoutesResult) {
  if (!result.ok) throw new Error(`expected the routes file to load:\n${result.problems.join("\n")}`);
  return result.routes;
}

/**
 * The example file with its switched-off blocks switched on, as its header tells a reader to:
 * between the begin and end markers, the first "# " of each line goes ("##" lines stay comments).
 */
function withExamplesOn(text: string): string {
  let inside = false;
  return text
    .split("\n")
    .map((line) => {
      if (/^\s*## --- begin example/.test(line)) inside = true;
      else if (/^\s*## --- end example/.test(line)) inside = false;
      else if (inside && !/^\s*##/.test(line)) return line.replace(/^(\s*)# ?/, "$1");
      return line;
    })
    .join("\n");
}

const sources = `
sources:
  crm:
    kind: hubspot
    client_secret: hubspot-client-secret
`;

describe("the example file's opt-out and consent blocks", () => {
  const text = readFileSync(EXAMPLE, "utf8");

  it("are switched off as shipped, so the example runs without Redis and asks no consent", () => {
    const routes = routesOf(parseRoutes(text, EXAMPLE, {}));
    expect(routes.opt_outs).toEqual([]);
    expect(routes.routes.every((route) => route.consent === undefined)).toBe(true);
  });

  it("load once switched on: two opt-outs, their source, and a route that asks for consent", () => {
    const routes = routesOf(parseRoutes(withExamplesOn(text), EXAMPLE, {}));
    expect(routes.opt_outs.map((optOut) => [optOut.name, optOut.source])).toEqual([
      ["hubspot-do-not-call", "hubspot-opt-outs"],
      ["pipedrive-do-not-call", "pipedrive"],
    ]);
    expect(routes.sources["hubspot-opt-outs"]).toMatchObject({ kind: "hubspot" });
    expect(routes.routes.find((route) => route.name === "salesforce-lead")?.consent).toBe("sObject.Call_Consent__c");
  });

  it("switched on, suppress the number of a HubSpot workflow body and of a Pipedrive person update", () => {
    const routes = routesOf(parseRoutes(withExamplesOn(text), EXAMPLE, {}));
    const at = new Date("2026-11-27T10:00:00Z");
    const workflow = { id: "901", properties: { phone: "(415) 555-0142", mobilephone: null, do_not_call: "true" } };
    const [hubspot] = routeEvents({ id: "hubspot-opt-outs", kind: "hubspot" }, routes, [{ id: "w1", fields: workflow }], at).outcomes;
    expect(hubspot).toMatchObject({ kind: "opt_out", to: "+14155550142", route: { name: "hubspot-do-not-call" } });

    const person = {
      meta: { entity: "person", action: "change", id: "evt-1" },
      data: {
        id: 7,
        phones: [{ value: "+44 20 7946 0958", primary: true }],
        custom_fields: { "0123456789abcdef0123456789abcdef01234567": { type: "enum", id: 42 } },
      },
    };
    const [pipedrive] = routeEvents({ id: "pipedrive", kind: "pipedrive" }, routes, [{ id: "evt-1", fields: person }], at).outcomes;
    expect(pipedrive).toMatchObject({ kind: "opt_out", to: "+442079460958", route: { name: "pipedrive-do-not-call" } });
  });
});

describe("parseRoutes: opt_outs", () => {
  it("is an empty list when absent", () => {
    expect(routesOf(parseRoutes(sources, FILE, {})).opt_outs).toEqual([]);
  });

  it("fills an opt-out's defaults and turns a single `to` path into a list", () => {
    const routes = routesOf(parseRoutes(`${sources}opt_outs:\n  - {name: stop, source: crm, to: phone}\n`, FILE, {}));
    expect(routes.opt_outs).toEqual([{ name: "stop", source: "crm", when: {}, to: ["phone"] }]);
  });

  it("keeps a route's consent path, and leaves it out when the route has none", () => {
    const text = `${sources}routes:\n  - {name: a, source: crm, campaign_id: c, to: phone, consent: properties.call_consent}\n  - {name: b, source: crm, campaign_id: c, to: phone}\n`;
    const routes = routesOf(parseRoutes(text, FILE, {}));
    expect(routes.routes[0]?.consent).toBe("properties.call_consent");
    expect(routes.routes[1]).not.toHaveProperty("consent");
  });
});

describe("parseRoutes: opt-out and consent problems name the file, the place in it and the reason", () => {
  const optOuts = (entries: string) => `${sources}opt_outs:\n${entries}`;
  it.each([
    [
      "an opt-out whose source is not defined",
      optOuts("  - {name: stop, source: zendesk, to: phone}"),
      "opt_outs[0].source",
      'no source "zendesk" in sources',
    ],
    [
      "an opt-out named like a route",
      `${sources}routes:\n  - {name: stop, source: crm, campaign_id: c, to: phone}\nopt_outs:\n  - {name: stop, source: crm, to: phone}\n`,
      "opt_outs[0].name",
      'opt-out name "stop" is used twice (first at routes[0])',
    ],
    [
      "two opt-outs with one name",
      optOuts("  - {name: stop, source: crm, to: phone}\n  - {name: stop, source: crm, to: mobile}"),
      "opt_outs[1].name",
      'opt-out name "stop" is used twice (first at opt_outs[0])',
    ],
    [
      "an opt-out name that is not an id",
      optOuts("  - {name: Stop Calling, source: crm, to: phone}"),
      "opt_outs[0].name",
      "lower-case letters",
    ],
    ["an opt-out without `to`", optOuts("  - {name: stop, source: crm}"), "opt_outs[0].to", "Invalid input"],
    [
      "an opt-out `to` that is not a field path",
      optOuts("  - {name: stop, source: crm, to: 'data phone'}"),
      "opt_outs[0].to",
      "must be a dotted field path",
    ],
    [
      "an opt-out default country libphonenumber does not know",
      optOuts("  - {name: stop, source: crm, to: phone, default_country: XX}"),
      "opt_outs[0].default_country",
      "must be a country code",
    ],
    [
      "a campaign on an opt-out (it calls no one)",
      optOuts("  - {name: stop, source: crm, to: phone, campaign_id: c}"),
      "opt_outs[0]",
      'Unrecognized key: "campaign_id"',
    ],
    [
      "consent on an opt-out",
      optOuts("  - {name: stop, source: crm, to: phone, consent: ok}"),
      "opt_outs[0]",
      'Unrecognized key: "consent"',
    ],
    ["an opt-out list that is not a list", `${sources}opt_outs: {name: stop}\n`, "opt_outs", "expected array"],
    [
      "a route consent that is not a field path",
      `${sources}routes:\n  - {name: r, source: crm, campaign_id: c, to: phone, consent: 'call consent'}\n`,
      "routes[0].consent",
      "must be a dotted field path",
    ],
  ])("%s", (_why, text, where, reason) => {
    const problems = problemsOf(parseRoutes(text, FILE, {}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${FILE}: ${where}: `);
    expect(problems[0]).toContain(reason);
  });

  it("explains why an opt-out `when` field path is refused", () => {
    const problems = problemsOf(parseRoutes(`${sources}opt_outs:\n  - {name: stop, source: crm, to: phone, when: {'a b': 1}}\n`, FILE, {}));
    expect(problems).toEqual([expect.stringContaining(`${FILE}: opt_outs[0].when.a b: must be a dotted field path`)]);
  });

  it("reports the problems of routes and opt-outs together", () => {
    const text = `${sources}routes:\n  - {name: a, source: nope, campaign_id: c, to: phone}\nopt_outs:\n  - {name: a, source: nope, to: phone}\n`;
    const problems = problemsOf(parseRoutes(text, FILE, {}));
    expect(problems).toEqual([
      `${FILE}: routes[0].source: no source "nope" in sources`,
      `${FILE}: opt_outs[0].source: no source "nope" in sources`,
      `${FILE}: opt_outs[0].name: opt-out name "a" is used twice (first at routes[0])`,
    ]);
  });
});
