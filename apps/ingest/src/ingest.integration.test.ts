import { Writable } from "node:stream";
import type { ConsumedRecord } from "@callbridge/kafka";
import { CallRequest, DLQ_HEADERS } from "@callbridge/schemas";
import {
  DEV_SECRETS,
  hubspotPhoneChangeEvent,
  hubspotWebhook,
  pipedrivePersonWebhook,
  type SignedWebhook,
  salesforceOutboundMessage,
  sendWebhook,
  standardWebhook,
} from "@callbridge/webhook-samples";
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it } from "vitest";
import { ingestPerTest } from "./test-support/ingest-per-test.js";
import type { TestIngest } from "./test-support/start-ingest.js";
import { readTopic } from "./test-support/topic-reader.js";

// Webhooks over HTTP into a real ingest, records read back from the real broker.

const brokers = inject("kafkaBrokers");
const start = ingestPerTest(brokers);

const hubspot = (t: TestIngest, body: unknown, nowMs?: number): SignedWebhook =>
  hubspotWebhook({ sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: t.url, ...(nowMs ? { nowMs } : {}) }, body);

const standard = (id: string, payload: unknown) =>
  standardWebhook({ sourceId: "standard", secret: DEV_SECRETS.standardWebhooksSecret, id, payload });

function json(record: ConsumedRecord): Record<string, unknown> {
  return JSON.parse(String(record.value)) as Record<string, unknown>;
}

