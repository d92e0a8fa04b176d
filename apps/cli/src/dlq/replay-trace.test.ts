import type { ConsumedRecord } from "@callbridge/kafka";
import {
  context,
  type InMemoryTracing,
  parseTraceparent,
  SpanKind,
  SpanStatusCode,
  setTracingOn,
  TRACEPARENT_HEADER,
  trace,
  traceInMemory,
} from "@callbridge/observability";
import { DLQ_HEADERS } from "@callbridge/schemas";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { letterOf } from "./letter.js";
import type { Outgoing } from "./replay-send.js";
import { abandonReplaySpans, endReplaySpans, startReplaySpan } from "./replay-trace.js";
import { parseTransforms, replayedRequestFrom } from "./transform.js";

// The SDK's own provider and in-memory exporter, registered as a traced process registers its
// own (startTracing): what is checked is what an OTLP backend would receive.

let tracing: InMemoryTracing;

beforeAll(() => {
  tracing = traceInMemory();
});

afterEach(() => {
  setTracingOn(true);
  tracing.reset();
});

afterAll(() => tracing.stop());

const ORIGINAL = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const request = { idempotency_key: "k1", campaign_id: "campaign-paused", to: "+14155550142" };

function letter(headers: Record<string, string>, offset = "7") {
  const record: ConsumedRecord = {
    topic: "dlq",
    partition: 2,
    offset,
    key: Buffer.from("campaign-paused:+14155550142"),
    value: Buffer.from(JSON.stringify(request)),
    headers: { "content-type": "application/json", [DLQ_HEADERS.reason]: "http_4xx", ...headers },
    timestamp: "0",
  };
  return letterOf(record);
}

/** The request a replay would send for the letter (its own headers kept, as the decision keeps them). */
function planned(l: ReturnType<typeof letter>): Outgoing {
  const rewritten = replayedRequestFrom(l.record.value, l.record.headers, parseTransforms({}), `dlq:${l.id}`, "now");
  if (!rewritten.ok) throw new Error(rewritten.problem);
  return {
    id: l.id,
    bucket: "http_4xx/-",
    request: { key: rewritten.key, value: rewritten.value, headers: rewritten.headers },
    note: { key: `dlq:${l.id}`, value: "{}" },
  };
}

describe("the span of a letter's replay", () => {
  it("is a new root trace linked to the letter's, and the replayed request carries it instead of the letter's", () => {
    const dead = letter({ [TRACEPARENT_HEADER]: ORIGINAL, tracestate: "vendor=old" });
    const outgoing = planned(dead);
    expect(outgoing.request.headers?.[TRACEPARENT_HEADER]).toBe(ORIGINAL);

    const traced = startReplaySpan(dead, outgoing, "requests");
    endReplaySpans([traced], { acknowledged: [traced.outgoing], refused: [] });

    const sent = traced.outgoing.request.headers ?? {};
    const carried = parseTraceparent(sent[TRACEPARENT_HEADER]);
    expect(carried?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(carried?.traceId).not.toBe(parseTraceparent(ORIGINAL)?.traceId);
    expect(sent.tracestate).toBeUndefined();
    expect(sent).toMatchObject({ "content-type": "application/json", [DLQ_HEADERS.replayCount]: "1" });
    expect(traced.outgoing.request.value).toBe(outgoing.request.value);

    const [span, ...others] = tracing.spans();
    expect(others).toEqual([]);
    expect(span?.name).toBe("dlq replay");
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.spanContext()).toMatchObject({ traceId: carried?.traceId, spanId: carried?.spanId });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toEqual({
      "messaging.system": "kafka",
      "messaging.destination.name": "requests",
      "messaging.operation.type": "send",
      "callbridge.dlq.reason": "http_4xx",
      "callbridge.dlq.partition": 2,
      "callbridge.dlq.offset": 7,
    });
    expect(span?.links).toEqual([
      {
        context: { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true },
        attributes: { "callbridge.link": "replayed dead letter" },
      },
    ]);
  });

  it("is a root even when the replay runs inside another span", () => {
    const outer = trace.getTracer("test").startSpan("outer");
    const traced = context.with(trace.setSpan(context.active(), outer), () =>
      startReplaySpan(letter({ [TRACEPARENT_HEADER]: ORIGINAL }), planned(letter({})), "requests"),
    );
    outer.end();
    expect(parseTraceparent(traced.outgoing.request.headers?.[TRACEPARENT_HEADER])?.traceId).not.toBe(outer.spanContext().traceId);
  });

  it("has no link for a letter without a valid traceparent, and still sends a traceparent of its own", () => {
    const cases: Record<string, string>[] = [{}, { [TRACEPARENT_HEADER]: "00-not-a-trace" }];
    for (const headers of cases) {
      const dead = letter(headers);
      const traced = startReplaySpan(dead, planned(dead), "requests");
      endReplaySpans([traced], { acknowledged: [traced.outgoing], refused: [] });
      expect(parseTraceparent(traced.outgoing.request.headers?.[TRACEPARENT_HEADER])).toBeDefined();
    }
    expect(tracing.spans().map((span) => span.links)).toEqual([[], []]);
  });
});

describe("the end of a replay's span", () => {
  it("ends as the produce request went: sent, refused for its size, stopped, or never sent", () => {
    const [a, b, c, d] = ["1", "2", "3", "4"].map((offset) => {
      const dead = letter({}, offset);
      return startReplaySpan(dead, planned(dead), "requests");
    });
    if (!a || !b || !c || !d) throw new Error("four letters");
    endReplaySpans([a, b, c], {
      acknowledged: [a.outgoing],
      refused: [{ letter: b.outgoing, message: "MESSAGE_TOO_LARGE" }],
      stop: { kind: "transient", message: "NOT_ENOUGH_REPLICAS" },
    });
    abandonReplaySpans([d]);
    const ended = tracing
      .spans()
      .map((span) => [span.attributes["callbridge.dlq.offset"], span.status.code, span.attributes["error.type"]]);
    expect(ended).toEqual([
      [1, SpanStatusCode.UNSET, undefined],
      [2, SpanStatusCode.ERROR, "too_large"],
      [3, SpanStatusCode.ERROR, "transient"],
      [4, SpanStatusCode.ERROR, "not_sent"],
    ]);
  });

  it("with tracing off, leaves the request exactly as the decision made it and records nothing", () => {
    setTracingOn(false);
    const dead = letter({ [TRACEPARENT_HEADER]: ORIGINAL });
    const outgoing = planned(dead);
    const traced = startReplaySpan(dead, outgoing, "requests");
    expect(traced).toEqual({ outgoing, span: undefined });
    expect(traced.outgoing).toBe(outgoing);
    endReplaySpans([traced], { acknowledged: [], refused: [] });
    expect(tracing.spans()).toEqual([]);
  });
});
