import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { CallRequest, callRequestJsonSchema, callRequestKey } from "./call-request.js";

const minimal = { idempotency_key: "hubspot:evt-1:route-a", campaign_id: "campaign-uuid-1", to: "+14155550123" };

const full = {
  version: 1,
  ...minimal,
  payload: { customer_name: "Ada" },
  context: { deal_id: "42" },
  is_testing: true,
  allow_duplicates: false,
  source: { kind: "hubspot", event_id: "evt-1", route: "route-a", received_at: "2026-11-27T10:00:00.123Z" },
  requested_at: "2026-11-27T10:00:00.200+01:00",
};

describe("CallRequest v1", () => {
  it("fills the documented defaults for a minimal record", () => {
    expect(CallRequest.parse(minimal)).toEqual({
      version: 1,
      ...minimal,
      payload: {},
      context: {},
      is_testing: false,
      allow_duplicates: false,
    });
  });

  it("keeps every field of a full record", () => {
    expect(CallRequest.parse(full)).toEqual(full);
  });

  it("rejects another contract version", () => {
    expect(CallRequest.safeParse({ ...minimal, version: 2 }).success).toBe(false);
  });

  it.each(["idempotency_key", "campaign_id", "to"] as const)("rejects a record without %s", (field) => {
    const { [field]: _dropped, ...rest } = minimal;
    expect(CallRequest.safeParse(rest).success).toBe(false);
  });

  it("rejects a phone number that is not E.164", () => {
    expect(CallRequest.safeParse({ ...minimal, to: "(415) 555-0123" }).success).toBe(false);
  });

  it("ignores fields it does not know, so the contract can grow", () => {
    expect(CallRequest.parse({ ...minimal, priority: "high" })).not.toHaveProperty("priority");
  });

  it("keys records by campaign and number", () => {
    expect(callRequestKey(minimal)).toBe("campaign-uuid-1:+14155550123");
  });
});

describe("CallRequest v1 JSON Schema", () => {
  const committedPath = new URL("../../json-schema/call-request.v1.json", import.meta.url);

  it("is committed as generated from the zod schema (run `pnpm --filter @callbridge/schemas gen:json-schema`)", () => {
    const committed: unknown = JSON.parse(readFileSync(committedPath, "utf8"));
    expect(committed).toEqual(callRequestJsonSchema());
  });

  it("agrees with the zod schema on what a producer may write", () => {
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(JSON.parse(readFileSync(committedPath, "utf8")));
    const samples: unknown[] = [
      minimal,
      full,
      { ...minimal, version: 2 },
      { ...minimal, to: "4155550123" },
      { ...minimal, is_testing: "yes" },
      { ...minimal, source: { kind: "hubspot" } },
      { ...minimal, requested_at: "yesterday" },
      { campaign_id: "c", to: "+14155550123" },
    ];
    for (const sample of samples) {
      expect({ sample, valid: validate(sample) }).toEqual({ sample, valid: CallRequest.safeParse(sample).success });
    }
  });
});
