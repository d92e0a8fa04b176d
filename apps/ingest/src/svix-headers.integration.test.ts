import type { ConsumedRecord } from "@callbridge/kafka";
import { DEV_SECRETS, sendWebhook } from "@callbridge/webhook-samples";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, inject, it } from "vitest";
import { ingestPerTest } from "./test-support/ingest-per-test.js";
import type { TestIngest } from "./test-support/start-ingest.js";
import { readTopic } from "./test-support/topic-reader.js";

// Svix-based senders sign Standard Webhooks events but name the headers svix-id, svix-timestamp
// and svix-signature. The ingest takes those names as aliases of webhook-*, as the svix library does.

const brokers = inject("kafkaBrokers");
const start = ingestPerTest(brokers);

const BODY = JSON.stringify({ type: "call.requested", data: { id: "lead-9", name: "Grace", phone: "+1 415 555 0150" } });

/** The three headers as a Svix sender sends them, signed with the svix library. */
function svixSigned(id: string, body = BODY): Record<string, string> {
  const now = new Date();
  return {
    "svix-id": id,
    "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
    "svix-signature": new SvixWebhook(DEV_SECRETS.standardWebhooksSecret).sign(id, now, body),
  };
}

const toWebhookNames = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.replace(/^svix-/, "webhook-"), value]));

function post(t: TestIngest, headers: Record<string, string>, body = BODY): Promise<Response> {
  return sendWebhook(t.url, {
    sourceId: "standard",
    path: "/webhooks/standard",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

const json = (record: ConsumedRecord) => JSON.parse(String(record.value)) as Record<string, unknown>;

describe("Standard Webhooks signed with svix-* headers", () => {
  it("svix-* only: 202, and the call request is in the topic keyed by svix-id", async () => {
    const t = await start();
    const res = await post(t, svixSigned("msg_svix_1"));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ events: 1, accepted: 1, ignored: 0, duplicate: 0, invalid: 0, opt_outs: 0 });
    const [record, ...more] = (await readTopic(brokers, t.topics.callRequests)) as [ConsumedRecord];
    expect(more).toHaveLength(0);
    expect(String(record.key)).toBe("campaign-uuid-1:+14155550150");
    expect(json(record)).toMatchObject({
      idempotency_key: "standard:msg_svix_1:standard-call-requested",
      to: "+14155550150",
      payload: { customer_name: "Grace" },
      source: { kind: "standard-webhooks", event_id: "msg_svix_1" },
    });
  });

  it("header names in any letter case", async () => {
    const t = await start();
    const { "svix-id": id, "svix-timestamp": timestamp, "svix-signature": signature } = svixSigned("msg_svix_case");
    const res = await post(t, { "Svix-Id": id as string, "SVIX-TIMESTAMP": timestamp as string, "sViX-sIgNaTuRe": signature as string });
    expect(res.status).toBe(202);
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(1);
  });

  it("a Svix retry of an event first delivered with webhook-* names is a duplicate (same id, same dedupe key)", async () => {
    const t = await start();
    const headers = svixSigned("msg_svix_retry");
    expect(await (await post(t, toWebhookNames(headers))).json()).toMatchObject({ accepted: 1 });
    expect(await (await post(t, headers)).json()).toMatchObject({ accepted: 0, duplicate: 1 });
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(1);
  });

  it("both sets present, svix-* valid and webhook-* stale garbage: svix-* wins, as in the svix library", async () => {
    const t = await start();
    const headers = { ...svixSigned("msg_both"), "webhook-id": "other", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA" };
    expect((await post(t, headers)).status).toBe(202);
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(1);
  });
});

describe("svix-* headers get the same checks: 401 and nothing written", () => {
  it.each([
    ["a wrong signature", () => ({ ...svixSigned("m"), "svix-signature": "v1,bm90IGl0" })],
    ["a signature for another body", () => svixSigned("m", JSON.stringify({ type: "call.requested", data: { phone: "+1 212 555 0199" } }))],
    ["a signature for another id", () => ({ ...svixSigned("m"), "svix-id": "m-replayed" })],
    ["a stale timestamp", () => ({ ...svixSigned("m"), "svix-timestamp": String(Math.floor(Date.now() / 1000) - 6 * 60) })],
    ["no svix-id", () => without(svixSigned("m"), "svix-id")],
    ["no svix-timestamp", () => without(svixSigned("m"), "svix-timestamp")],
    ["no svix-signature", () => without(svixSigned("m"), "svix-signature")],
    [
      "valid webhook-* with a wrong svix-signature beside them (svix-* wins)",
      () => ({ ...toWebhookNames(svixSigned("m")), "svix-signature": "v1,bm90IGl0" }),
    ],
    [
      "valid webhook-* with a stale svix-timestamp beside them (the age check is not skipped)",
      () => ({ ...toWebhookNames(svixSigned("m")), "svix-timestamp": String(Math.floor(Date.now() / 1000) - 6 * 60) }),
    ],
  ])("%s", async (_why, headersOf) => {
    const t = await start();
    const res = await post(t, headersOf());
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized" });
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(0);
    expect(await readTopic(brokers, t.topics.deadLetters)).toHaveLength(0);
  });
});

function without(headers: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _dropped, ...rest } = headers;
  return rest;
}
