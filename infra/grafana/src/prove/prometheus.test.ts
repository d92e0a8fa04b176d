import { describe, expect, it } from "vitest";
import { prometheusConfig, promtoolBin } from "./prometheus.js";
import { table } from "./report.js";

describe("the Prometheus the run starts", () => {
  it("scrapes only the repository's jobs it has targets for, keeping their paths and service labels", () => {
    const jobs = [
      { name: "callbridge-ingest", metricsPath: "/metrics", service: "ingest" },
      { name: "prometheus", metricsPath: "/metrics", service: undefined },
      { name: "elsewhere", metricsPath: "/metrics", service: "x" },
    ];
    const config = prometheusConfig(jobs, { "callbridge-ingest": ["127.0.0.1:1"], prometheus: ["127.0.0.1:2"] }, ["rules.yml"]);
    expect(config.rule_files).toEqual(["rules.yml"]);
    expect(config.scrape_configs).toEqual([
      {
        job_name: "callbridge-ingest",
        metrics_path: "/metrics",
        static_configs: [{ targets: ["127.0.0.1:1"], labels: { service: "ingest" } }],
      },
      { job_name: "prometheus", metrics_path: "/metrics", static_configs: [{ targets: ["127.0.0.1:2"] }] },
    ]);
  });

  it("looks for promtool beside prometheus", () => {
    expect(promtoolBin("/opt/prom/bin/prometheus")).toBe("/opt/prom/bin/promtool");
  });
});

describe("the report", () => {
  it("pads columns to their widest cell", () => {
    expect(
      table(
        ["panel", "n"],
        [
          ["Calls", 12],
          ["Lag", 3],
        ],
      ),
    ).toBe("panel  n\n-----  --\nCalls  12\nLag    3");
  });
});
