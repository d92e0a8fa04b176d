// "callbridge — overview": the whole pipeline on one page, from webhooks in to calls placed.
// Metric names and labels are those of apps/ingest/src/metrics.ts and apps/worker/src/metrics.ts;
// the package's test fails when an expression names a metric or label they do not define.
import { type Dashboard, DashboardBuilder, DashboardCursorSync, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { datasourceVariable, JOBS, numberPanels, quantile, quantiles, stat, timeseries } from "./builders.js";
import { deferralPanels } from "./deferral-row.js";
import { recipientPanels } from "./recipient-row.js";

/** Ingest outcomes answered 4xx (see RequestOutcome in apps/ingest/src/metrics.ts). */
const INGEST_4XX = "bad_request|unauthorized|unknown_source|payload_too_large|unsupported_media_type";
/** Ingest outcomes answered 5xx: 503 (Kafka did not acknowledge in time, or draining) and 500. */
const INGEST_5XX = "unavailable|error";

const UP_DOWN = [
  { value: 0, text: "DOWN", color: "red" },
  { value: 1, text: "UP", color: "green" },
] as const;

const READY = [
  { value: 0, text: "NOT READY", color: "red" },
  { value: 1, text: "READY", color: "green" },
] as const;

export const OVERVIEW_UID = "callbridge-overview";

export function overviewDashboard(): Dashboard {
  const builder = new DashboardBuilder("callbridge — overview")
    .uid(OVERVIEW_UID)
    .description("Webhooks in, call requests through Kafka, calls placed at Talkover: rates, latencies, limits and failures.")
    .tags(["callbridge"])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: "now-1h", to: "now" })
    .refresh("30s")
    .timezone("browser")
    .withVariable(datasourceVariable())

    // Health -------------------------------------------------------------------------------
    .withRow(new RowBuilder("Health"))
    .withPanel(
      stat({
        title: "Scrape targets up",
        description: "Prometheus `up` for the ingest and worker scrape jobs: DOWN means the process is gone or /metrics does not answer.",
        unit: "none",
        size: { w: 6, h: 4 },
        states: UP_DOWN,
        targets: [{ expr: `up{job=~"${JOBS.ingest}|${JOBS.worker}"}`, legend: "{{job}} {{instance}}" }],
      }),
    )
    .withPanel(
      stat({
        title: "Ingest ready",
        description: "1 while the ingest accepts webhooks (producer connected, not draining). One value per replica.",
        unit: "none",
        size: { w: 4, h: 4 },
        states: READY,
        targets: [{ expr: "callbridge_ingest_ready", legend: "{{instance}}" }],
      }),
    )
    .withPanel(
      stat({
        title: "Worker ready",
        description: "1 while the worker consumes (group joined, producer connected, not draining). One value per replica.",
        unit: "none",
        size: { w: 4, h: 4 },
        states: READY,
        targets: [{ expr: "callbridge_worker_ready", legend: "{{instance}}" }],
      }),
    )
    .withPanel(
      stat({
        title: "Talkover circuit",
        description:
          "OPEN while Talkover refuses the API token (401): consumption is paused, nothing is dead-lettered, the worker probes until the token is accepted.",
        unit: "none",
        size: { w: 5, h: 4 },
        states: [
          { value: 0, text: "closed", color: "green" },
          { value: 1, text: "OPEN (token refused)", color: "red" },
        ],
        targets: [{ expr: "max(callbridge_worker_circuit_open)", legend: "circuit" }],
      }),
    )
    .withPanel(
      stat({
        title: "Consumer lag",
        description: "Records on the requests topic not yet committed by the worker group, all partitions.",
        unit: "short",
        size: { w: 5, h: 4 },
        thresholds: [
          { value: 1000, color: "yellow" },
          { value: 10000, color: "red" },
        ],
        targets: [{ expr: "sum(callbridge_worker_consumer_lag_records)", legend: "records" }],
      }),
    )

    // Ingest -------------------------------------------------------------------------------
    .withRow(new RowBuilder("Ingest: webhooks to Kafka"))
    .withPanel(
      timeseries({
        title: "Webhooks in by source and outcome",
        description: "Webhook requests per second, by source id and outcome (accepted = answered 2xx after Kafka acknowledged).",
        unit: "reqps",
        targets: [
          {
            expr: "sum by (source, outcome) (rate(callbridge_ingest_webhook_requests_total[$__rate_interval]))",
            legend: "{{source}} {{outcome}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Ingest errors: 4xx / 5xx / 503",
        description:
          "Refused webhooks per second. 4xx: bad body, bad signature (401), unknown source, too large, wrong content type. " +
          "5xx: 503 (Kafka did not acknowledge within PRODUCE_TIMEOUT_MS, or draining; the CRM retries) and 500.",
        unit: "reqps",
        targets: [
          {
            expr: `sum(rate(callbridge_ingest_webhook_requests_total{outcome=~"${INGEST_4XX}"}[$__rate_interval]))`,
            legend: "4xx",
          },
          {
            expr: `sum(rate(callbridge_ingest_webhook_requests_total{outcome=~"${INGEST_5XX}"}[$__rate_interval]))`,
            legend: "5xx",
          },
          {
            expr: `sum(rate(callbridge_ingest_webhook_requests_total{outcome="unavailable"}[$__rate_interval]))`,
            legend: "503 (Kafka not acknowledging / draining)",
          },
          {
            expr: `sum by (outcome) (rate(callbridge_ingest_webhook_requests_total{outcome=~"${INGEST_4XX}"}[$__rate_interval]))`,
            legend: "4xx {{outcome}}",
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Call requests produced by route",
        description: "CallRequest v1 records written to the requests topic (acknowledged, acks=all), by route.",
        unit: "ops",
        size: { w: 8, h: 8 },
        targets: [{ expr: "sum by (route) (rate(callbridge_ingest_call_requests_total[$__rate_interval]))", legend: "{{route}}" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Events by outcome",
        description:
          "CRM events in accepted webhooks: routed (once per matching route), ignored (no route), duplicate (redelivery), invalid_phone (dead-lettered by the ingest).",
        unit: "ops",
        size: { w: 8, h: 8 },
        targets: [{ expr: "sum by (outcome) (rate(callbridge_ingest_events_total[$__rate_interval]))", legend: "{{outcome}}" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Webhook answer latency p95 by source",
        description:
          "From receiving a webhook to answering it (includes the acks=all produce). With tracing on, the dots are exemplars: a webhook's trace in Jaeger.",
        unit: "s",
        size: { w: 8, h: 8 },
        targets: [{ expr: quantile(0.95, "callbridge_ingest_request_duration_seconds", ["source"]), legend: "{{source}}", exemplar: true }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Kafka produce latency p95 by result",
        description: "Duration of one acks=all produce call (shared by concurrent webhooks), by result.",
        unit: "s",
        targets: [{ expr: quantile(0.95, "callbridge_ingest_produce_duration_seconds", ["result"]), legend: "{{result}}" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Records per produce call",
        description: "How well concurrent webhooks share broker round trips (micro-batching): p50 and p95 records per produce call.",
        unit: "short",
        targets: [
          { expr: quantile(0.5, "callbridge_ingest_produce_batch_records"), legend: "p50" },
          { expr: quantile(0.95, "callbridge_ingest_produce_batch_records"), legend: "p95" },
        ],
      }),
    )

    // Worker -------------------------------------------------------------------------------
    .withRow(new RowBuilder("Worker: calls"))
    .withPanel(
      timeseries({
        title: "Worker outcomes: placed / duplicate / dead-lettered / already placed",
        description: "Call requests finished per second, by outcome. Every request ends in exactly one outcome.",
        unit: "ops",
        targets: [{ expr: "sum by (outcome) (rate(callbridge_worker_requests_total[$__rate_interval]))", legend: "{{outcome}}" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Webhook-to-call latency p50 / p95 / p99",
        description:
          "From the ingest receiving the CRM webhook to Talkover accepting the call (201), limiter waits and retries included. With tracing on, the dots are exemplars: a call's trace in Jaeger.",
        unit: "s",
        targets: quantiles("callbridge_worker_webhook_to_call_seconds", { exemplars: true }),
      }),
    )
    .withPanel(
      timeseries({
        title: "Talkover API latency p50 / p95 / p99",
        description:
          "Duration of one POST /campaigns/{id}/call attempt, limiter wait excluded. With tracing on, the dots are exemplars: an attempt's trace in Jaeger.",
        unit: "s",
        targets: quantiles("callbridge_worker_api_request_duration_seconds", { exemplars: true }),
      }),
    )
    .withPanel(
      timeseries({
        title: "Talkover API responses by status",
        description: "Answers of the call endpoint per second by HTTP status, or timeout/connection/aborted when there was none.",
        unit: "reqps",
        targets: [{ expr: "sum by (status) (rate(callbridge_worker_api_responses_total[$__rate_interval]))", legend: "{{status}}" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Retries by reason, and 429s",
        description:
          "Attempts repeated per second, by reason, and the 429 answers that caused the rate_limited ones (429s spend no attempt).",
        unit: "ops",
        targets: [
          { expr: "sum by (reason) (rate(callbridge_worker_retries_total[$__rate_interval]))", legend: "retry: {{reason}}" },
          { expr: 'sum(rate(callbridge_worker_api_responses_total{status="429"}[$__rate_interval]))', legend: "429 answers" },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Dead letters by reason and code",
        description:
          "Records written to the dead-letter topic per second: by the worker (reason, Talkover error code) and by the ingest (invalid_phone).",
        unit: "ops",
        targets: [
          {
            expr: "sum by (reason, code) (rate(callbridge_worker_dead_letters_total[$__rate_interval]))",
            legend: "worker {{reason}} {{code}}",
          },
          {
            expr: 'sum by (source) (rate(callbridge_ingest_events_total{outcome="invalid_phone"}[$__rate_interval]))',
            legend: "ingest invalid_phone ({{source}})",
          },
        ],
      }),
    )

    // Limiter and consumption --------------------------------------------------------------
    .withRow(new RowBuilder("Worker: rate limiter and consumption"))
    .withPanel(
      timeseries({
        title: "Limiter wait p95",
        description: "Time a call waited for its rate-limit tokens and a concurrency slot (p95 over all replicas).",
        unit: "s",
        size: { w: 8, h: 8 },
        targets: [{ expr: quantile(0.95, "callbridge_worker_limiter_wait_seconds"), legend: "p95" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Limiter queued calls",
        description: "Calls waiting in the rate limiter, per replica.",
        unit: "short",
        size: { w: 8, h: 8 },
        targets: [{ expr: "sum by (instance) (callbridge_worker_limiter_queued_calls)", legend: "{{instance}}" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Limiter effective rate",
        description:
          "Calls per second the global token bucket allows now: halved after a 429, recovering by 10% every 5 s to the configured rate.",
        unit: "ops",
        size: { w: 8, h: 8 },
        targets: [{ expr: "max by (instance) (callbridge_worker_limiter_rate_per_second)", legend: "{{instance}}" }],
      }),
    )
    .withPanel(
      timeseries({
        title: "Limiter on its local share",
        description:
          "1 while a replica cannot reach Redis and limits calls by its own share of the rate and concurrency (divided by the workers in the group), per replica; and the group's size.",
        unit: "short",
        targets: [
          { expr: "max by (instance) (callbridge_worker_limiter_local_share)", legend: "{{instance}} on its share" },
          { expr: "max(callbridge_worker_group_members)", legend: "workers in the group" },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "In-flight calls and records",
        description:
          "Calls at the Talkover API right now, and records taken from Kafka and not yet finished (fetching pauses at MAX_IN_FLIGHT).",
        unit: "short",
        targets: [
          { expr: "sum(callbridge_worker_in_flight_calls)", legend: "calls at the API" },
          { expr: "sum(callbridge_worker_in_flight_records)", legend: "records in flight" },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: "Consumer lag per partition",
        description:
          "Records on the requests topic not yet committed by the worker group, per partition (refreshed every LAG_INTERVAL_MS).",
        unit: "short",
        targets: [
          {
            expr: "max by (topic, partition) (callbridge_worker_consumer_lag_records)",
            legend: "{{topic}} [{{partition}}]",
          },
        ],
      }),
    )

    // Deferral and parking -----------------------------------------------------------------
    .withRow(new RowBuilder("Deferral and parking"));
  for (const panel of deferralPanels()) builder.withPanel(panel);
  builder.withRow(new RowBuilder("Recipient guard"));
  for (const panel of recipientPanels()) builder.withPanel(panel);
  return numberPanels(builder.build());
}