describe("webhook in -> exactly the expected records in Kafka", () => {
  it("HubSpot app webhook: routed, ignored and unusable events each end where they should", async () => {
    const t = await start();
    const events = [
      hubspotPhoneChangeEvent({ eventId: 1, objectId: 501, phone: "(415) 555-0142" }),
      hubspotPhoneChangeEvent({ eventId: 2, objectId: 502, phone: "12" }),
      { ...hubspotPhoneChangeEvent({ eventId: 3, objectId: 503, phone: "x" }), subscriptionType: "contact.creation" },
    ];
    const res = await sendWebhook(t.url, hubspot(t, events));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ events: 3, accepted: 1, ignored: 1, duplicate: 0, invalid: 1, opt_outs: 0 });

    const requests = await readTopic(brokers, t.topics.callRequests);
    expect(requests).toHaveLength(1);
    const [record] = requests as [ConsumedRecord];
    expect(String(record.key)).toBe("campaign-uuid-1:+14155550142");
    expect(record.headers).toEqual({
      "content-type": "application/json",
      "callbridge.schema": "callbridge.call-request.v1",
      "callbridge.source.kind": "hubspot",
      "callbridge.source.id": "hubspot",
      "callbridge.route": "hubspot-phone-change",
    });
    const body = json(record);
    const eventId = "62515:4001:1:501:1795000000000";
    expect(body).toEqual({
      version: 1,
      idempotency_key: `hubspot:${eventId}:hubspot-phone-change`,
      campaign_id: "campaign-uuid-1",
      to: "+14155550142",
      payload: {},
      context: { hubspot_portal_id: 62515, hubspot_object_id: 501 },
      is_testing: true,
      allow_duplicates: false,
      source: { kind: "hubspot", event_id: eventId, route: "hubspot-phone-change", received_at: expect.any(String) },
      requested_at: expect.any(String),
    });
    expect(CallRequest.safeParse(body).success).toBe(true);

    const letters = await readTopic(brokers, t.topics.deadLetters);
    expect(letters).toHaveLength(1);
    const [letter] = letters as [ConsumedRecord];
    expect(letter.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "invalid_phone",
      [DLQ_HEADERS.errorMessage]: "no valid phone number at propertyValue (1 candidate rejected)",
      [DLQ_HEADERS.campaignId]: "campaign-uuid-1",
      [DLQ_HEADERS.route]: "hubspot-phone-change",
      [DLQ_HEADERS.sourceKind]: "hubspot",
      [DLQ_HEADERS.replayCount]: "0",
    });
    expect(json(letter)).toMatchObject({ to: "12", campaign_id: "campaign-uuid-1", original_event: { eventId: 2, objectId: 502 } });
  });

  it("HubSpot workflow webhook: mobile phone preferred over phone", async () => {
    const t = await start();
    const res = await sendWebhook(
      t.url,
      hubspotWebhook(
        { sourceId: "hubspot-workflows", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: t.url },
        { id: "901", properties: { firstname: "Ada", phone: "+1 212 555 0199", mobilephone: "(415) 555-0100" } },
      ),
    );
    expect(await res.json()).toEqual({ events: 1, accepted: 1, ignored: 0, duplicate: 0, invalid: 0, opt_outs: 0 });
    const [record] = (await readTopic(brokers, t.topics.callRequests)) as [ConsumedRecord];
    expect(json(record)).toMatchObject({ to: "+14155550100", payload: { first_name: "Ada" }, context: { hubspot_object_id: "901" } });
  });

  it("Standard Webhooks: the webhook-id is the event id", async () => {
    const t = await start();
    const res = await sendWebhook(
      t.url,
      standard("msg_1", { type: "call.requested", data: { id: "lead-7", name: "Grace", phone: "+44 20 7946 0958" } }),
    );
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const [record] = (await readTopic(brokers, t.topics.callRequests)) as [ConsumedRecord];
    expect(String(record.key)).toBe("campaign-uuid-1:+442079460958");
    expect(json(record)).toMatchObject({
      idempotency_key: "standard:msg_1:standard-call-requested",
      payload: { customer_name: "Grace" },
      context: { external_id: "lead-7" },
    });
  });

  it("Pipedrive v2 person: the primary phone is called", async () => {
    const t = await start();
    const res = await sendWebhook(
      t.url,
      pipedrivePersonWebhook(
        { sourceId: "pipedrive", username: DEV_SECRETS.pipedriveUser, password: DEV_SECRETS.pipedrivePassword },
        {
          eventId: "8f1e2d3c-0000-4000-8000-000000000001",
          personId: 77,
          name: "Alan",
          phones: [
            { value: "(415) 555-0100", primary: false },
            { value: "212-555-0199", primary: true },
          ],
        },
      ),
    );
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const [record] = (await readTopic(brokers, t.topics.callRequests)) as [ConsumedRecord];
    expect(json(record)).toMatchObject({ to: "+12125550199", payload: { name: "Alan" }, context: { pipedrive_person_id: "77" } });
  });

  it("Salesforce: two notifications, two records, and the SOAP acknowledgement", async () => {
    const t = await start();
    const res = await sendWebhook(
      t.url,
      salesforceOutboundMessage("salesforce", DEV_SECRETS.salesforceOrgId, [
        {
          id: "04l000000000001AAA",
          objectType: "Lead",
          fields: { Id: "00Q000000000001AAA", FirstName: "Katherine", Phone: "(415) 555-0142", MobilePhone: null },
        },
        {
          id: "04l000000000002AAA",
          objectType: "Lead",
          fields: { Id: "00Q000000000002AAA", FirstName: "Dorothy", Phone: "4155550100", MobilePhone: "2125550199" },
        },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(await res.text()).toContain(
      '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>',
    );
    const records = await readTopic(brokers, t.topics.callRequests);
    expect(
      records
        .map((r) => json(r))
        .map((b) => [b.to, (b.payload as { first_name: string }).first_name])
        .sort(),
    ).toEqual([
      ["+12125550199", "Dorothy"],
      ["+14155550142", "Katherine"],
    ]);
  });
});

describe("redelivery", () => {
  it("is answered 2xx and writes nothing", async () => {
    const t = await start();
    const webhook = standard("msg_again", { type: "call.requested", data: { phone: "+14155550142" } });
    expect(await (await sendWebhook(t.url, webhook)).json()).toMatchObject({ accepted: 1, duplicate: 0 });
    const again = await sendWebhook(t.url, standard("msg_again", { type: "call.requested", data: { phone: "+14155550142" } }));
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ accepted: 0, duplicate: 1 });
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(1);
  });
});

