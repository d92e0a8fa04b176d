// The "Recipient guard" row of the overview: metrics of apps/worker/src/metrics.ts
// (recipientMetrics), explained in docs/recipient-protection.md#how-to-watch-it.
import type { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { timeseries } from "./builders.js";

/** The row's panels, in order. */
export function recipientPanels(): TimeseriesPanelBuilder[] {
  return [
    timeseries({
      title: "Deferred by reason",
      description:
        "Requests the recipient guard deferred per second, by reason: calling_window (the recipient's night, in their local time), frequency_cap (as many calls in the rolling period as the policy allows), cooldown.",
      unit: "ops",
      size: { w: 6, h: 8 },
      targets: [{ expr: "sum by (reason) (rate(callbridge_worker_recipient_deferrals_total[$__rate_interval]))", legend: "{{reason}}" }],
    }),
    timeseries({
      title: "Suppressed by reason",
      description:
        "Requests the recipient guard suppressed per second (never called; a final `suppressed` result): do_not_call, opt_out, no_consent, frequency_cap, no_calling_window, unknown_time_zone. The ingest's opt-outs are in its events panel (outcome opt_out).",
      unit: "ops",
      size: { w: 6, h: 8 },
      targets: [{ expr: "sum by (reason) (rate(callbridge_worker_recipient_suppressions_total[$__rate_interval]))", legend: "{{reason}}" }],
    }),
    timeseries({
      title: "Window openings",
      description:
        "Requests deferred for their calling window that went on to their call once it opened, per second: the morning's backlog, spread over the policy's jitter.",
      unit: "ops",
      size: { w: 6, h: 8 },
      targets: [
        { expr: "sum(rate(callbridge_worker_recipient_window_openings_total[$__rate_interval]))", legend: "let through at opening" },
      ],
    }),
    timeseries({
      title: "How far ahead requests are deferred",
      description: "The median and 90th percentile of how far ahead the recipient guard deferred requests, by reason.",
      unit: "s",
      size: { w: 6, h: 8 },
      targets: [
        {
          expr: "histogram_quantile(0.5, sum by (reason, le) (rate(callbridge_worker_recipient_deferral_seconds_bucket[$__rate_interval])))",
          legend: "p50 {{reason}}",
        },
        {
          expr: "histogram_quantile(0.9, sum by (reason, le) (rate(callbridge_worker_recipient_deferral_seconds_bucket[$__rate_interval])))",
          legend: "p90 {{reason}}",
        },
      ],
    }),
  ];
}
