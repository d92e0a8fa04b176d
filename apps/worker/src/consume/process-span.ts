import type { ConsumedRecord, TopicRecord } from "@callbridge/kafka";
import { context, contextFromHeaders, inSpan, SpanKind, trace, tracingOn, withTraceHeaders } from "@callbridge/observability";
import { type CallRequest, maskPhoneNumber } from "@callbridge/schemas";
import type { Deferral } from "../deferral/deferral-record.js";

/**
 * Runs one request's processing in a CONSUMER span (OpenTelemetry messaging conventions:
 * `process {topic}`), continuing the trace its record's `traceparent` names: the ingest's
 * produce span for a new request, the previous hop's span for one back from waiting (deferral,
 * parking). `work` answers how the request ended (an outcome, or deferred, settled, abandoned),
 * recorded as `callbridge.outcome`. Attributes identify the request without its number: the
 * idempotency key, the campaign, the number masked. With tracing off, `work` just runs.
 */
export async function inProcessSpan(
  record: ConsumedRecord,
  request: CallRequest,
  deferral: Deferral | undefined,
  work: () => Promise<string>,
): Promise<void> {
  if (!tracingOn()) {
    await work();
    return;
  }
  // Never a parent from whatever context the consumer's callback happened to run in.
  const parent = contextFromHeaders(record.headers, trace.deleteSpan(context.active()));
  await inSpan(
    "worker",
    `process ${record.topic}`,
    async (span) => {
      const ended = await work();
      span?.setAttribute("callbridge.outcome", ended);
    },
    {
      kind: SpanKind.CONSUMER,
      parent,
      attributes: {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": record.topic,
        "messaging.destination.partition.id": String(record.partition),
        "messaging.kafka.offset": Number(record.offset),
        "callbridge.idempotency_key": request.idempotency_key,
        "callbridge.campaign.id": request.campaign_id,
        "callbridge.to": maskPhoneNumber(request.to),
        ...(deferral ? { "callbridge.deferral.reason": deferral.reason, "callbridge.deferral.count": deferral.count } : {}),
      },
    },
  );
}

/** A record this hop writes, its `traceparent` set to the active span (unchanged with tracing off). */
export function stampTrace(record: TopicRecord): TopicRecord {
  if (!tracingOn()) return record;
  return { topic: record.topic, record: { ...record.record, headers: withTraceHeaders(record.record.headers ?? {}) } };
}
