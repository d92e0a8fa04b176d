import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultDashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { defaultOptions as statOptions } from "@grafana/grafana-foundation-sdk/stat";
import { defaultOptions as timeseriesOptions } from "@grafana/grafana-foundation-sdk/timeseries";
import { describe, expect, it } from "vitest";
import {
  DASHBOARDS,
  DATASOURCE_VARIABLE,
  DEFERRED_OVERDUE_ALERT_SECONDS,
  overviewDashboard,
  PROVISIONED_DATASOURCE,
  toJson,
} from "./index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, "utf8");
const REGENERATE = "run pnpm --filter @callbridge/grafana-dashboards generate";

interface JsonTarget {
  expr?: string;
  legendFormat?: string;
  exemplar?: boolean;
  datasource?: { type?: string; uid?: string };
}
interface JsonPanel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: JsonTarget[];
  panels?: JsonPanel[];
  gridPos?: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps?: { value: number | null; color: string }[] } } };
  options?: Record<string, unknown>;
}
interface JsonDashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: JsonPanel[];
  templating?: { list?: { type: string; name: string; query?: string; current?: { value?: unknown } }[] };
}

/** Every panel that shows data (rows excluded), collapsed rows' panels included. */
function dataPanels(dashboard: JsonDashboard): JsonPanel[] {
  return dashboard.panels.flatMap((p) => (p.type === "row" ? (p.panels ?? []) : [p]));
}

type MetricType = "Counter" | "Gauge" | "Histogram";
interface MetricDef {
  readonly type: MetricType;
  readonly labels: ReadonlySet<string>;
}

/** Metric definitions read as text from the apps' metrics.ts (no dependency on the apps). */
function appMetrics(): Map<string, MetricDef> {
  const metrics = new Map<string, MetricDef>();
  for (const file of ["apps/ingest/src/metrics.ts", "apps/worker/src/metrics.ts"]) {
    const text = read(file);
    for (const m of text.matchAll(/new (Counter|Gauge|Histogram)\(\{([\s\S]*?)\}\)/g)) {
      const body = m[2] ?? "";
      const name = /name:\s*"([a-z0-9_:]+)"/.exec(body)?.[1];
      if (!name) continue;
      const labelList = /labelNames:\s*\[([^\]]*)\]/.exec(body)?.[1] ?? "";
      const labels = new Set([...labelList.matchAll(/"([a-zA-Z_][a-zA-Z0-9_]*)"/g)].map((l) => l[1] ?? ""));
      metrics.set(name, { type: m[1] as MetricType, labels });
    }
  }
  return metrics;
}

/** Labels Prometheus adds to every scraped series (target labels of infra/prometheus/prometheus.yml). */
const TARGET_LABELS = new Set(["job", "instance", "service"]);
/** Non-callbridge series the dashboards may use. */
const OTHER_METRICS = new Map<string, ReadonlySet<string>>([["up", new Set<string>()]]);

interface Resolved {
  readonly labels: ReadonlySet<string>;
}

function resolveMetric(token: string, metrics: Map<string, MetricDef>): Resolved | string {
  const direct = metrics.get(token);
  if (direct) {
    if (direct.type === "Histogram") return `${token} is a histogram: use ${token}_bucket, _sum or _count`;
    return { labels: direct.labels };
  }
  const suffix = /_(bucket|sum|count)$/.exec(token);
  if (suffix) {
    const base = metrics.get(token.slice(0, suffix.index));
    if (base?.type === "Histogram") return { labels: suffix[1] === "bucket" ? new Set([...base.labels, "le"]) : base.labels };
  }
  return `${token} is not defined in apps/ingest/src/metrics.ts or apps/worker/src/metrics.ts`;
}

/** Problems with one PromQL expression: unknown metrics, and label names no metric of it carries. */
function exprProblems(expr: string, metrics: Map<string, MetricDef>): string[] {
  const problems: string[] = [];
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const used = new Map<string, ReadonlySet<string>>();
  let named = 0;
  for (const m of withoutStrings.matchAll(/\b(callbridge_[a-zA-Z0-9_]+)\b/g)) {
    const token = m[1] ?? "";
    named += 1;
    const resolved = resolveMetric(token, metrics);
    if (typeof resolved === "string") problems.push(resolved);
    else used.set(token, resolved.labels);
  }
  for (const [name, labels] of OTHER_METRICS) {
    if (new RegExp(`(^|[^a-zA-Z0-9_])${name}\\s*\\{`).test(withoutStrings)) used.set(name, labels);
  }
  if (named + used.size === 0) problems.push("names no metric");
  // Label matchers inside selectors: metric{label="..."}.
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const own = used.get(m[1] ?? "");
    if (!own) continue;
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      const label = l[1] ?? "";
      if (!own.has(label) && !TARGET_LABELS.has(label)) problems.push(`${m[1]} has no label "${label}"`);
    }
  }
  // Grouping labels: by (...) / without (...), which must come from some metric of the expression.
  const all = new Set([...TARGET_LABELS, ...[...used.values()].flatMap((s) => [...s])]);
  for (const m of withoutStrings.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    for (const label of (m[1] ?? "").split(",").map((s) => s.trim())) {
      if (label && !all.has(label)) problems.push(`grouping label "${label}" is on none of its metrics`);
    }
  }
  return problems;
}

