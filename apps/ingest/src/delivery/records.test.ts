import { OptOutConfig, RouteConfig, routeEvents } from "@callbridge/routes";
import { CallRequest } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import type { Source } from "../sources/source.js";
import { type KafkaOutcome, OPT_OUT_HEADER, recordFor, sizedRecordsFor } from "./records.js";

const unused = () => {
  throw new Error("records must not call the source's webhook methods");
};
const source: Source = {
  id: "sf-prod",
  kind: "salesforce-outbound",
  acceptsContentType: unused,
  verify: unused,
  accepted: unused,
  refused: unused,
};
const topics = { callRequests: "test.call-requests.v1", deadLetters: "test.call-requests.v1.dlq" };
const receivedAt = new Date("2026-11-27T10:00:00.123Z");
const now = new Date("2026-11-27T10:00:01.500Z");

const lead = RouteConfig.parse({
  name: "salesforce-lead",
  source: "sf-prod",
  campaign_id: "campaign-uuid-1",
  to: ["sObject.MobilePhone", "sObject.Phone"],
  default_country: "US",
  payload: { first_name: "sObject.FirstName" },
  context: { salesforce_id: "sObject.Id" },
  is_testing: true,
});

function outcomeFor(fields: unknown): KafkaOutcome {
  const [outcome] = routeEvents(source, { routes: [lead] }, [{ id: "04l5e000002", fields }], receivedAt).outcomes;
  if (!outcome || outcome.kind === "opt_out") throw new Error("the event matched no route");
  return outcome;
}

function jsonOf(value: string | Buffer | null): unknown {
  if (typeof value !== "string") throw new Error("expected a JSON string value");
  return JSON.parse(value);
}

describe("recordFor a call request", () => {
  const outcome = outcomeFor({ sObject: { Id: "00Q5e000001", FirstName: "Ada", Phone: "(415) 555-0142" } });
  if (outcome.kind !== "call") throw new Error("expected a call outcome");
  const { topic, record } = recordFor(outcome, source, topics, now);

  it("goes to the call-requests topic", () => {
    expect(topic).toBe("test.call-requests.v1");
  });

  it("is keyed by campaign and number, so one number's calls stay in order", () => {
    expect(record.key).toBe("campaign-uuid-1:+14155550142");
  });

  it("carries the request as JSON that the worker accepts as it is", () => {
    const value = jsonOf(record.value);
    expect(value).toEqual(outcome.request);
    expect(CallRequest.parse(value)).toEqual(value);
  });

  it("says what it is and where it came from in its headers", () => {
    expect(record.headers).toEqual({
      "content-type": "application/json",
      "callbridge.schema": "callbridge.call-request.v1",
      "callbridge.source.kind": "salesforce-outbound",
      "callbridge.source.id": "sf-prod",
      "callbridge.route": "salesforce-lead",
    });
  });

  it("lets Kafka choose the partition", () => {
    expect(record.partition).toBeUndefined();
  });
});

describe("recordFor an event without a usable number", () => {
  const fields = { sObject: { Id: "00Q5e000001", FirstName: "Ada", Phone: "555-0142" } };
  const outcome = outcomeFor(fields);
  if (outcome.kind !== "invalid_phone") throw new Error("expected an invalid_phone outcome");
  const { topic, record } = recordFor(outcome, source, topics, now);

  it("goes to the dead-letter topic", () => {
    expect(topic).toBe("test.call-requests.v1.dlq");
  });

  it("is keyed by source and event", () => {
    expect(record.key).toBe("sf-prod:04l5e000002");
  });

  it("holds the request as far as it got, with the raw number, and the original event", () => {
    expect(jsonOf(record.value)).toEqual({
      version: 1,
      idempotency_key: "sf-prod:04l5e000002:salesforce-lead",
      campaign_id: "campaign-uuid-1",
      to: "555-0142",
      payload: { first_name: "Ada" },
      context: { salesforce_id: "00Q5e000001" },
      is_testing: true,
      allow_duplicates: false,
      source: { kind: "salesforce-outbound", event_id: "04l5e000002", route: "salesforce-lead", received_at: "2026-11-27T10:00:00.123Z" },
      requested_at: "2026-11-27T10:00:00.123Z",
      original_event: fields,
    });
  });

  it("has the dead-letter headers operators and redrive tools filter on", () => {
    expect(record.headers).toEqual({
      "content-type": "application/json",
      "callbridge.dlq.reason": "invalid_phone",
      "callbridge.dlq.error_message": outcome.problem,
      "callbridge.dlq.attempts": "0",
      "callbridge.dlq.first_attempt_at": "2026-11-27T10:00:01.500Z",
      "callbridge.dlq.failed_at": "2026-11-27T10:00:01.500Z",
      "callbridge.dlq.replay_count": "0",
      "callbridge.dlq.campaign_id": "campaign-uuid-1",
      "callbridge.dlq.source_kind": "salesforce-outbound",
      "callbridge.dlq.route": "salesforce-lead",
      "__connect.errors.exception.message": `invalid_phone: ${outcome.problem}`,
    });
    expect(outcome.problem).toBe("no valid phone number at sObject.MobilePhone, sObject.Phone (1 candidate rejected)");
  });

  it("keeps a missing number as null", () => {
    const missing = outcomeFor({ sObject: { Id: "00Q5e000001" } });
    const value = jsonOf(recordFor(missing, source, topics, now).record.value);
    expect(value).toMatchObject({ to: null, original_event: { sObject: { Id: "00Q5e000001" } } });
  });
});

