import { describe, expect, it } from "vitest";
import { panelTargets, scrapeJobs, substituteGrafanaVariables } from "./under-proof.js";

describe("what is under proof", () => {
  it("takes every query of every data panel, collapsed rows included, and flags a panel without one", () => {
    const targets = panelTargets({
      title: "Overview",
      panels: [
        {
          type: "stat",
          title: "Calls",
          targets: [
            { expr: "sum(a)", legendFormat: "calls" },
            { expr: "sum(b)", refId: "B" },
          ],
        },
        { type: "row", title: "More", panels: [{ type: "timeseries", title: "Lag", targets: [{ expr: "max(lag)" }] }] },
        { type: "text", title: "Notes" },
      ],
    });
    expect(targets).toEqual([
      { dashboard: "Overview", panel: "Calls", legend: "calls", expr: "sum(a)" },
      { dashboard: "Overview", panel: "Calls", legend: "B", expr: "sum(b)" },
      { dashboard: "Overview", panel: "Lag", legend: "(none)", expr: "max(lag)" },
      { dashboard: "Overview", panel: "Notes", legend: "(none)", expr: "" },
    ]);
  });

  it("replaces Grafana's interval variables in both spellings", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's braced variable syntax, not a template
    expect(substituteGrafanaVariables("rate(x[$__rate_interval]) + rate(y[${__interval}]) + z[$__range]")).toBe(
      "rate(x[1m]) + rate(y[15s]) + z[5m]",
    );
  });

  it("reads the job name, metrics path and service label of each scrape job", () => {
    const yml = [
      "scrape_configs:",
      "  - job_name: callbridge-ingest",
      "    static_configs:",
      '      - targets: ["ingest:9464"]',
      "        labels:",
      "          service: ingest",
      '  - job_name: "prometheus"',
      "    metrics_path: /prom/metrics",
    ].join("\n");
    expect(scrapeJobs(yml)).toEqual([
      { name: "callbridge-ingest", metricsPath: "/metrics", service: "ingest" },
      { name: "prometheus", metricsPath: "/prom/metrics", service: undefined },
    ]);
  });
});