const metrics = appMetrics();

describe("app metric definitions (read as text)", () => {
  it("are found", () => {
    expect(metrics.get("callbridge_ingest_webhook_requests_total")?.labels).toEqual(new Set(["source", "outcome"]));
    expect(metrics.get("callbridge_worker_api_request_duration_seconds")?.type).toBe("Histogram");
    expect(metrics.size).toBeGreaterThanOrEqual(20);
  });

  it("the expression check catches a wrong name, a bare histogram and a wrong label", () => {
    expect(exprProblems("rate(callbridge_worker_requests_total[5m])", metrics)).toEqual([]);
    expect(exprProblems("rate(callbridge_worker_request_total[5m])", metrics)).toHaveLength(1);
    expect(exprProblems("rate(callbridge_worker_webhook_to_call_seconds[5m])", metrics)).toHaveLength(1);
    expect(exprProblems('sum(rate(callbridge_worker_retries_total{reasn="x"}[5m]))', metrics)).toHaveLength(1);
    expect(exprProblems("sum by (code) (rate(callbridge_worker_retries_total[5m]))", metrics)).toHaveLength(1);
  });
});

for (const { file, build } of DASHBOARDS) {
  const path = `infra/grafana/dashboards/${file}`;
  const generated = toJson(build()) as JsonDashboard;

  describe(file, () => {
    it(`is committed and up to date (otherwise ${REGENERATE})`, () => {
      expect(existsSync(`${root}${path}`), `${path} is missing: ${REGENERATE}`).toBe(true);
      const committed: unknown = JSON.parse(read(path));
      expect(committed, `${path} differs from what the generator builds: ${REGENERATE}`).toEqual(generated);
    });

    it("targets Grafana 11+ (schemaVersion 39 or later) and has a uid and title", () => {
      expect(generated.schemaVersion).toBeGreaterThanOrEqual(39);
      expect(generated.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(generated.title).toMatch(/^callbridge/);
    });

    it("has the SDK's schema version and only the options of the SDK's panel kinds (committed JSON)", () => {
      const committed = JSON.parse(read(path)) as JsonDashboard;
      expect(committed.schemaVersion).toBe(defaultDashboard().schemaVersion);
      const optionKeys: Record<string, Set<string>> = {
        stat: new Set(Object.keys(statOptions())),
        timeseries: new Set(Object.keys(timeseriesOptions())),
      };
      for (const panel of dataPanels(committed)) {
        const allowed = optionKeys[panel.type];
        expect(allowed, `${panel.title}: panel type ${panel.type}`).toBeDefined();
        for (const key of Object.keys(panel.options ?? {})) expect(allowed, `${panel.title}: option ${key}`).toContain(key);
      }
    });

    it("queries the provisioned Prometheus through the $datasource variable", () => {
      const provisioned = read("infra/grafana/provisioning/datasources/prometheus.yml");
      expect(provisioned).toContain(`uid: ${PROVISIONED_DATASOURCE.uid}`);
      expect(provisioned).toContain(`name: ${PROVISIONED_DATASOURCE.name}`);
      const variable = generated.templating?.list?.find((v) => v.name === DATASOURCE_VARIABLE);
      expect(variable).toMatchObject({ type: "datasource", query: "prometheus", current: { value: PROVISIONED_DATASOURCE.uid } });
      for (const panel of dataPanels(generated)) {
        expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` });
        for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(panel.datasource);
      }
    });

    it("gives every panel a title, a unit, a unique id, a place on the grid and at least one non-empty expr", () => {
      const panels = dataPanels(generated);
      expect(panels.length).toBeGreaterThanOrEqual(15);
      const ids = generated.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((q) => q.id)]);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panels) {
        expect(panel.title, JSON.stringify(panel.gridPos)).toBeTruthy();
        expect(panel.fieldConfig?.defaults?.unit, panel.title).toBeTruthy();
        expect(panel.gridPos && panel.gridPos.x + panel.gridPos.w <= 24, panel.title).toBe(true);
        const exprs = (panel.targets ?? []).map((t) => t.expr?.trim() ?? "");
        expect(
          exprs.some((e) => e.length > 0),
          `${panel.title} has no target with an expr`,
        ).toBe(true);
        expect(
          exprs.every((e) => e.length > 0),
          `${panel.title} has a target without an expr`,
        ).toBe(true);
      }
    });

    it("uses only metrics and labels the apps define", () => {
      const problems = dataPanels(generated).flatMap((panel) =>
        (panel.targets ?? []).flatMap((t) => exprProblems(t.expr ?? "", metrics).map((p) => `${panel.title}: ${p} in ${t.expr}`)),
      );
      expect(problems).toEqual([]);
    });

    it("names only the scrape jobs of infra/prometheus/prometheus.yml", () => {
      const jobs = new Set([...read("infra/prometheus/prometheus.yml").matchAll(/job_name:\s*([^\s#]+)/g)].map((m) => m[1]));
      const named = dataPanels(generated).flatMap((p) =>
        (p.targets ?? []).flatMap((t) => [...(t.expr ?? "").matchAll(/job=~?"([^"]*)"/g)].flatMap((m) => (m[1] ?? "").split("|"))),
      );
      expect(named.length).toBeGreaterThan(0);
      for (const job of named) expect(jobs, job).toContain(job);
    });
  });
}

describe("the overdue panel and CallbridgeDeferredOverdue", () => {
  it("draw and alert at the same number of seconds", () => {
    const rules = read("infra/prometheus/rules/callbridge.yml");
    const block = /- alert: CallbridgeDeferredOverdue\n([\s\S]*?)(?=\n\s*- alert:|$)/.exec(rules)?.[1] ?? "";
    const threshold = /expr:\s*max\(callbridge_worker_deferred_overdue_seconds\)\s*>\s*(\d+)\s*\n/.exec(block)?.[1];
    expect(threshold, "CallbridgeDeferredOverdue's expr in infra/prometheus/rules/callbridge.yml").toBeDefined();
    expect(Number(threshold)).toBe(DEFERRED_OVERDUE_ALERT_SECONDS);
    const panel = dataPanels(toJson(overviewDashboard()) as JsonDashboard).find((p) =>
      (p.targets ?? []).some((t) => t.expr?.includes("callbridge_worker_deferred_overdue_seconds")),
    );
    const steps = panel?.fieldConfig?.defaults?.thresholds?.steps ?? [];
    expect(steps.map((step) => step.value)).toEqual([null, DEFERRED_OVERDUE_ALERT_SECONDS]);
  });
});

describe("exemplars", () => {
  const panels = dataPanels(toJson(overviewDashboard()) as JsonDashboard);
  const LATENCIES = [
    "callbridge_ingest_request_duration_seconds",
    "callbridge_worker_api_request_duration_seconds",
    "callbridge_worker_webhook_to_call_seconds",
  ];

  it("are asked for once in each latency panel, and only of histograms the apps attach them to", () => {
    for (const histogram of LATENCIES) {
      const panel = panels.find((p) => (p.targets ?? []).some((t) => t.expr?.includes(`${histogram}_bucket`)));
      expect(panel, histogram).toBeDefined();
      expect(
        (panel?.targets ?? []).filter((t) => t.exemplar === true),
        `${panel?.title}`,
      ).toHaveLength(1);
    }
    const asked = panels.flatMap((p) => (p.targets ?? []).filter((t) => t.exemplar === true).map((t) => t.expr ?? ""));
    expect(asked).toHaveLength(LATENCIES.length);
    const definitions = [
      ...(read("apps/ingest/src/metrics.ts") + read("apps/worker/src/metrics.ts")).matchAll(/new Histogram\(\{([\s\S]*?)\}\)/g),
    ];
    for (const histogram of LATENCIES) {
      const body = definitions.find((m) => m[1]?.includes(`name: "${histogram}"`))?.[1] ?? "";
      expect(body, `${histogram} keeps exemplars (exemplarsWhenTracing) in its app's metrics.ts`).toContain("exemplarsWhenTracing()");
    }
  });

  it("link their trace_id to the provisioned Jaeger data source", () => {
    const prometheus = read("infra/grafana/provisioning/datasources/prometheus.yml");
    expect(prometheus).toMatch(/exemplarTraceIdDestinations:\s*\n\s*- name: trace_id\s*\n\s*datasourceUid: jaeger\s*\n/);
    const jaeger = read("infra/grafana/provisioning/datasources/jaeger.yml");
    expect(jaeger).toMatch(/uid: jaeger\b/);
    expect(jaeger).toMatch(/type: jaeger\b/);
    // The label the apps put on an exemplar (packages/observability, activeExemplar).
    expect(read("packages/observability/src/tracing/spans.ts")).toContain("{ trace_id: fields.trace_id }");
  });
});
