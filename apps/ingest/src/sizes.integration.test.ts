import { DLQ_HEADERS } from "@callbridge/schemas";
import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { describe, expect, inject, it } from "vitest";
import { ORIGINAL_EVENT_DROPPED_HEADER } from "./delivery/records.js";
import { ingestPerTest } from "./test-support/ingest-per-test.js";
import type { TestIngest } from "./test-support/start-ingest.js";
import { readTopic } from "./test-support/topic-reader.js";

// Records sized against the topics' own limits (max.message.bytes, read from the broker): a
// call request that cannot fit is refused clearly, a dead letter always lands, and the records
// batched with an oversized one are not harmed.

const brokers = inject("kafkaBrokers");
const startIngest = ingestPerTest(brokers);

const LIMIT = 200_000;
const standard = (id: string, data: Record<string, unknown>) =>
  standardWebhook({ sourceId: "standard", secret: DEV_SECRETS.standardWebhooksSecret, id, payload: { type: "call.requested", data } });

function start(): Promise<TestIngest> {
  return startIngest({
    topicConfig: { callRequests: { "max.message.bytes": String(LIMIT) }, deadLetters: { "max.message.bytes": String(LIMIT) } },
  });
}

describe("record sizes at the ingest", () => {
  it("at the broker's default limit: a 600 KB event with an unusable number lands as a dead letter; 30 webhooks sent alongside all land once", async () => {
    const t = await startIngest();
    // Under the 1 MiB body limit, but event + draft (~1.2 MB) is over the default 1 MB record limit.
    const big = standard("msg_big", { id: "lead-big", phone: "not a number", name: "x".repeat(600_000) });
    const normal = Array.from({ length: 30 }, (_, i) =>
      standard(`msg_d${i}`, { id: `lead-d${i}`, phone: `+1415555${String(2000 + i)}`, name: `Person ${i}` }),
    );
    const answers = await Promise.all([sendWebhook(t.url, big), ...normal.map((webhook) => sendWebhook(t.url, webhook))]);
    expect(answers.map((answer) => answer.status)).toEqual([202, ...normal.map(() => 202)]);
    const records = await readTopic(brokers, t.topics.callRequests);
    expect(records.map((r) => String(r.key)).sort()).toEqual(normal.map((_, i) => `campaign-uuid-1:+1415555${2000 + i}`).sort());
    const letters = await readTopic(brokers, t.topics.deadLetters);
    expect(letters.map((letter) => String(letter.key))).toEqual(["standard:msg_big"]);
    expect(Number(letters[0]?.headers[ORIGINAL_EVENT_DROPPED_HEADER])).toBeGreaterThan(600_000);
    expect(JSON.parse(String(letters[0]?.value))).toMatchObject({ payload: { customer_name: "x".repeat(600_000) } });
  });

  it("a call request larger than its topic takes: 413 naming the limit, nothing written; 30 webhooks sent alongside all land once", async () => {
    const t = await start();
    const oversized = standard("msg_huge", { id: "lead-huge", phone: "+14155550100", name: "n".repeat(250_000) });
    const normal = Array.from({ length: 30 }, (_, i) =>
      standard(`msg_${i}`, { id: `lead-${i}`, phone: `+1415555${String(1000 + i)}`, name: `Person ${i}` }),
    );
    const answers = await Promise.all([sendWebhook(t.url, oversized), ...normal.map((webhook) => sendWebhook(t.url, webhook))]);
    const [huge, ...rest] = answers;
    expect(huge?.status).toBe(413);
    expect(await huge?.text()).toContain(`up to ${LIMIT} bytes`);
    expect(rest.map((answer) => answer.status)).toEqual(normal.map(() => 202));
    const records = await readTopic(brokers, t.topics.callRequests);
    expect(records.map((r) => String(r.key)).sort()).toEqual(normal.map((_, i) => `campaign-uuid-1:+1415555${1000 + i}`).sort());
    expect(await readTopic(brokers, t.topics.deadLetters)).toEqual([]);
  });

  it("an unusable number's dead letter too large for its topic lands without the original event, or cut and flagged", async () => {
    const t = await start();
    // Draft and event hold 120 KB each: together over the limit, the draft alone under it.
    const lean = await sendWebhook(t.url, standard("msg_lean", { id: "lead-a", phone: "not a number", name: "a".repeat(120_000) }));
    // The draft alone holds 250 KB: only a cut value fits.
    const cut = await sendWebhook(t.url, standard("msg_cut", { id: "lead-b", phone: "not a number", name: "b".repeat(250_000) }));
    expect([lean.status, cut.status]).toEqual([202, 202]);
    const letters = await readTopic(brokers, t.topics.deadLetters);
    expect(letters).toHaveLength(2);
    const byEvent = new Map(letters.map((letter) => [String(letter.key), letter]));
    const leanLetter = byEvent.get("standard:msg_lean");
    expect(leanLetter?.headers).toMatchObject({ [DLQ_HEADERS.reason]: "invalid_phone" });
    expect(Number(leanLetter?.headers[ORIGINAL_EVENT_DROPPED_HEADER])).toBeGreaterThan(120_000);
    expect(JSON.parse(String(leanLetter?.value))).toMatchObject({ payload: { customer_name: "a".repeat(120_000) } });
    const cutLetter = byEvent.get("standard:msg_cut");
    expect(cutLetter?.headers).toMatchObject({ [DLQ_HEADERS.reason]: "invalid_phone", [DLQ_HEADERS.valueTruncated]: "true" });
    expect(Number(cutLetter?.headers[DLQ_HEADERS.originalValueBytes])).toBeGreaterThan(250_000);
    expect(String(cutLetter?.value).length).toBeLessThan(LIMIT);
  });
});
