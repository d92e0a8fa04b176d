// The real Prometheus the run starts: the repository's job names and rules, our ports, 1 s scrapes.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StartedResources } from "./started-resources.js";
import type { ScrapeJob } from "./under-proof.js";

/** promtool ships beside prometheus (Debian's package puts both in /usr/bin). */
export function promtoolBin(prometheusBin: string): string {
  return prometheusBin.replace(/prometheus$/, "promtool");
}

export type RulesCheck = { readonly ok: true } | { readonly ok: false; readonly output: string };

/** `promtool check rules`; a missing promtool is not a failure (Prometheus itself then rejects bad rules). */
export function checkRules(prometheusBin: string, files: readonly string[]): RulesCheck {
  if (files.length === 0) return { ok: true };
  const check = spawnSync(promtoolBin(prometheusBin), ["check", "rules", ...files], { encoding: "utf8" });
  if (check.error === undefined && check.status !== 0) return { ok: false, output: `${check.stdout}${check.stderr}` };
  return { ok: true };
}

/** A prometheus.yml for the repository's jobs that have a target in `targetsByJob` (others are left out). */
export function prometheusConfig(
  jobs: readonly ScrapeJob[],
  targetsByJob: Readonly<Record<string, readonly string[]>>,
  ruleFiles: readonly string[],
): Record<string, unknown> {
  return {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s", external_labels: { stack: "prove-dashboards" } },
    rule_files: ruleFiles,
    scrape_configs: jobs.flatMap((job) => {
      const targets = targetsByJob[job.name];
      if (!targets) return [];
      const labels = job.service ? { labels: { service: job.service } } : {};
      return [{ job_name: job.name, metrics_path: job.metricsPath, static_configs: [{ targets, ...labels }] }];
    }),
  };
}

/** Writes the config (JSON is YAML: no YAML library needed) and starts Prometheus on `port`; answers its URL. */
export function startPrometheus(resources: StartedResources, prometheusBin: string, config: Record<string, unknown>, port: number): string {
  const configFile = join(resources.tmp, "prometheus.yml");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  resources.start("prometheus", prometheusBin, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(resources.tmp, "tsdb")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--storage.tsdb.retention.time=1h",
    "--log.level=warn",
  ]);
  return `http://127.0.0.1:${port}`;
}
