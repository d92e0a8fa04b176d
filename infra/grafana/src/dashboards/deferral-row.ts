// The "Deferral and parking" row of the overview: metrics of apps/worker/src/metrics.ts
// (deferralMetrics), explained in docs/deferral.md#how-to-watch-it.
import type { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { timeseries } from "./builders.js";

/**
 * Seconds past due at which CallbridgeDeferredOverdue fires (infra/prometheus/rules/callbridge.yml);
 * the package's test fails when the rule says otherwise.
 */
export const DEFERRED_OVERDUE_ALERT_SECONDS = 60;

/** The row's panels, in order. */
export function deferralPanels(): TimeseriesPanelBuilder[] {
  return [
    timeseries({
      title: "Waiting requests by tier",
      description:
        "Requests waiting in each deferral tier topic (5s, 30s, 5m, 1h): the worker group's lag on the tier topic. Every replica reports the same value, hence max.",
      unit: "short",
      size: { w: 8, h: 8 },
      targets: [{ expr: "max by (tier) (callbridge_worker_deferred_requests)", legend: "{{tier}}" }],
    }),
    timeseries({
      title: "Deferrals by reason",
      description:
        "Requests written to a deferral tier per second, by reason: retry_backoff, rate_limited, campaign_not_active. A parked request counts again at every re-check.",
      unit: "ops",
      size: { w: 8, h: 8 },
      targets: [{ expr: "sum by (reason) (rate(callbridge_worker_deferrals_total[$__rate_interval]))", legend: "{{reason}}" }],
    }),
    timeseries({
      title: "Parked and redriven",
      description:
        "Requests parked for the first time per second (campaign not active), by the campaign's status; and parked requests redriven to their call once the campaign became active.",
      unit: "ops",
      size: { w: 8, h: 8 },
      targets: [
        {
          expr: "sum by (campaign_status) (rate(callbridge_worker_parked_requests_total[$__rate_interval]))",
          legend: "parked: {{campaign_status}}",
        },
        { expr: "sum(rate(callbridge_worker_redrives_total[$__rate_interval]))", legend: "redriven" },
      ],
    }),
    timeseries({
      title: "Most overdue waiting request",
      description: `How far past its due time the most overdue waiting request is, over all replicas (0 when none is). CallbridgeDeferredOverdue fires above ${DEFERRED_OVERDUE_ALERT_SECONDS} s (the red line) for 2 minutes.`,
      unit: "s",
      size: { w: 8, h: 8 },
      thresholdLine: DEFERRED_OVERDUE_ALERT_SECONDS,
      targets: [{ expr: "max(callbridge_worker_deferred_overdue_seconds)", legend: "most overdue" }],
    }),
    timeseries({
      title: "Campaign reads by result",
      description:
        "GET /campaigns/{id} reads per second for parked requests, by what they found: the campaign's status (active, draft, paused, completed, cancelled) or error.",
      unit: "reqps",
      size: { w: 8, h: 8 },
      targets: [{ expr: "sum by (result) (rate(callbridge_worker_campaign_polls_total[$__rate_interval]))", legend: "{{result}}" }],
    }),
    timeseries({
      title: "Parked requests dead-lettered",
      description:
        "Parked requests written to the dead-letter topic per second: parked_expired (parked longer than PARK_MAX_AGE_MS) and parked_dropped (dropped by an operator with `callbridge parked drop`).",
      unit: "ops",
      size: { w: 8, h: 8 },
      targets: [
        {
          expr: 'sum by (reason) (rate(callbridge_worker_dead_letters_total{reason=~"parked_expired|parked_dropped"}[$__rate_interval]))',
          legend: "{{reason}}",
        },
      ],
    }),
  ];
}
