import { spawn } from "node:child_process";
import { createIngestMetrics, type EventOutcome, type IngestMetrics, type RequestOutcome } from "@callbridge/ingest";
import { createRegistry, type Registry } from "@callbridge/observability";
import {
  CampaignStatus,
  DEFAULT_TOPICS,
  DEFERRAL_TIERS,
  DeferralReason,
  DlqReason,
  SuppressionReason,
  TalkoverErrorCode,
} from "@callbridge/schemas";
import { createWorkerMetrics, type WorkerMetrics } from "@callbridge/worker";
import { describe, expect, it } from "vitest";

// `promtool check metrics` must print nothing for our own registries (docs/observability.md). promtool comes
// from the Debian package `prometheus` (scripts/check-prometheus.sh and check-compose.sh install it).

// Record<Union, true> fails to compile when an outcome is added to the app and not here.
const REQUEST_OUTCOMES = Object.keys({
  accepted: true,
  unauthorized: true,
  bad_request: true,
  payload_too_large: true,
  unsupported_media_type: true,
  unavailable: true,
  unknown_source: true,
  error: true,
} satisfies Record<RequestOutcome, true>) as RequestOutcome[];
const EVENT_OUTCOMES = Object.keys({
  routed: true,
  ignored: true,
  duplicate: true,
  invalid_phone: true,
  opt_out: true,
} satisfies Record<EventOutcome, true>) as EventOutcome[];

/** The example routes file's sources, plus the label of a webhook for an unknown source. */
const SOURCES = ["hubspot", "hubspot-workflows", "standard", "pipedrive", "salesforce", "unknown"];
const ROUTES = ["hubspot-phone-change", "hubspot-workflow-contact", "standard-call-requested", "pipedrive-new-person", "salesforce-lead"];

const WORKER_OUTCOMES = ["placed", "duplicate", "dead_lettered", "already_placed", "invalid_message", "suppressed"];
const API_STATUSES = [
  "201",
  "400",
  "401",
  "403",
  "404",
  "408",
  "409",
  "422",
  "429",
  "500",
  "502",
  "503",
  "timeout",
  "connection",
  "aborted",
];
const STATUS_CLASSES = ["2xx", "4xx", "5xx", "timeout", "connection", "aborted"];
const RETRY_REASONS = ["server_error", "timeout", "connection", "invalid_response", "unexpected_status", "rate_limited", "unauthorized"];
const RECOVERY_REASONS = ["keys_lost", "stalled"];

/** One sample in every series the ingest can export. */
function recordIngestSeries(metrics: IngestMetrics): void {
  for (const source of SOURCES) {
    for (const outcome of REQUEST_OUTCOMES) metrics.requests.inc({ source, outcome });
    for (const outcome of EVENT_OUTCOMES) metrics.events.inc({ source, outcome }, 2);
    metrics.requestDuration.observe({ source }, 0.007);
  }
  for (const route of ROUTES) metrics.callRequests.inc({ route });
  for (const route of ["hubspot-do-not-call", "pipedrive-do-not-call"]) metrics.optOuts.inc({ route });
  metrics.produceDuration.observe({ result: "ok" }, 0.004);
  metrics.produceDuration.observe({ result: "failed" }, 4);
  metrics.produceBatchRecords.observe(37);
  metrics.ready.set(1);
}

/** One sample in every series the worker can export. */
function recordWorkerSeries(metrics: WorkerMetrics): void {
  for (const outcome of WORKER_OUTCOMES) metrics.outcomes.inc({ outcome });
  for (const status of API_STATUSES) metrics.apiResponses.inc({ status });
  for (const status_class of STATUS_CLASSES) metrics.apiDuration.observe({ status_class }, 0.12);
  for (const reason of RETRY_REASONS) metrics.retries.inc({ reason });
  for (const reason of DlqReason.options) {
    for (const code of [...TalkoverErrorCode.options, "none"]) metrics.deadLetters.inc({ reason, code });
  }
  metrics.limiterWait.observe(0.35);
  metrics.limiterQueued.set(4);
  metrics.limiterRate.set(10);
  for (const reason of RECOVERY_REASONS) metrics.limiterRecoveries.inc({ reason });
  for (const topic of ["dead_letters", "results"]) metrics.trimmedRecords.inc({ topic });
  metrics.inFlightCalls.set(3);
  metrics.inFlightRecords.set(12);
  for (const partition of ["0", "1", "2"]) metrics.consumerLag.set({ topic: DEFAULT_TOPICS.callRequests, partition }, 42);
  metrics.webhookToCall.observe(1.8);
  metrics.circuitOpen.set(0);
  metrics.ready.set(1);
  for (const reason of DeferralReason.options) metrics.deferrals.inc({ reason });
  for (const campaign_status of ["draft", "paused", "unknown"]) metrics.parkings.inc({ campaign_status });
  metrics.redrives.inc();
  for (const result of [...CampaignStatus.options, "error"]) metrics.campaignPolls.inc({ result });
  for (const tier of DEFERRAL_TIERS) metrics.deferredRequests.set({ tier: tier.name }, 3);
  metrics.deferredOverdue.set(0);
  metrics.deferredNextDue.set(1_765_000_000);
  for (const reason of ["calling_window", "frequency_cap", "cooldown"]) {
    metrics.recipientDeferrals.inc({ reason });
    metrics.recipientDeferralWait.observe({ reason }, 9 * 3600);
  }
  for (const reason of SuppressionReason.options) metrics.recipientSuppressions.inc({ reason });
  metrics.windowOpenings.inc();
}

interface Promtool {
  readonly code: number | null;
  readonly output: string;
}

/** Pipes the exposition text to `promtool check metrics`; stdout and stderr together. */
function promtoolCheckMetrics(exposition: string): Promise<Promtool> {
  return new Promise((resolve, reject) => {
    const child = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", (error) =>
      reject(
        new Error("could not run promtool: install the Debian package prometheus (bash scripts/check-prometheus.sh does)", {
          cause: error,
        }),
      ),
    );
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

/** Renders the registry and checks that every metric family has at least one sample in it. */
async function renderWithEverySeries(registry: Registry): Promise<string> {
  const exposition = await registry.metrics();
  const samples = exposition.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  const empty = registry
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => !samples.some((line) => new RegExp(`^${name}(_bucket|_sum|_count)?[{ ]`).test(line)));
  expect(empty, "metrics without a sample: record one in this test").toEqual([]);
  return exposition;
}

describe("promtool check metrics", () => {
  it.each([
    ["ingest", (registry: Registry) => recordIngestSeries(createIngestMetrics(registry))],
    ["worker", (registry: Registry) => recordWorkerSeries(createWorkerMetrics(registry))],
  ])("prints nothing for the %s's registry", async (_app, record) => {
    const registry = createRegistry();
    record(registry);
    const exposition = await renderWithEverySeries(registry);

    const promtool = await promtoolCheckMetrics(exposition);

    expect(promtool.output).toBe("");
    expect(promtool.code).toBe(0);
  });

  // Without this, a promtool that never looks at its input would pass the tests above.
  it("complains about a metric that breaks the conventions", async () => {
    const promtool = await promtoolCheckMetrics(
      "# HELP callbridge_demo_latency_milliseconds Latency.\n# TYPE callbridge_demo_latency_milliseconds counter\ncallbridge_demo_latency_milliseconds 1\n",
    );

    expect(promtool.output).toContain('counter metrics should have "_total" suffix');
    expect(promtool.output).toContain('use base unit "seconds" instead of "milliseconds"');
    expect(promtool.code).not.toBe(0);
  });
});
