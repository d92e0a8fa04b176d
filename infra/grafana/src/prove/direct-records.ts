import type { OutgoingRecord, Producer } from "@callbridge/kafka";
import type { PhoneNumbers } from "./webhook-mix.js";

/** A CallRequest as the ingest would write it, for a campaign the simulator refuses. */
function callRequest(campaign: string, phones: PhoneNumbers, runId: string, batch: number, i: number, now: string): OutgoingRecord {
  const to = phones.next();
  return {
    key: `${campaign}:${to}`,
    value: JSON.stringify({
      version: 1,
      idempotency_key: `prove:${runId}:${campaign}:${batch}:${i}`,
      campaign_id: campaign,
      to,
      is_testing: true,
      source: { kind: "prove", event_id: `${batch}-${i}`, route: "prove-direct", received_at: now },
      requested_at: now,
    }),
    headers: { "content-type": "application/json" },
  };
}

/**
 * Records no webhook can make, straight to the requests topic: two calls for a paused campaign,
 * one for a forbidden one, and one unreadable record (a dead letter).
 */
export async function produceDirectBatch(
  producer: Producer,
  topic: string,
  phones: PhoneNumbers,
  runId: string,
  batch: number,
): Promise<void> {
  const now = new Date().toISOString();
  await producer.send(topic, [
    callRequest("campaign-paused", phones, runId, batch, 0, now),
    callRequest("campaign-paused", phones, runId, batch, 1, now),
    callRequest("campaign-forbidden", phones, runId, batch, 2, now),
    { key: `unreadable:${batch}`, value: "this is not a call request" },
  ]);
}
