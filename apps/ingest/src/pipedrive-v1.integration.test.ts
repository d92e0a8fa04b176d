import { DEV_SECRETS, pipedrivePersonWebhook, sendWebhook } from "@callbridge/webhook-samples";
import { describe, expect, inject, it } from "vitest";
import { ingestPerTest } from "./test-support/ingest-per-test.js";
import { readTopic } from "./test-support/topic-reader.js";

// Pipedrive bodies the ingest cannot use get a 400 that says what is wrong, over HTTP.

const brokers = inject("kafkaBrokers");
const start = ingestPerTest(brokers);

const AUTH = { sourceId: "pipedrive", username: DEV_SECRETS.pipedriveUser, password: DEV_SECRETS.pipedrivePassword };

/** A webhooks v1 "added.person" delivery as Pipedrive sends it: meta.id is the person's id, a number. */
const addedPersonV1 = {
  v: 1,
  matches_filters: { current: [] },
  meta: {
    v: 1,
    action: "added",
    object: "person",
    id: 77,
    company_id: 11001,
    user_id: 22002,
    host: "example.pipedrive.com",
    timestamp: 1795000000,
    timestamp_micro: 1795000000000000,
    permitted_user_ids: [22002],
    trans_pending: false,
    is_bulk_update: false,
    pipedrive_service_name: false,
    change_source: "app",
    webhook_id: "301",
    webhook_owner_id: 22002,
  },
  current: { id: 77, name: "Alan", phone: [{ value: "212-555-0199", primary: true, label: "work" }] },
  previous: null,
  retry: 0,
  event: "added.person",
};

function v2Body() {
  const sample = pipedrivePersonWebhook(AUTH, {
    eventId: "e-1",
    personId: 77,
    name: "Alan",
    phones: [{ value: "212-555-0199", primary: true }],
  });
  return { sample, body: JSON.parse(sample.body) as { meta: Record<string, unknown> } };
}

describe("Pipedrive bodies that are not usable webhooks v2 events", () => {
  it.each([
    ["a webhooks v1 delivery", () => addedPersonV1, "Pipedrive webhooks v1 are not supported; set the webhook to version 2.0"],
    [
      "a v2 body whose meta.id is a number",
      () => ({ ...v2Body().body, meta: { ...v2Body().body.meta, id: 12345 } }),
      "meta.id must be a string, got number",
    ],
    [
      "a v2 body whose meta.id is null",
      () => ({ ...v2Body().body, meta: { ...v2Body().body.meta, id: null } }),
      "meta.id must be a string, got null",
    ],
    ["a v2 body without meta.id", () => ({ ...v2Body().body, meta: { ...v2Body().body.meta, id: undefined } }), "meta.id is missing"],
    ["a v2 body with an empty meta.id", () => ({ ...v2Body().body, meta: { ...v2Body().body.meta, id: "" } }), "meta.id is empty"],
    ["a JSON list", () => [v2Body().body], "the body must be a Pipedrive webhooks v2 object ({meta, data, previous}), got array"],
  ])("%s -> 400 saying so, nothing written", async (_why, bodyOf, message) => {
    const running = await start();
    const { sample } = v2Body();
    const res = await sendWebhook(running.url, { ...sample, body: JSON.stringify(bodyOf()) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: message });
    expect(await readTopic(brokers, running.topics.callRequests)).toHaveLength(0);
    expect(await readTopic(brokers, running.topics.deadLetters)).toHaveLength(0);
  });

  it("a v1 delivery with wrong credentials is still 401 (credentials are checked first)", async () => {
    const running = await start();
    const sample = pipedrivePersonWebhook({ ...AUTH, password: "guessed" }, { eventId: "e", personId: 1, name: "x", phones: [] });
    const res = await sendWebhook(running.url, { ...sample, body: JSON.stringify(addedPersonV1) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized" });
  });

  it("a well-formed v2 delivery is still accepted", async () => {
    const running = await start();
    const res = await sendWebhook(running.url, v2Body().sample);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    expect(await readTopic(brokers, running.topics.callRequests)).toHaveLength(1);
  });
});
