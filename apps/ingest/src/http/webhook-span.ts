import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Attributes,
  type Context,
  contextFromHeaders,
  inSpan,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  tracer,
  tracingOn,
} from "@callbridge/observability";
import type { RequestOutcome } from "../metrics.js";

/** The route template, the span's name and `http.route` (OpenTelemetry HTTP semantic conventions). */
const WEBHOOK_ROUTE = "/webhooks/{source_id}";

const spans = new WeakMap<ServerResponse, Span>();

/**
 * Starts a webhook's SERVER span (only called with tracing on) and returns the context to run
 * the webhook in: child spans (verification, routing, the produce) and the records' `traceparent`
 * hang under it. A `traceparent` the sender set is honoured: the span joins the sender's trace.
 */
export function startWebhookSpan(req: IncomingMessage, res: ServerResponse, sourceId: string): Context {
  const parent = contextFromHeaders(req.headers);
  const span = tracer("ingest").startSpan(
    `POST ${WEBHOOK_ROUTE}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": "POST",
        "http.route": WEBHOOK_ROUTE,
        "url.path": req.url?.split("?")[0] ?? "",
        "callbridge.source.id": sourceId,
      },
    },
    parent,
  );
  spans.set(res, span);
  return trace.setSpan(parent, span);
}

/** Ends the webhook's span with the answer: status code, callbridge's outcome, an error status for 5xx (the server's fault). */
export function endWebhookSpan(res: ServerResponse, status: number, outcome: RequestOutcome): void {
  const span = spans.get(res);
  if (!span) return;
  spans.delete(res);
  span.setAttribute("http.response.status_code", status);
  span.setAttribute("callbridge.webhook.outcome", outcome);
  if (status >= 500) {
    span.setAttribute("error.type", String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Runs a synchronous step of the webhook (verification, routing) and, with tracing on, sets
 * `attributes` of its answer on the webhook's span. These steps take microseconds: a span of
 * their own each would cost more to build and export than they take.
 */
export function annotated<T>(work: () => T, attributes: (answer: T) => Attributes): T {
  const answer = work();
  if (tracingOn()) trace.getActiveSpan()?.setAttributes(attributes(answer));
  return answer;
}

/**
 * Runs the write of a webhook's records in a PRODUCER span (OpenTelemetry messaging
 * conventions), whose context becomes each record's `traceparent`; with tracing off, `write` just runs.
 */
export function producing<T>(topic: string, idempotencyKeys: readonly string[], write: () => Promise<T>): Promise<T> {
  if (!tracingOn()) return write();
  return inSpan("ingest", "send call-requests", write, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": "kafka",
      "messaging.operation.type": "send",
      "messaging.destination.name": topic,
      "messaging.batch.message_count": idempotencyKeys.length,
      "callbridge.idempotency_keys": [...idempotencyKeys],
    },
  });
}
