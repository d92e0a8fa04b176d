// biome-ignore-all lint/suspicious/noTemplateCurlyInString: routes files write ${VAR} references in plain strings
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type LoadRoutesResult, loadRoutesFile, parseRoutes } from "./load.js";

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

/** A small valid file; tests append to or replace parts of it. */
const validSources = `
sources:
  crm:
    kind: hubspot
    client_secret: hubspot-client-secret
`;

function withRoutes(routes: string, sources = validSources): string {
  return `${sources}\nroutes:\n${routes}`;
}

describe("the shipped example routes file", () => {
  it("loads with no environment set", () => {
    const routes = routesOf(loadRoutesFile(EXAMPLE, {}));
    expect(Object.keys(routes.sources).sort()).toEqual(["hubspot", "hubspot-workflows", "pipedrive", "salesforce", "standard"]);
    expect(new Set(Object.values(routes.sources).map((source) => source.kind))).toEqual(
      new Set(["hubspot", "standard-webhooks", "pipedrive", "salesforce-outbound"]),
    );
  });

  it("sends every route to campaign-uuid-1 as a test call, from a source it defines", () => {
    const routes = routesOf(loadRoutesFile(EXAMPLE, {}));
    expect(routes.routes.length).toBeGreaterThanOrEqual(5);
    for (const route of routes.routes) {
      expect(route.campaign_id).toBe("campaign-uuid-1");
      expect(route.is_testing).toBe(true);
      expect(Object.keys(routes.sources)).toContain(route.source);
    }
    expect(new Set(routes.routes.map((route) => route.source))).toEqual(new Set(Object.keys(routes.sources)));
  });

  it("reports every development default it used", () => {
    const result = loadRoutesFile(EXAMPLE, {});
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.references.every((reference) => reference.usedDefault)).toBe(true);
    expect(new Set(result.references.map((reference) => reference.variable))).toEqual(
      new Set([
        "HUBSPOT_CLIENT_SECRET",
        "STANDARD_WEBHOOKS_SECRET",
        "PIPEDRIVE_WEBHOOK_USER",
        "PIPEDRIVE_WEBHOOK_PASSWORD",
        "SALESFORCE_ORG_ID",
      ]),
    );
    expect(result.references).toContainEqual({
      path: "sources.pipedrive.password",
      variable: "PIPEDRIVE_WEBHOOK_PASSWORD",
      usedDefault: true,
    });
  });

  it("takes secrets from the environment in place of the defaults", () => {
    const env = {
      HUBSPOT_CLIENT_SECRET: "prod-hubspot-secret",
      STANDARD_WEBHOOKS_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      PIPEDRIVE_WEBHOOK_PASSWORD: "prod-pipedrive-password",
      SALESFORCE_ORG_ID: "00D5e000000AbCdEAF",
    };
    const result = loadRoutesFile(EXAMPLE, env);
    const routes = routesOf(result);
    expect(routes.sources.hubspot).toMatchObject({ client_secret: "prod-hubspot-secret" });
    expect(routes.sources["hubspot-workflows"]).toMatchObject({ client_secret: "prod-hubspot-secret" });
    expect(routes.sources.standard).toEqual({ kind: "standard-webhooks", secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] });
    expect(routes.sources.pipedrive).toEqual({ kind: "pipedrive", username: "callbridge", password: "prod-pipedrive-password" });
    expect(routes.sources.salesforce).toEqual({ kind: "salesforce-outbound", organization_ids: ["00D5e000000AbCdEAF"] });
    if (!result.ok) return;
    const defaulted = result.references.filter((reference) => reference.usedDefault).map((reference) => reference.variable);
    expect(defaulted).toEqual(["PIPEDRIVE_WEBHOOK_USER"]);
  });
});

