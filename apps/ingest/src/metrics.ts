import {
  Counter,
  childByLabel,
  exemplarsWhenTracing,
  Gauge,
  Histogram,
  LATENCY_BUCKETS_SECONDS,
  type Registry,
  tracedObserver,
} from "@callbridge/observability";

/** Outcome of one webhook request, as its status says. */
export type RequestOutcome =
  | "accepted"
  | "unauthorized"
  | "bad_request"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unavailable"
  | "unknown_source"
  | "error";

/**
 * Outcome of one event (or one event x route pair) inside an accepted webhook; `opt_out`: an
 * opt-out matched and its number was written to the do-not-call list.
 */
export type EventOutcome = "routed" | "ignored" | "duplicate" | "invalid_phone" | "opt_out";

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** Labels are bounded by configuration: source ids and route names, never event data. */
export function createIngestMetrics(registry: Registry) {
  const metrics = createMetrics(registry);
  return {
    ...metrics,
    /** `requests` of one source, by outcome. */
    requestsOf: childByLabel((source) => childByLabel((outcome) => metrics.requests.labels({ source, outcome }))),
    /** `events` of one source, by outcome. */
    eventsOf: childByLabel((source) => childByLabel((outcome) => metrics.events.labels({ source, outcome }))),
    /** `requestDuration` of one source. */
    requestDurationOf: childByLabel((source) => tracedObserver(metrics.requestDuration, { source })),
    /** `callRequests` of one route. */
    callRequestsOf: childByLabel((route) => metrics.callRequests.labels({ route })),
    /** `optOuts` of one opt-out. */
    optOutsOf: childByLabel((route) => metrics.optOuts.labels({ route })),
    /** `produceDuration` by result. */
    produceDurationOf: childByLabel((result) => metrics.produceDuration.labels({ result })),
  };
}

function createMetrics(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: "callbridge_ingest_webhook_requests_total",
      help: "Webhook requests by source id and outcome (accepted means answered 2xx after Kafka, and Redis for opt-outs, acknowledged).",
      labelNames: ["source", "outcome"] as const,
      registers,
    }),
    events: new Counter({
      name: "callbridge_ingest_events_total",
      help: "CRM events in accepted webhooks, by source id and outcome; a routed event counts once per matching route.",
      labelNames: ["source", "outcome"] as const,
      registers,
    }),
    callRequests: new Counter({
      name: "callbridge_ingest_call_requests_total",
      help: "Call requests written to Kafka, by route.",
      labelNames: ["route"] as const,
      registers,
    }),
    optOuts: new Counter({
      name: "callbridge_ingest_opt_outs_total",
      help: "Opt-outs written to the do-not-call list (acknowledged by Redis), by opt-out name; a number already listed counts too.",
      labelNames: ["route"] as const,
      registers,
    }),
    requestDuration: new Histogram({
      name: "callbridge_ingest_request_duration_seconds",
      help: "Time from receiving a webhook to answering it, by source id.",
      labelNames: ["source"] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      // With tracing on, each bucket keeps the trace id of its latest webhook (OpenMetrics exemplar).
      ...exemplarsWhenTracing(),
      registers,
    }),
    produceDuration: new Histogram({
      name: "callbridge_ingest_produce_duration_seconds",
      help: "Duration of one acks=all produce call carrying one or more webhooks' records, by result.",
      labelNames: ["result"] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    produceBatchRecords: new Histogram({
      name: "callbridge_ingest_produce_batch_records",
      help: "Records per produce call: how well concurrent webhooks share broker round trips.",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    }),
    ready: new Gauge({
      name: "callbridge_ingest_ready",
      help: "1 while the ingest accepts webhooks (producer connected, not draining), else 0.",
      registers,
    }),
  };
}
