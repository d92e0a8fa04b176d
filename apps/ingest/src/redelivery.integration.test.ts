import { type RedisServerProcess, redisServerAvailable, startRedisServer } from "@callbridge/test-infra";
import { DEV_SECRETS, hubspotPhoneChangeEvent, hubspotWebhook, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { RedisDeliveredEvents } from "./delivery/delivered-events.js";
import { ingestPerTest } from "./test-support/ingest-per-test.js";
import { readTopic } from "./test-support/topic-reader.js";

// CRMs redeliver: on a timeout, on a retry policy, sometimes the same event several times at the
// same moment. Each event must become one record, whichever delivery wins.

const brokers = inject("kafkaBrokers");
const start = ingestPerTest(brokers);

const phoneChange = (eventId: number, objectId: number) => [
  hubspotPhoneChangeEvent({ eventId, objectId, phone: `+1415555${String(3000 + objectId)}` }),
];

describe("concurrent redeliveries of one event", () => {
  it("the same HubSpot event posted 3 times at the same moment: every delivery 2xx, one record", async () => {
    const t = await start();
    const webhook = hubspotWebhook(
      { sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: t.url },
      phoneChange(901, 1),
    );
    const answers = await Promise.all([1, 2, 3].map(() => sendWebhook(t.url, webhook)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const records = await readTopic(brokers, t.topics.callRequests);
    expect(records.map((r) => String(r.key))).toEqual(["campaign-uuid-1:+14155553001"]);
  });

  it("ten events each delivered 5 times at once (a Standard Webhooks sender retrying): ten records", async () => {
    const t = await start();
    const webhooks = Array.from({ length: 10 }, (_, i) =>
      standardWebhook({
        sourceId: "standard",
        secret: DEV_SECRETS.standardWebhooksSecret,
        id: `msg_re_${i}`,
        payload: { type: "call.requested", data: { id: `lead-${i}`, phone: `+1415555${String(4000 + i)}` } },
      }),
    );
    const answers = await Promise.all(webhooks.flatMap((webhook) => [1, 2, 3, 4, 5].map(() => sendWebhook(t.url, webhook))));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const keys = (await readTopic(brokers, t.topics.callRequests)).map((r) => String(r.key)).sort();
    expect(keys).toEqual(webhooks.map((_, i) => `campaign-uuid-1:+1415555${4000 + i}`).sort());
  });
});

describe.skipIf(!redisServerAvailable())("concurrent redeliveries to two ingest replicas sharing Redis", () => {
  let server: RedisServerProcess | undefined;
  afterAll(async () => server?.stop());

  it("the same events posted to both replicas at once: one record each", async () => {
    server = await startRedisServer();
    const url = server.url;
    const one = await start({ delivered: new RedisDeliveredEvents(new Redis(url), 600) });
    const two = await start({ delivered: new RedisDeliveredEvents(new Redis(url), 600), topics: one.topics });
    const events = Array.from({ length: 8 }, (_, i) => phoneChange(950 + i, 10 + i));
    const sends = events.flatMap((body) =>
      [one, two, one, two].map((t) =>
        sendWebhook(t.url, hubspotWebhook({ sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: t.url }, body)),
      ),
    );
    const answers = await Promise.all(sends);
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const keys = (await readTopic(brokers, one.topics.callRequests)).map((r) => String(r.key)).sort();
    expect(keys).toEqual(events.map((_, i) => `campaign-uuid-1:+1415555${3010 + i}`).sort());
  });
});
