import { failSpan, inSpan, type Span, SpanKind, traceHeaders, tracingOn } from "@callbridge/observability";
import type { CallRequest } from "@callbridge/schemas";
import { isTalkoverError, type TalkoverClient } from "@callbridge/talkover-client";
import type { WorkerMetrics } from "../metrics.js";
import type { AttemptOutcome } from "./decide.js";

/** What one request to the API needs. */
interface SendDeps {
  readonly client: Pick<TalkoverClient, "createCampaignCall">;
  readonly metrics: WorkerMetrics;
}

/** The Talkover request's span name and `url.template` (OpenTelemetry HTTP client conventions). */
const CREATE_CALL_TEMPLATE = "/api/v1/campaigns/{campaign_id}/call";

/**
 * One request to the API, with its metrics; never throws. With tracing on it runs in a CLIENT
 * span whose W3C `traceparent` the request carries, so the API's side of the call joins the trace.
 */
export function send(
  request: CallRequest,
  allowDuplicates: boolean,
  deps: SendDeps,
  signal: AbortSignal,
  now: () => Date,
): Promise<AttemptOutcome> {
  if (!tracingOn()) return sendOnce(request, allowDuplicates, deps, signal, now, undefined);
  return inSpan("worker", `POST ${CREATE_CALL_TEMPLATE}`, (span) => sendOnce(request, allowDuplicates, deps, signal, now, span), {
    kind: SpanKind.CLIENT,
    attributes: {
      "http.request.method": "POST",
      "url.template": CREATE_CALL_TEMPLATE,
      "callbridge.campaign.id": request.campaign_id,
      "callbridge.allow_duplicates": allowDuplicates,
    },
  });
}

async function sendOnce(
  request: CallRequest,
  allowDuplicates: boolean,
  deps: SendDeps,
  signal: AbortSignal,
  now: () => Date,
  span: Span | undefined,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const sentAt = now().toISOString();
  deps.metrics.inFlightCalls.inc();
  try {
    const response = await deps.client.createCampaignCall(
      request.campaign_id,
      {
        to: request.to,
        payload: request.payload,
        context: request.context,
        is_testing: request.is_testing,
        allow_duplicates: allowDuplicates,
      },
      span ? { signal, headers: traceHeaders() } : { signal },
    );
    span?.setAttribute("http.response.status_code", 201);
    span?.setAttribute("callbridge.call.id", response.campaign_call.id);
    deps.metrics.apiResponse("201").inc();
    deps.metrics.apiDurationOf("2xx").observe((performance.now() - started) / 1000);
    return { kind: "created", call: response.campaign_call, at: now().toISOString() };
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    if (!isTalkoverError(error)) {
      failSpan(span, error, "internal");
      deps.metrics.apiResponse("error").inc();
      return { kind: "crashed", message: String(error), sentAt, at: now().toISOString() };
    }
    const label = error.status === undefined ? error.kind : String(error.status);
    if (span) {
      if (error.status !== undefined) span.setAttribute("http.response.status_code", error.status);
      if ("code" in error && typeof error.code === "string") span.setAttribute("callbridge.error_code", error.code);
      failSpan(span, error, label);
    }
    deps.metrics.apiResponse(label).inc();
    deps.metrics.apiDurationOf(error.status === undefined ? label : `${Math.floor(error.status / 100)}xx`).observe(seconds);
    return { kind: "failed", error, sentAt, at: now().toISOString() };
  } finally {
    deps.metrics.inFlightCalls.dec();
  }
}

export function describe(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case "created":
      return "201";
    case "failed":
      return outcome.error.status === undefined ? outcome.error.kind : `${outcome.error.status} ${outcome.error.code}`;
    case "crashed":
      return "internal error";
    case "circuit_open":
      return "not sent: circuit open";
  }
}
