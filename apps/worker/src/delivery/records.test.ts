import type { ConsumedRecord } from "@callbridge/kafka";
import { DLQ_RESPONSE_BODY_MAX_BYTES } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { deadLetterRecord, truncateUtf8 } from "./records.js";

const original: ConsumedRecord = {
  topic: "callbridge.call-requests.v1",
  partition: 3,
  offset: "42",
  key: Buffer.from("campaign-paused:+14155550142"),
  value: Buffer.from('{"idempotency_key":"k"}'),
  headers: { "callbridge.route": "r1", "callbridge.source.kind": "hubspot", "callbridge.dlq.replay_count": "2" },
  timestamp: "1795000000000",
};

describe("deadLetterRecord", () => {
  it("keeps key and value bytes and adds every dead-letter header, in our names and Kafka Connect's", () => {
    const now = new Date("2026-11-27T12:00:00Z");
    const { topic, record } = deadLetterRecord(
      original,
      {
        reason: "http_4xx",
        message: "Talkover answered 400 CAMPAIGN_NOT_ACTIVE: Campaign is not active",
        httpStatus: 400,
        errorCode: "CAMPAIGN_NOT_ACTIVE",
        responseBody: '{"success":false,"message":"Campaign is not active"}',
        attempts: 1,
        firstAttemptAt: "2026-11-27T11:59:59.000Z",
        campaignId: "campaign-paused",
      },
      "dlq",
      now,
    );
    expect(topic).toBe("dlq");
    expect(record.key).toBe(original.key);
    expect(record.value).toBe(original.value);
    expect(record.headers).toEqual({
      "callbridge.route": "r1",
      "callbridge.source.kind": "hubspot",
      "callbridge.dlq.reason": "http_4xx",
      "callbridge.dlq.http_status": "400",
      "callbridge.dlq.error_code": "CAMPAIGN_NOT_ACTIVE",
      "callbridge.dlq.error_message": "Talkover answered 400 CAMPAIGN_NOT_ACTIVE: Campaign is not active",
      "callbridge.dlq.response_body": '{"success":false,"message":"Campaign is not active"}',
      "callbridge.dlq.attempts": "1",
      "callbridge.dlq.first_attempt_at": "2026-11-27T11:59:59.000Z",
      "callbridge.dlq.failed_at": "2026-11-27T12:00:00.000Z",
      "callbridge.dlq.replay_count": "2",
      "callbridge.dlq.campaign_id": "campaign-paused",
      "callbridge.dlq.source_kind": "hubspot",
      "callbridge.dlq.route": "r1",
      "callbridge.original.topic": "callbridge.call-requests.v1",
      "callbridge.original.partition": "3",
      "callbridge.original.offset": "42",
      "callbridge.original.timestamp": "1795000000000",
      "__connect.errors.topic": "callbridge.call-requests.v1",
      "__connect.errors.partition": "3",
      "__connect.errors.offset": "42",
      "__connect.errors.exception.message": "http_4xx: Talkover answered 400 CAMPAIGN_NOT_ACTIVE: Campaign is not active",
    });
  });

  it("truncates a long response body without splitting a character", () => {
    const body = "é".repeat(DLQ_RESPONSE_BODY_MAX_BYTES);
    const { record } = deadLetterRecord(
      original,
      { reason: "retries_exhausted", message: "m", responseBody: body, attempts: 5 },
      "dlq",
      new Date(),
    );
    const header = record.headers?.["callbridge.dlq.response_body"] ?? "";
    expect(Buffer.byteLength(header)).toBeLessThanOrEqual(DLQ_RESPONSE_BODY_MAX_BYTES);
    expect(header).toBe("é".repeat(DLQ_RESPONSE_BODY_MAX_BYTES / 2));
    expect(truncateUtf8("abc", 10)).toBe("abc");
  });
});
