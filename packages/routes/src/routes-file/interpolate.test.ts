// biome-ignore-all lint/suspicious/noTemplateCurlyInString: routes files write ${VAR} references in plain strings
import { describe, expect, it } from "vitest";
import { interpolateEnv } from "./interpolate.js";

describe("interpolateEnv", () => {
  it("replaces a variable that is set and records the reference", () => {
    expect(interpolateEnv({ secret: "${SECRET}" }, { SECRET: "s3cr3t-value" })).toMatchObject({
      ok: true,
      value: { secret: "s3cr3t-value" },
      references: [{ path: "secret", variable: "SECRET", usedDefault: false }],
    });
  });

  it("prefers the environment over the file's default", () => {
    const result = interpolateEnv({ secret: "${SECRET:-dev-default}" }, { SECRET: "from-env" });
    expect(result).toMatchObject({
      ok: true,
      value: { secret: "from-env" },
      references: [{ path: "secret", variable: "SECRET", usedDefault: false }],
    });
  });

  it("uses the file's default when the variable is unset, and says so", () => {
    expect(interpolateEnv({ secret: "${SECRET:-dev-default}" }, {})).toMatchObject({
      ok: true,
      value: { secret: "dev-default" },
      references: [{ path: "secret", variable: "SECRET", usedDefault: true }],
    });
  });

  it("treats an empty variable as unset", () => {
    expect(interpolateEnv({ secret: "${SECRET:-dev-default}" }, { SECRET: "" })).toMatchObject({
      ok: true,
      value: { secret: "dev-default" },
      references: [{ path: "secret", variable: "SECRET", usedDefault: true }],
    });
    const noDefault = interpolateEnv({ secret: "${SECRET}" }, { SECRET: "" });
    expect(noDefault.ok).toBe(false);
  });

  it("accepts an empty default", () => {
    expect(interpolateEnv({ suffix: "a${SUFFIX:-}b" }, {})).toMatchObject({ ok: true, value: { suffix: "ab" } });
  });

  it("replaces several references in one string", () => {
    const result = interpolateEnv({ url: "https://${HOST}:${PORT:-8443}/${PATH_PART}" }, { HOST: "crm.example", PATH_PART: "hooks" });
    expect(result).toMatchObject({
      ok: true,
      value: { url: "https://crm.example:8443/hooks" },
      references: [
        { path: "url", variable: "HOST", usedDefault: false },
        { path: "url", variable: "PORT", usedDefault: true },
        { path: "url", variable: "PATH_PART", usedDefault: false },
      ],
    });
  });

  it("walks nested objects and arrays, naming each reference by its path", () => {
    const document = {
      sources: {
        salesforce: { kind: "salesforce-outbound", organization_ids: ["${ORG_A}", "${ORG_B:-00D000000000002EAA}"] },
        pipedrive: { password: "${PD_PASSWORD}" },
      },
    };
    const result = interpolateEnv(document, { ORG_A: "00D000000000001EAA", PD_PASSWORD: "pd-password" });
    expect(result).toMatchObject({
      ok: true,
      value: {
        sources: {
          salesforce: { kind: "salesforce-outbound", organization_ids: ["00D000000000001EAA", "00D000000000002EAA"] },
          pipedrive: { password: "pd-password" },
        },
      },
      references: [
        { path: "sources.salesforce.organization_ids[0]", variable: "ORG_A", usedDefault: false },
        { path: "sources.salesforce.organization_ids[1]", variable: "ORG_B", usedDefault: true },
        { path: "sources.pipedrive.password", variable: "PD_PASSWORD", usedDefault: false },
      ],
    });
  });

  it("leaves numbers, booleans, null and plain strings alone", () => {
    const document = { n: 1, b: true, nothing: null, text: "no references here", dollars: "$5 and $HOME" };
    expect(interpolateEnv(document, { HOME: "/root" })).toMatchObject({ ok: true, value: document, references: [] });
  });

  it("does not read keys as references", () => {
    expect(interpolateEnv({ "${KEY}": "v" }, { KEY: "k" })).toMatchObject({ ok: true, value: { "${KEY}": "v" }, references: [] });
  });

  it("inserts a value literally, even when it contains $ patterns or references", () => {
    const env = { SECRET: "pa$$word$&$1", OUTER: "${INNER}" };
    expect(interpolateEnv({ a: "${SECRET}", b: "${OUTER}" }, { ...env, INNER: "expanded" })).toMatchObject({
      ok: true,
      value: { a: "pa$$word$&$1", b: "${INNER}" },
    });
  });

  it("names the path and the variable of every unset variable without a default", () => {
    const document = {
      sources: { hubspot: { client_secret: "${HUBSPOT_SECRET}" }, pd: { password: "${PD_PASSWORD}" } },
      list: ["${THIRD}"],
    };
    expect(interpolateEnv(document, {})).toMatchObject({
      ok: false,
      problems: [
        "sources.hubspot.client_secret: environment variable HUBSPOT_SECRET is not set (and the file gives no default)",
        "sources.pd.password: environment variable PD_PASSWORD is not set (and the file gives no default)",
        "list[0]: environment variable THIRD is not set (and the file gives no default)",
      ],
    });
  });

  it("still returns the rest of the document, and the paths left empty", () => {
    const result = interpolateEnv({ a: "${UNSET}", b: "${SET}" }, { SET: "here" });
    expect(result.value).toEqual({ a: "", b: "here" });
    expect([...result.missingPaths]).toEqual(["a"]);
  });

  it("reads a top-level array with bracketed indexes", () => {
    expect(interpolateEnv(["${A}"], {})).toMatchObject({
      ok: false,
      problems: ["[0]: environment variable A is not set (and the file gives no default)"],
    });
  });
});