describe("parseRoutes", () => {
  it("fills route defaults and turns a single `to` path into a list", () => {
    const routes = routesOf(parseRoutes(withRoutes("  - {name: all, source: crm, campaign_id: c1, to: phone}"), FILE, {}));
    expect(routes.sources.crm).toEqual({ kind: "hubspot", client_secret: "hubspot-client-secret", signature_versions: ["v3", "v2", "v1"] });
    expect(routes.routes).toEqual([
      {
        name: "all",
        source: "crm",
        campaign_id: "c1",
        to: ["phone"],
        when: {},
        payload: {},
        context: {},
        is_testing: false,
        allow_duplicates: false,
      },
    ]);
  });

  it("accepts a file with sources and no routes", () => {
    expect(routesOf(parseRoutes(validSources, FILE, {})).routes).toEqual([]);
  });

  it("reads `secret:` of a Standard Webhooks source as a one-element `secrets` list, with or without whsec_", () => {
    const text = `
sources:
  prefixed: {kind: standard-webhooks, secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
  bare: {kind: standard-webhooks, secret: MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
`;
    expect(routesOf(parseRoutes(text, FILE, {})).sources).toEqual({
      prefixed: { kind: "standard-webhooks", secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] },
      bare: { kind: "standard-webhooks", secrets: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] },
    });
  });

  it("does not silently drop rotation secrets when both `secret` and `secrets` are given", () => {
    const text = `
sources:
  std:
    kind: standard-webhooks
    secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
    secrets: [whsec_ZGV2LXN0YW5kYXJkLXdlYmhvb2tzLXNlY3JldA==]
`;
    const result = parseRoutes(text, FILE, {});
    // Either refuse the ambiguous source, or keep both secrets; never verify with only one of them.
    if (result.ok) {
      expect(result.routes.sources.std).toMatchObject({
        secrets: expect.arrayContaining(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_ZGV2LXN0YW5kYXJkLXdlYmhvb2tzLXNlY3JldA=="]),
      });
    } else {
      expect(result.problems.join("\n")).toContain("sources.std");
    }
  });
});