describe("recordFor an opt-out without a usable number", () => {
  const stop = OptOutConfig.parse({ name: "do-not-call", source: "sf-prod", to: "sObject.Phone", default_country: "US" });
  const fields = { sObject: { Id: "00Q5e000001", Phone: "555-0142" } };
  const [outcome] = routeEvents(source, { routes: [], opt_outs: [stop] }, [{ id: "04l5e000002", fields }], receivedAt).outcomes;
  if (outcome?.kind !== "opt_out_invalid_phone") throw new Error(`expected opt_out_invalid_phone, got ${outcome?.kind}`);
  const { topic, record } = recordFor(outcome, source, topics, now);

  it("is an invalid_phone dead letter flagged as an opt-out, with no campaign", () => {
    expect(topic).toBe(topics.deadLetters);
    expect(record.key).toBe("sf-prod:04l5e000002");
    expect(record.headers).toEqual({
      "content-type": "application/json",
      "callbridge.dlq.reason": "invalid_phone",
      "callbridge.dlq.error_message": "opt-out not listed: no valid phone number at sObject.Phone (1 candidate rejected)",
      "callbridge.dlq.attempts": "0",
      "callbridge.dlq.first_attempt_at": "2026-11-27T10:00:01.500Z",
      "callbridge.dlq.failed_at": "2026-11-27T10:00:01.500Z",
      "callbridge.dlq.replay_count": "0",
      [OPT_OUT_HEADER]: "true",
      "callbridge.dlq.source_kind": "salesforce-outbound",
      "callbridge.dlq.route": "do-not-call",
      "__connect.errors.exception.message":
        "invalid_phone: opt-out not listed: no valid phone number at sObject.Phone (1 candidate rejected)",
    });
  });

  it("holds what the opt-out found and the event, and is no call request", () => {
    const value = jsonOf(record.value);
    expect(value).toEqual({
      opt_out: true,
      to: "555-0142",
      source: { kind: "salesforce-outbound", event_id: "04l5e000002", route: "do-not-call", received_at: "2026-11-27T10:00:00.123Z" },
      requested_at: "2026-11-27T10:00:00.123Z",
      original_event: fields,
    });
    expect(CallRequest.safeParse({ ...(value as object), to: "+14155550142" }).success).toBe(false);
  });

  it("leaves the original event out when the letter is over the dead-letter topic's limit", () => {
    const big = { sObject: { Phone: "555-0142", Notes: "x".repeat(4_000) } };
    const [large] = routeEvents(source, { routes: [], opt_outs: [stop] }, [{ id: "e2", fields: big }], receivedAt)
      .outcomes as KafkaOutcome[];
    if (!large) throw new Error("no outcome");
    const sized = sizedRecordsFor([large], source, topics, now, { callRequests: 1_000_000, deadLetters: 2_000 });
    if (!sized.ok) throw new Error("expected the letter to be sized");
    const [letter] = sized.records;
    expect(letter?.record.headers?.["callbridge.dlq.original_event_dropped_bytes"]).toBeDefined();
    expect(jsonOf(letter?.record.value ?? null)).toMatchObject({ opt_out: true, to: "555-0142" });
  });
});
