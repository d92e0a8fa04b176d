import type { OutgoingRecord } from "@callbridge/kafka";
import {
  context,
  failSpan,
  parseTraceparent,
  type Span,
  SpanKind,
  TRACEPARENT_HEADER,
  trace,
  tracer,
  tracingOn,
  withTraceHeaders,
} from "@callbridge/observability";
import type { Letter } from "./letter.js";
import type { BatchOutcome, Outgoing } from "./replay-send.js";

const REPLAY_SPAN_NAME = "dlq replay";
/** The attributes of the link from a replay's span to the trace that dead-lettered the request. */
const REPLAY_LINK_ATTRIBUTES = { "callbridge.link": "replayed dead letter" } as const;

/** A letter's request on its way, with the span of its replay (none with tracing off). */
export interface TracedOutgoing {
  readonly outgoing: Outgoing;
  readonly span: Span | undefined;
}

/**
 * Starts the span of one letter's replay and puts its `traceparent` on the request, in place of
 * the letter's. The span is a root: a replay is an operator's new act, not a step of the
 * request's first trace, which it links to instead (the letter's `traceparent`, when valid).
 * It lasts from the letter joining a produce request to the broker's answer. With tracing off,
 * the request goes as it is (the letter's own trace headers kept, as before tracing).
 */
export function startReplaySpan(letter: Letter, outgoing: Outgoing, topic: string): TracedOutgoing {
  if (!tracingOn()) return { outgoing, span: undefined };
  const original = parseTraceparent(letter.record.headers[TRACEPARENT_HEADER]);
  const span = tracer("cli").startSpan(REPLAY_SPAN_NAME, {
    kind: SpanKind.PRODUCER,
    root: true,
    attributes: {
      "messaging.system": "kafka",
      "messaging.destination.name": topic,
      "messaging.operation.type": "send",
      "callbridge.dlq.reason": letter.reason,
      "callbridge.dlq.partition": letter.partition,
      "callbridge.dlq.offset": Number(letter.offset),
    },
    ...(original ? { links: [{ context: original, attributes: REPLAY_LINK_ATTRIBUTES }] } : {}),
  });
  const headers = withTraceHeaders({ ...outgoing.request.headers }, trace.setSpan(context.active(), span));
  const request: OutgoingRecord = { ...outgoing.request, headers };
  return { outgoing: { ...outgoing, request }, span };
}

/**
 * Ends the spans of a produce request's letters by how it went: acknowledged ones as sent,
 * those the broker refused for their size (`error.type` too_large), and the rest, which a
 * failure stopped, with its kind (permanent or transient).
 */
export function endReplaySpans(batch: readonly TracedOutgoing[], outcome: BatchOutcome): void {
  const acknowledged = new Set(outcome.acknowledged.map((o) => o.id));
  const refused = new Set(outcome.refused.map((r) => r.letter.id));
  for (const { outgoing, span } of batch) {
    if (!span) continue;
    if (refused.has(outgoing.id)) failSpan(span, undefined, "too_large");
    else if (!acknowledged.has(outgoing.id)) failSpan(span, undefined, outcome.stop?.kind ?? "not_sent");
    span.end();
  }
}

/** Ends the spans of letters that were never sent (the replay stopped first). */
export function abandonReplaySpans(batch: readonly TracedOutgoing[]): void {
  for (const { span } of batch) {
    if (!span) continue;
    failSpan(span, undefined, "not_sent");
    span.end();
  }
}
