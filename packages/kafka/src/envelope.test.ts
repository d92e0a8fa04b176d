import { CallRequest } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { decodeJson, encodeJson } from "./envelope.js";
import { decodeHeaders } from "./records.js";

const request = { idempotency_key: "k", campaign_id: "campaign-uuid-1", to: "+14155550123" };

describe("decodeJson", () => {
  it("round-trips a contract value", () => {
    const decoded = decodeJson(encodeJson(request), CallRequest);
    expect(decoded).toEqual({ ok: true, value: CallRequest.parse(request) });
  });

  it("calls an empty value empty, not JSON", () => {
    expect(decodeJson(null, CallRequest)).toMatchObject({ ok: false, reason: "empty" });
    expect(decodeJson(Buffer.alloc(0), CallRequest)).toMatchObject({ ok: false, reason: "empty" });
  });

  it("says a value is not JSON without quoting it (it may hold a phone number)", () => {
    const decoded = decodeJson(Buffer.from("call +14155550123 now"), CallRequest);
    expect(decoded).toEqual({ ok: false, reason: "not_json", detail: "value is not JSON (21 bytes)" });
  });

  it("names the fields that break the contract", () => {
    const decoded = decodeJson(encodeJson({ ...request, to: "3125550199", version: 2 }), CallRequest);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.reason).toBe("invalid");
    expect(decoded.detail).toContain("version:");
    expect(decoded.detail).toContain("to:");
    expect(decoded.detail).not.toContain("3125550199");
  });
});

describe("decodeHeaders", () => {
  it("decodes buffers as UTF-8 and keeps the last of repeated headers", () => {
    expect(decodeHeaders({ a: Buffer.from("é"), b: "plain", c: [Buffer.from("1"), Buffer.from("2")], d: undefined })).toEqual({
      a: "é",
      b: "plain",
      c: "2",
    });
  });
});