describe("parseRoutes problems name the file, the place in it and the reason", () => {
  it.each([
    [
      "a route whose source is not defined",
      withRoutes("  - {name: r, source: zendesk, campaign_id: c, to: phone}"),
      "routes[0].source",
      'no source "zendesk" in sources',
    ],
    [
      "a route name used twice",
      withRoutes("  - {name: r, source: crm, campaign_id: c, to: phone}\n  - {name: r, source: crm, campaign_id: d, to: phone}"),
      "routes[1].name",
      'route name "r" is used twice',
    ],
    [
      "a default country libphonenumber does not know",
      withRoutes("  - {name: r, source: crm, campaign_id: c, to: phone, default_country: XX}"),
      "routes[0].default_country",
      "must be a country code",
    ],
    [
      "a lower-case default country",
      withRoutes("  - {name: r, source: crm, campaign_id: c, to: phone, default_country: us}"),
      "routes[0].default_country",
      "must be a country code",
    ],
    [
      "a Standard Webhooks secret that is not base64",
      "sources:\n  std:\n    kind: standard-webhooks\n    secret: whsec_not*base64!\n",
      "sources.std.secrets[0]",
      "must be a Standard Webhooks secret",
    ],
    [
      "a Salesforce org id of the wrong form",
      "sources:\n  sf:\n    kind: salesforce-outbound\n    organization_ids: [00X000000000001EAA]\n",
      "sources.sf.organization_ids[0]",
      "must be a Salesforce org id",
    ],
    [
      "a Salesforce org id of the wrong length",
      "sources:\n  sf:\n    kind: salesforce-outbound\n    organization_ids: [00D0000000001]\n",
      "sources.sf.organization_ids[0]",
      "15 or 18 characters",
    ],
    [
      "a HubSpot client secret that is too short",
      "sources:\n  crm:\n    kind: hubspot\n    client_secret: short\n",
      "sources.crm.client_secret",
      "too short to be a secret",
    ],
    [
      "a Pipedrive password that is too short",
      "sources:\n  pd:\n    kind: pipedrive\n    username: callbridge\n    password: pass123\n",
      "sources.pd.password",
      "too short to be a secret",
    ],
    [
      "an unknown key on a route",
      withRoutes("  - {name: r, source: crm, campaign_id: c, to: phone, campaign: c}"),
      "routes[0]",
      'Unrecognized key: "campaign"',
    ],
    [
      "an unknown key on a source",
      "sources:\n  crm:\n    kind: hubspot\n    client_secret: hubspot-client-secret\n    app_id: 42\n",
      "sources.crm",
      'Unrecognized key: "app_id"',
    ],
    ["an unknown top-level key", `${validSources}\nroute: []\n`, "(top level)", 'Unrecognized key: "route"'],
    ["a source of an unknown kind", "sources:\n  z:\n    kind: zendesk\n", "sources.z.kind", "hubspot"],
    [
      "a `to` that is not a field path",
      withRoutes("  - {name: r, source: crm, campaign_id: c, to: 'data phone'}"),
      "routes[0].to",
      "must be a dotted field path",
    ],
    ["a route without a campaign", withRoutes("  - {name: r, source: crm, to: phone}"), "routes[0].campaign_id", "expected string"],
  ])("%s", (_why, text, where, reason) => {
    const problems = problemsOf(parseRoutes(text, FILE, {}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${FILE}: ${where}: `);
    expect(problems[0]).toContain(reason);
  });

  it("explains why a source id is refused", () => {
    const problems = problemsOf(
      parseRoutes("sources:\n  Big CRM:\n    kind: hubspot\n    client_secret: hubspot-client-secret\n", FILE, {}),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${FILE}: sources.Big CRM: `);
    expect(problems[0]).toContain("lower-case letters");
  });

  it("explains why a `when` field path is refused", () => {
    const problems = problemsOf(
      parseRoutes(withRoutes("  - {name: r, source: crm, campaign_id: c, to: phone, when: {'a b': 1}}"), FILE, {}),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${FILE}: routes[0].when.a b: `);
    expect(problems[0]).toContain("must be a dotted field path");
  });

  it("names an unset variable without a default, and where it is used", () => {
    const text = "sources:\n  pd:\n    kind: pipedrive\n    username: callbridge\n    password: ${PIPEDRIVE_PASSWORD}\n";
    expect(problemsOf(parseRoutes(text, FILE, {}))).toEqual([
      `${FILE}: sources.pd.password: environment variable PIPEDRIVE_PASSWORD is not set (and the file gives no default)`,
    ]);
    expect(routesOf(parseRoutes(text, FILE, { PIPEDRIVE_PASSWORD: "pipedrive-password" })).sources.pd).toMatchObject({
      password: "pipedrive-password",
    });
  });

  it("checks a secret from the environment like one written in the file", () => {
    const text = "sources:\n  crm:\n    kind: hubspot\n    client_secret: ${HUBSPOT_SECRET:-long-enough-default}\n";
    expect(problemsOf(parseRoutes(text, FILE, { HUBSPOT_SECRET: "short" }))).toEqual([
      `${FILE}: sources.crm.client_secret: is too short to be a secret (at least 8 characters)`,
    ]);
  });

  it("reports a YAML syntax error with the file and the line", () => {
    const problems = problemsOf(parseRoutes("sources:\n  crm:\n    kind: hubspot\n   client_secret: x\n", FILE, {}));
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems[0]).toMatch(new RegExp(`^${FILE}: YAML .*line 4`));
  });

  it("refuses an empty file as having no sources", () => {
    const problems = problemsOf(parseRoutes("", FILE, {}));
    expect(problems).toEqual([`${FILE}: (top level): Invalid input: expected object, received null`]);
  });

  it("reports every schema problem at once", () => {
    const text = `
sources:
  crm:
    kind: hubspot
    client_secret: short
  sf:
    kind: salesforce-outbound
    organization_ids: [00X123]
routes:
  - {name: a, source: nope, campaign_id: c, to: phone, default_country: XX}
  - {name: a, source: crm, campaign_id: c, to: phone, colour: red}
`;
    const problems = problemsOf(parseRoutes(text, FILE, {}));
    expect(problems).toHaveLength(6);
    for (const where of [
      "sources.crm.client_secret",
      "sources.sf.organization_ids[0]",
      "routes[0].default_country",
      "routes[0].source",
      "routes[1]",
      "routes[1].name",
    ]) {
      expect(problems).toContainEqual(expect.stringContaining(`${FILE}: ${where}: `));
    }
  });

  it("reports an unset variable together with the file's other problems", () => {
    const text = `
sources:
  pd:
    kind: pipedrive
    username: callbridge
    password: \${PIPEDRIVE_PASSWORD}
routes:
  - {name: r, source: nope, campaign_id: c, to: phone}
`;
    const problems = problemsOf(parseRoutes(text, FILE, {}));
    expect(problems).toContainEqual(expect.stringContaining(`${FILE}: sources.pd.password: environment variable PIPEDRIVE_PASSWORD`));
    expect(problems).toContainEqual(`${FILE}: routes[0].source: no source "nope" in sources`);
  });
});

describe("loadRoutesFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "callbridge-routes-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads and validates a file from disk", () => {
    const path = join(dir, "routes.yaml");
    writeFileSync(path, withRoutes("  - {name: all, source: crm, campaign_id: c1, to: phone}"));
    expect(routesOf(loadRoutesFile(path, {})).routes.map((route) => route.name)).toEqual(["all"]);
  });

  it("names the file in its problems", () => {
    const path = join(dir, "bad-routes.yaml");
    writeFileSync(path, withRoutes("  - {name: all, source: nope, campaign_id: c1, to: phone}"));
    expect(problemsOf(loadRoutesFile(path, {}))).toEqual([`${path}: routes[0].source: no source "nope" in sources`]);
  });

  it("names a missing file and why it cannot be read", () => {
    const path = join(dir, "no-such-routes.yaml");
    expect(problemsOf(loadRoutesFile(path, {}))).toEqual([`${path}: cannot read the routes file (ENOENT)`]);
  });

  it("says a directory is not a routes file", () => {
    expect(problemsOf(loadRoutesFile(dir, {}))).toEqual([`${dir}: cannot read the routes file (EISDIR)`]);
  });
});