describe("bad input gets a clear 4xx and writes nothing", () => {
  it.each([
    ["malformed JSON with a valid signature", 400],
    ["no signature", 401],
    ["a wrong signature", 401],
    ["a stale timestamp", 401],
    ["a timestamp from the future", 401],
    ["wrong Basic credentials", 401],
    ["an unknown Salesforce org", 401],
    ["a body over the limit", 413],
    ["an unknown source", 404],
    ["a wrong content type", 415],
  ] as const)("%s -> %i", async (name, status) => {
    const t = await start({ env: { MAX_BODY_BYTES: "2048" } });
    const now = Date.now();
    const good = standard("msg_bad", { type: "call.requested", data: { phone: "+14155550142" } });
    const cases: Record<typeof name, SignedWebhook> = {
      "malformed JSON with a valid signature": { ...good, headers: signedRaw("{not json"), body: "{not json" },
      "no signature": { ...good, headers: { "content-type": "application/json" } },
      "a wrong signature": { ...good, headers: { ...good.headers, "webhook-signature": "v1,bm90IGl0" } },
      "a stale timestamp": hubspot(t, [hubspotPhoneChangeEvent({ eventId: 9, objectId: 9, phone: "+14155550142" })], now - 6 * 60_000),
      "a timestamp from the future": hubspot(
        t,
        [hubspotPhoneChangeEvent({ eventId: 9, objectId: 9, phone: "+14155550142" })],
        now + 6 * 60_000,
      ),
      "wrong Basic credentials": pipedrivePersonWebhook(
        { sourceId: "pipedrive", username: "callbridge", password: "guessed-password" },
        { eventId: "e1", personId: 1, name: "x", phones: [] },
      ),
      "an unknown Salesforce org": salesforceOutboundMessage("salesforce", "00D999999999999AAA", [
        { id: "04l0000000000X1AAA", objectType: "Lead", fields: { Phone: "+14155550142" } },
      ]),
      "a body over the limit": standard("msg_big", { type: "call.requested", data: { phone: "+14155550142", pad: "x".repeat(4096) } }),
      "an unknown source": { ...good, path: "/webhooks/nope" },
      "a wrong content type": { ...good, headers: { ...good.headers, "content-type": "text/plain" } },
    };
    const sent = cases[name];
    const res = await fetch(`${t.url}${sent.path}`, { method: "POST", headers: sent.headers, body: sent.body });
    expect(res.status).toBe(status);
    const text = await res.text();
    if (status === 401) expect(text === '{"error":"unauthorized"}' || text.includes("<faultstring>unauthorized</faultstring>")).toBe(true);
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(0);
    expect(await readTopic(brokers, t.topics.deadLetters)).toHaveLength(0);
  });
});

/** Standard Webhooks headers over an arbitrary body, so only the JSON is wrong. */
function signedRaw(body: string): Record<string, string> {
  const now = new Date();
  return {
    "content-type": "application/json",
    "webhook-id": "m-raw",
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(DEV_SECRETS.standardWebhooksSecret).sign("m-raw", now, body),
  };
}

describe("operations", () => {
  it("is not ready until the producer is connected, and not while draining", async () => {
    const t = await start({ skipStart: true });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(503);
    await t.ingest.start();
    expect(await (await fetch(`${t.url}/readyz`)).json()).toEqual({ ready: true, kafka: "connected", draining: false });
    const stopping = t.ingest.stop();
    expect(t.ingest.ready).toBe(false);
    await stopping;
  });

  it("logs no secret, signature or whole phone number", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const t = await start({ logDestination: destination });
    const good = standard("msg_log", { type: "call.requested", data: { phone: "+1 415 555 0142" } });
    await sendWebhook(t.url, good);
    await sendWebhook(t.url, { ...good, headers: { ...good.headers, "webhook-signature": "v1,c2VjcmV0LXNpZw==" } });
    await sendWebhook(t.url, standard("msg_log2", { type: "call.requested", data: { phone: "415 555 01" } }));
    await sendWebhook(
      t.url,
      pipedrivePersonWebhook(
        { sourceId: "pipedrive", username: "u", password: "wrong-password-123" },
        { eventId: "e", personId: 1, name: "n", phones: [] },
      ),
    );
    await t.stop();
    const text = lines.join("");
    expect(text).toContain("webhook accepted");
    for (const secret of [
      DEV_SECRETS.standardWebhooksSecret,
      "c2VjcmV0LXNpZw==",
      good.headers["webhook-signature"] ?? "",
      "wrong-password-123",
      "4155550142",
      "415 555 01",
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
