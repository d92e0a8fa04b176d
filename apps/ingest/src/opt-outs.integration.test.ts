import { Writable } from "node:stream";
import { DLQ_HEADERS, SUPPRESSION_LIST_KEY, SuppressionEntry } from "@callbridge/schemas";
import { type RedisServerProcess, redisServerAvailable, startRedisServer } from "@callbridge/test-infra";
import { DEV_SECRETS, hubspotWebhook, type SignedWebhook, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ingestPerTest } from "./test-support/ingest-per-test.js";
import type { TestIngest } from "./test-support/start-ingest.js";
import { readTopic } from "./test-support/topic-reader.js";

// Opt-outs end on the do-not-call list in a real Redis (a redis-server of this file's own, so
// one test can stop it), call requests and dead letters in a real Kafka.

const brokers = inject("kafkaBrokers");
const start = ingestPerTest(brokers);

const ROUTES = `
sources:
  hubspot-opt-outs:
    kind: hubspot
    client_secret: ${DEV_SECRETS.hubspotClientSecret}
  standard:
    kind: standard-webhooks
    secret: ${DEV_SECRETS.standardWebhooksSecret}
routes:
  - name: standard-with-consent
    source: standard
    when: { type: call.requested }
    campaign_id: campaign-uuid-1
    to: data.phone
    default_country: US
    consent: data.consent
opt_outs:
  - name: hubspot-do-not-call
    source: hubspot-opt-outs
    when: { properties.do_not_call: "true" }
    to: [properties.mobilephone, properties.phone]
    default_country: US
`;

/** A HubSpot workflow "Send a webhook" body for a contact marked do-not-call. */
function doNotCallWebhook(t: TestIngest, id: string, phone: string): SignedWebhook {
  const body = { id, properties: { firstname: "Ada", phone, mobilephone: null, do_not_call: "true" } };
  return hubspotWebhook({ sourceId: "hubspot-opt-outs", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: t.url }, body);
}

async function listed(redis: Redis, number: string): Promise<SuppressionEntry | undefined> {
  const text = await redis.hget(SUPPRESSION_LIST_KEY, number);
  return text === null ? undefined : SuppressionEntry.parse(JSON.parse(text));
}

