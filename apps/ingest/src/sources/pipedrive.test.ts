import { describe, expect, it } from "vitest";
import { pipedriveSource } from "./pipedrive.js";
import type { InboundWebhook, VerifyResult } from "./source.js";

const USERNAME = "callbridge";
const PASSWORD = "s3cret:with-colon";
const NOW_MS = 1_700_000_000_000;

/** A webhooks v2 "change.person" delivery, shaped like Pipedrive's. */
const personChange = {
  meta: {
    action: "change",
    entity: "person",
    entity_id: 123,
    id: "7e1f3c1a-5b7d-4a4e-9f3e-2c8a0d6b9e11",
    correlation_id: "0b6f1d2e-9a3c-4f5b-8e7d-6c5b4a392817",
    company_id: 987654,
    user_id: 112233,
    timestamp: "2023-11-14T22:13:20.000Z",
    version: "2.0",
    webhook_id: "445566",
    webhook_owner_id: 112233,
    is_bulk_edit: false,
    change_source: "app",
    attempt: 1,
    host: "example.pipedrive.com",
    type: "general",
  },
  data: {
    id: 123,
    name: "Ada Lovelace",
    phones: [
      { value: "(415) 555-0142", primary: true, label: "work" },
      { value: "+44 20 7946 0958", primary: false, label: "mobile" },
    ],
    owner_id: 112233,
  },
  previous: {
    phones: [{ value: "(415) 555-0100", primary: true, label: "work" }],
  },
};

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

function webhook(headers: Record<string, string>, body: string | Buffer): InboundWebhook {
  return {
    method: "POST",
    url: "https://ingest.example.com/webhooks/pipedrive",
    headers: { "content-type": "application/json", ...headers },
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8"),
  };
}

function rejection(result: VerifyResult) {
  return result.ok ? undefined : result.rejection;
}

const source = pipedriveSource({ id: "pipedrive", username: USERNAME, password: PASSWORD });

describe("pipedriveSource", () => {
  it("accepts a person change with the right Basic credentials as one event keyed by meta.id carrying the whole body", () => {
    const result = source.verify(webhook({ authorization: basic(USERNAME, PASSWORD) }, JSON.stringify(personChange)), NOW_MS);
    expect(result).toEqual({ ok: true, events: [{ id: "7e1f3c1a-5b7d-4a4e-9f3e-2c8a0d6b9e11", fields: personChange }] });
  });

  it("accepts the Basic scheme name in any letter case", () => {
    const authorization = basic(USERNAME, PASSWORD).replace("Basic", "basic");
    expect(source.verify(webhook({ authorization }, JSON.stringify(personChange)), NOW_MS).ok).toBe(true);
  });

  it("refuses a wrong password as bad credentials", () => {
    const result = source.verify(webhook({ authorization: basic(USERNAME, "s3cret:with-colom") }, JSON.stringify(personChange)), NOW_MS);
    expect(rejection(result)).toEqual({ status: 401, reason: "bad_credentials" });
  });

  it("refuses a wrong username as bad credentials", () => {
    const result = source.verify(webhook({ authorization: basic("someone-else", PASSWORD) }, JSON.stringify(personChange)), NOW_MS);
    expect(rejection(result)).toEqual({ status: 401, reason: "bad_credentials" });
  });

  it("refuses a request without an Authorization header as missing credentials", () => {
    expect(rejection(source.verify(webhook({}, JSON.stringify(personChange)), NOW_MS))).toEqual({
      status: 401,
      reason: "missing_credentials",
    });
  });

  it("refuses a Bearer token carrying the right credentials", () => {
    const token = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");
    const result = source.verify(webhook({ authorization: `Bearer ${token}` }, JSON.stringify(personChange)), NOW_MS);
    expect(rejection(result)?.status).toBe(401);
  });

  it("refuses with 400 a correctly authenticated body without meta", () => {
    const { meta: _meta, ...withoutMeta } = personChange;
    const result = source.verify(webhook({ authorization: basic(USERNAME, PASSWORD) }, JSON.stringify(withoutMeta)), NOW_MS);
    expect(rejection(result)?.status).toBe(400);
  });

  it("refuses with 400 a correctly authenticated body whose meta has no id", () => {
    const { id: _id, ...metaWithoutId } = personChange.meta;
    const body = JSON.stringify({ ...personChange, meta: metaWithoutId });
    const result = source.verify(webhook({ authorization: basic(USERNAME, PASSWORD) }, body), NOW_MS);
    expect(rejection(result)?.status).toBe(400);
  });

  it("refuses with 400 a correctly authenticated body that is not JSON", () => {
    const result = source.verify(webhook({ authorization: basic(USERNAME, PASSWORD) }, "meta[id]=1&data[name]=Ada"), NOW_MS);
    expect(rejection(result)?.status).toBe(400);
  });
});
