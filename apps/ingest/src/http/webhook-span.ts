import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Attributes,
  contextFromHeaders,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  spanTraceFields,
  trace,
  traceHeaders,
  tracer,
} from "@callbridge/observability";
import type { RequestOutcome } from "../metrics.js";

// The ingest passes its trace context explicitly, by the webhook's response, rather than through
// an AsyncLocalStorage context manager (not registered in the ingest: see main.ts): on Node 20,
// AsyncLocalStorage hooks every promise in the process, and the ingest makes many per webhook;
// measured, that alone cost it ~18% of its throughput with every span dropped.

/** The route template, the span's name and `http.route` (OpenTelemetry HTTP semantic conventions). */
const WEBHOOK_ROUTE = "/webhooks/{source_id}";

const spans = new WeakMap<ServerResponse, Span>();

/**
 * Starts a webhook's SERVER span (only called with tracing on), kept by its response until
 * endWebhookSpan. A `traceparent` the sender set is honoured: the span joins the sender's trace.
 */
export function startWebhookSpan(req: IncomingMessage, res: ServerResponse, sourceId: string): void {
  const parent = contextFromHeaders(req.headers);
  const span = tracer("ingest").startSpan(
    `POST ${WEBHOOK_ROUTE}`,
    {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": "POST", "http.route": WEBHOOK_ROUTE, "callbridge.source.id": sourceId },
    },
    parent,
  );
  spans.set(res, span);
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

/** The webhook's `trace_id`/`span_id` for its log lines (nothing untraced). */
export function webhookTraceFields(res: ServerResponse): { trace_id: string; span_id: string } | Record<string, never> {
  return spanTraceFields(spans.get(res)) ?? {};
}

/** The webhook's trace id for an exemplar, when its span is sampled. */
export function webhookTraceId(res: ServerResponse): string | undefined {
  return spanTraceFields(spans.get(res))?.trace_id;
}

/**
 * Runs a synchronous step of the webhook (verification, routing) and, with tracing on, sets
 * `attributes` of its answer on the webhook's span. These steps take microseconds: a span of
 * their own each would cost more to build and export than they take.
 */
export function annotated<T>(res: ServerResponse, work: () => T, attributes: (answer: T) => Attributes): T {
  const answer = work();
  spans.get(res)?.setAttributes(attributes(answer));
  return answer;
}

/**
 * Runs the write of a webhook's records; `write` gets the headers that carry the webhook's span
 * to every record (W3C `traceparent`), so the worker's span of each request is its child. The
 * produce has no span of its own (a second span per webhook cost the ingest ~7% of its
 * throughput): its records' idempotency keys are attributes of the webhook's span, to search by.
 * Untraced, `write` gets none.
 */
export function producing<T>(
  res: ServerResponse,
  idempotencyKeys: () => string[],
  write: (headers: Readonly<Record<string, string>>) => Promise<T>,
): Promise<T> {
  const webhook = spans.get(res);
  if (!webhook) return write(NO_HEADERS);
  webhook.setAttribute("callbridge.idempotency_keys", idempotencyKeys());
  return write(traceHeaders(trace.setSpan(ROOT_CONTEXT, webhook)));
}

const NO_HEADERS: Readonly<Record<string, string>> = {};