async function metric(t: TestIngest, name: string, labels: string): Promise<number | undefined> {
  const line = (await t.registry.metrics()).split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

describe.skipIf(!redisServerAvailable())("opt-outs and consent, with a real Redis and Kafka", () => {
  let server: RedisServerProcess;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  const startWithRedis = (options: { logDestination?: Writable } = {}) =>
    start({ routesYaml: ROUTES, env: { REDIS_URL: server.url }, ...options });

  it("a signed webhook matching an opt-out: the normalised number is listed, 202, no call request, masked in the logs", async () => {
    const lines: string[] = [];
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const t = await startWithRedis({ logDestination });
    const before = Date.now();
    const res = await sendWebhook(t.url, doNotCallWebhook(t, "901", "(415) 555-0142"));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ events: 1, accepted: 0, ignored: 0, duplicate: 0, invalid: 0, opt_outs: 1 });

    const entry = await listed(redis, "+14155550142");
    expect(entry).toMatchObject({ reason: "opt_out", source: "route:hubspot-do-not-call" });
    expect(Date.parse(entry?.added_at ?? "")).toBeGreaterThanOrEqual(before - 1_000);
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(0);
    expect(await readTopic(brokers, t.topics.deadLetters)).toHaveLength(0);
    expect(await metric(t, "callbridge_ingest_opt_outs_total", 'route="hubspot-do-not-call"')).toBe(1);
    expect(await metric(t, "callbridge_ingest_events_total", 'source="hubspot-opt-outs",outcome="opt_out"')).toBe(1);

    await t.stop();
    const text = lines.join("");
    expect(text).toContain("number put on the do-not-call list");
    expect(text).toContain("+1415*****42");
    expect(text).not.toContain("4155550142");
  });

  it("a redelivered opt-out answers 202 again and keeps the number's first entry", async () => {
    const t = await startWithRedis();
    const webhook = doNotCallWebhook(t, "902", "+1 212 555 0199");
    expect((await sendWebhook(t.url, webhook)).status).toBe(202);
    const first = await listed(redis, "+12125550199");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await sendWebhook(t.url, webhook);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ opt_outs: 1 });
    expect(await listed(redis, "+12125550199")).toEqual(first);
  });

  it("keeps an operator's entry for a number that then opts out in the CRM", async () => {
    const operator = { reason: "do_not_call", source: "cli", added_at: "2026-01-02T03:04:05.000Z" };
    await redis.hset(SUPPRESSION_LIST_KEY, "+12125550100", JSON.stringify(operator));
    const t = await startWithRedis();
    expect((await sendWebhook(t.url, doNotCallWebhook(t, "903", "212-555-0100"))).status).toBe(202);
    expect(await listed(redis, "+12125550100")).toEqual(operator);
  });

  it("an opt-out without a usable number: an invalid_phone dead letter flagged as an opt-out, nothing listed", async () => {
    const t = await startWithRedis();
    const listedBefore = await redis.hlen(SUPPRESSION_LIST_KEY);
    const res = await sendWebhook(t.url, doNotCallWebhook(t, "904", "555-0142"));
    expect(await res.json()).toEqual({ events: 1, accepted: 0, ignored: 0, duplicate: 0, invalid: 1, opt_outs: 0 });
    const letters = await readTopic(brokers, t.topics.deadLetters);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.headers).toMatchObject({
      [DLQ_HEADERS.reason]: "invalid_phone",
      [DLQ_HEADERS.route]: "hubspot-do-not-call",
      "callbridge.dlq.opt_out": "true",
    });
    expect(letters[0]?.headers).not.toHaveProperty(DLQ_HEADERS.campaignId);
    expect(JSON.parse(String(letters[0]?.value))).toMatchObject({ opt_out: true, to: "555-0142" });
    expect(await redis.hlen(SUPPRESSION_LIST_KEY)).toBe(listedBefore);
  });

  it("a route that asks for consent writes consent true for a yes, false for a no or nothing", async () => {
    const t = await startWithRedis();
    const sends = [
      ["msg_yes", "+14155550101", "Yes"],
      ["msg_no", "+14155550102", "no"],
      ["msg_none", "+14155550103", undefined],
    ] as const;
    for (const [id, phone, consent] of sends) {
      const payload = { type: "call.requested", data: { phone, ...(consent === undefined ? {} : { consent }) } };
      const res = await sendWebhook(
        t.url,
        standardWebhook({ sourceId: "standard", secret: DEV_SECRETS.standardWebhooksSecret, id, payload }),
      );
      expect(res.status).toBe(202);
    }
    const requests = await readTopic(brokers, t.topics.callRequests);
    const consentByNumber = Object.fromEntries(
      requests.map((r) => JSON.parse(String(r.value)) as { to: string; consent?: boolean }).map((r) => [r.to, r.consent]),
    );
    expect(consentByNumber).toEqual({ "+14155550101": true, "+14155550102": false, "+14155550103": false });
  });
});

describe.skipIf(!redisServerAvailable())("opt-outs while Redis is down", () => {
  let server: RedisServerProcess | undefined;
  afterAll(async () => server?.stop());

  it("answers 503 with Retry-After, writes nothing, and a retry after Redis is back lands", async () => {
    server = await startRedisServer();
    const t = await start({ routesYaml: ROUTES, env: { REDIS_URL: server.url } });
    const webhook = doNotCallWebhook(t, "905", "(415) 555-0177");
    await server.kill();

    const refused = await sendWebhook(t.url, webhook);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toEqual({ error: "do-not-call list unavailable; retry later" });
    expect(await readTopic(brokers, t.topics.deadLetters)).toHaveLength(0);

    await server.start();
    // The sender retries, as HubSpot does after a 503, until the ingest's client has reconnected.
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (status !== 202 && Date.now() < deadline) {
      status = (await sendWebhook(t.url, webhook)).status;
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(202);
    const redis = new Redis(server.url);
    try {
      expect(await listed(redis, "+14155550177")).toMatchObject({ reason: "opt_out", source: "route:hubspot-do-not-call" });
    } finally {
      await redis.quit();
    }
    expect(await t.registry.metrics()).toContain(
      'callbridge_ingest_webhook_requests_total{source="hubspot-opt-outs",outcome="unavailable"} 1',
    );
  });
});
