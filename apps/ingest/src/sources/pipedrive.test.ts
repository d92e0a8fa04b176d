import { describe, expect, it } from "vitest";
import { describePipedriveProblem, type PipedriveProblem, pipedriveSource, readPipedriveEvent } from "./pipedrive.js";
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

/** A webhooks v1 "updated.person" delivery, shaped like Pipedrive's: meta.id is the person's id, a number. */
const personUpdatedV1 = {
  v: 1,
  matches_filters: { current: [] },
  meta: {
    v: 1,
    action: "updated",
    object: "person",
    id: 123,
    company_id: 987654,
    user_id: 112233,
    host: "example.pipedrive.com",
    timestamp: 1700000000,
    timestamp_micro: 1700000000000000,
    permitted_user_ids: [112233],
    trans_pending: false,
    is_bulk_update: false,
    pipedrive_service_name: false,
    change_source: "app",
    webhook_id: "445566",
    webhook_owner_id: 112233,
  },
  current: { id: 123, name: "Ada Lovelace", phone: [{ value: "(415) 555-0142", primary: true, label: "work" }] },
  previous: { id: 123, name: "Ada Lovelace", phone: [{ value: "(415) 555-0100", primary: true, label: "work" }] },
  retry: 0,
  event: "updated.person",
};

describe("readPipedriveEvent", () => {
  it("reads meta.id of a webhooks v2 body", () => {
    expect(readPipedriveEvent(personChange)).toEqual({ ok: true, id: personChange.meta.id });
  });

  const { id: _id, ...metaWithoutId } = personChange.meta;
  it.each<[string, unknown, PipedriveProblem]>([
    ["a webhooks v1 body", personUpdatedV1, { kind: "webhooks_v1" }],
    ["a v1 body marked only by meta.v", { meta: { v: 1, id: 123 }, data: {} }, { kind: "webhooks_v1" }],
    ["a v1 body marked only by the top-level v", { v: 1, meta: { id: 123 } }, { kind: "webhooks_v1" }],
    ["a v1 body marked only by current without data", { meta: { id: 123 }, current: {}, previous: null }, { kind: "webhooks_v1" }],
    ["a v1 body whose meta.id was a string", { ...personUpdatedV1, meta: { ...personUpdatedV1.meta, id: "123" } }, { kind: "webhooks_v1" }],
    [
      "a v2 body whose meta.id is a number",
      { ...personChange, meta: { ...personChange.meta, id: 42 } },
      { kind: "meta_id_not_a_string", got: "number" },
    ],
    [
      "a v2 body whose meta.id is null",
      { ...personChange, meta: { ...personChange.meta, id: null } },
      { kind: "meta_id_not_a_string", got: "null" },
    ],
    [
      "a v2 body whose meta.id is an object",
      { ...personChange, meta: { ...personChange.meta, id: { uuid: "x" } } },
      { kind: "meta_id_not_a_string", got: "object" },
    ],
    ["a v2 body whose meta.id is empty", { ...personChange, meta: { ...personChange.meta, id: "" } }, { kind: "meta_id_empty" }],
    ["a v2 body whose meta has no id", { ...personChange, meta: metaWithoutId }, { kind: "meta_id_missing" }],
    ["a body without meta", { data: personChange.data, previous: null }, { kind: "meta_missing" }],
    ["a body whose meta is a list", { meta: [], data: {} }, { kind: "meta_not_an_object", got: "array" }],
    ["a body whose meta is a string", { meta: "x", data: {} }, { kind: "meta_not_an_object", got: "string" }],
    ["a JSON list", [personChange], { kind: "not_an_object", got: "array" }],
    ["a JSON string", "meta", { kind: "not_an_object", got: "string" }],
    ["JSON null", null, { kind: "not_an_object", got: "null" }],
  ])("refuses %s", (_why, body, problem) => {
    expect(readPipedriveEvent(body)).toEqual({ ok: false, problem });
  });
});

describe("describePipedriveProblem", () => {
  it.each<[PipedriveProblem, string]>([
    [{ kind: "webhooks_v1" }, "Pipedrive webhooks v1 are not supported; set the webhook to version 2.0"],
    [{ kind: "meta_id_not_a_string", got: "number" }, "meta.id must be a string, got number"],
    [{ kind: "meta_id_missing" }, "meta.id is missing"],
    [{ kind: "meta_id_empty" }, "meta.id is empty"],
    [{ kind: "meta_missing" }, "meta is missing: the body is not a Pipedrive webhooks v2 event ({meta, data, previous})"],
    [{ kind: "meta_not_an_object", got: "array" }, "meta must be an object, got array"],
    [{ kind: "not_an_object", got: "null" }, "the body must be a Pipedrive webhooks v2 object ({meta, data, previous}), got null"],
  ])("%j", (problem, message) => {
    expect(describePipedriveProblem(problem)).toBe(message);
  });

  it("answers a webhooks v1 delivery with 400 and the version to set", () => {
    const result = source.verify(webhook({ authorization: basic(USERNAME, PASSWORD) }, JSON.stringify(personUpdatedV1)), NOW_MS);
    expect(rejection(result)).toEqual({ status: 400, reason: "Pipedrive webhooks v1 are not supported; set the webhook to version 2.0" });
  });

  it("checks credentials before the body: a v1 delivery with a wrong password is 401", () => {
    const result = source.verify(webhook({ authorization: basic(USERNAME, "wrong") }, JSON.stringify(personUpdatedV1)), NOW_MS);
    expect(rejection(result)).toEqual({ status: 401, reason: "bad_credentials" });
  });
});
