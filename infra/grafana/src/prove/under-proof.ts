// What the run proves: the panel targets of the dashboard JSON files, and the repository's
// Prometheus scrape jobs and rule files.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const Target = z.object({ expr: z.unknown(), legendFormat: z.string().optional(), refId: z.string().optional() });
const Panel = z.object({ type: z.string(), title: z.string().optional(), targets: z.array(Target).optional() });
/** A dashboard as Grafana reads it; rows carry their panels when collapsed. */
const DashboardJson = z.object({
  title: z.string(),
  panels: z.array(Panel.extend({ panels: z.array(Panel).optional() })),
});
type DashboardJson = z.infer<typeof DashboardJson>;

export interface PanelTarget {
  readonly dashboard: string;
  readonly panel: string;
  readonly legend: string;
  /** Empty for a panel without any query: a failure. */
  readonly expr: string;
}

/** Every data panel's targets (collapsed rows' panels included); a panel without a query yields one target with an empty expr. */
export function panelTargets(dashboard: DashboardJson): PanelTarget[] {
  const panels = dashboard.panels.flatMap((p) => (p.type === "row" ? (p.panels ?? []) : [p]));
  return panels.flatMap((panel) => {
    const at = { dashboard: dashboard.title, panel: panel.title ?? "(untitled)" };
    const queries = (panel.targets ?? []).flatMap((t) =>
      typeof t.expr === "string" ? [{ ...at, legend: t.legendFormat ?? t.refId ?? "(none)", expr: t.expr }] : [],
    );
    return queries.length > 0 ? queries : [{ ...at, legend: "(none)", expr: "" }];
  });
}

/** The targets of every `*.json` dashboard in `dir`. */
export function dashboardTargets(dir: string): PanelTarget[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  if (files.length === 0) throw new Error(`no dashboards in ${dir}`);
  return files.flatMap((file) => panelTargets(DashboardJson.parse(JSON.parse(readFileSync(join(dir, file), "utf8")))));
}

/** What `$__rate_interval` and friends become in the queries (Grafana computes them from the scrape interval). */
const GRAFANA_VARIABLES: Readonly<Record<string, string>> = { __rate_interval: "1m", __interval: "15s", __range: "5m" };

export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{?(__rate_interval|__interval|__range)\}?/g, (_match, name: string) => GRAFANA_VARIABLES[name] ?? _match);
}

export interface ScrapeJob {
  readonly name: string;
  readonly metricsPath: string;
  /** The `service` label of its static targets, when it has one. */
  readonly service: string | undefined;
}

/** The job blocks of infra/prometheus/prometheus.yml, read with patterns: the file is ours and simple, no YAML library needed. */
export function scrapeJobs(prometheusYml: string): ScrapeJob[] {
  return prometheusYml
    .split(/^\s*-\s*job_name:\s*/m)
    .slice(1)
    .map((block) => ({
      name: (block.match(/^([^\s#]+)/)?.[1] ?? "").replace(/["']/g, ""),
      metricsPath: block.match(/metrics_path:\s*([^\s#]+)/)?.[1] ?? "/metrics",
      service: block.match(/service:\s*([^\s#]+)/)?.[1],
    }));
}

/** The `*.yml`/`*.yaml` files of `dir` (none when it does not exist). */
export function ruleFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .map((f) => join(dir, f));
}

/** How many `- alert:` and `- record:` entries the files declare. */
export function declaredRuleCount(files: readonly string[]): number {
  return files.reduce((n, f) => n + (readFileSync(f, "utf8").match(/^\s*-\s*(alert|record):/gm) ?? []).length, 0);
}
