// Asks Prometheus for every panel target and every rule: each must parse, each panel target
// must return a finite value, each rule must evaluate.
import { activeTargets, loadedRules, promQuery } from "./prometheus-api.js";
import { type Cell, type Findings, print, table } from "./report.js";
import { declaredRuleCount, type PanelTarget, substituteGrafanaVariables } from "./under-proof.js";

export async function checkScrapeTargets(promUrl: string, findings: Findings): Promise<void> {
  for (const t of await activeTargets(promUrl)) {
    if (t.health !== "up") findings.failures.push(`scrape target ${t.labels.job} ${t.scrapeUrl} is ${t.health}: ${t.lastError}`);
  }
}

/**
 * Queries every target and prints panel -> series. A target about Kafka being unavailable may
 * lack data without failing when the run could not stall the broker (`canStallKafka` false).
 */
export async function evaluatePanels(
  promUrl: string,
  targets: readonly PanelTarget[],
  canStallKafka: boolean,
  findings: Findings,
): Promise<void> {
  const rows: Cell[][] = [];
  const finitePerPanel = new Map<string, number>();
  for (const t of targets) {
    if (!t.expr.trim()) {
      findings.failures.push(`panel "${t.panel}" has a target without an expr`);
      rows.push([t.panel, t.legend, "-", "NO EXPR"]);
      continue;
    }
    const r = await promQuery(promUrl, substituteGrafanaVariables(t.expr));
    const finite = r.ok ? r.finite : 0;
    finitePerPanel.set(t.panel, (finitePerPanel.get(t.panel) ?? 0) + finite);
    if (!r.ok) {
      findings.failures.push(`panel "${t.panel}" target "${t.legend}": ${r.error}\n    ${t.expr}`);
      rows.push([t.panel, t.legend, `0/0`, "ERROR"]);
      continue;
    }
    if (finite === 0 && !canStallKafka && /unavailable/.test(t.expr)) {
      findings.warnings.push(
        `panel "${t.panel}" target "${t.legend}" has no data: it needs the Kafka stall, which needs a broker this script starts`,
      );
    } else if (finite === 0) {
      findings.failures.push(`panel "${t.panel}" target "${t.legend}" returned no data${r.series ? " (only NaN)" : ""}\n    ${t.expr}`);
    }
    rows.push([t.panel, t.legend, `${r.finite}/${r.series}`, finite > 0 ? "ok" : "NO DATA"]);
  }
  print(table(["panel", "target (legend)", "series finite/all", "result"], rows));
  for (const [panel, n] of finitePerPanel) if (n === 0) findings.failures.push(`panel "${panel}" has no data`);
}

/** Every rule as Prometheus loaded it: as many as the files declare, each expr answering, none failing to evaluate. */
export async function evaluateRules(promUrl: string, ruleFiles: readonly string[], findings: Findings): Promise<void> {
  if (ruleFiles.length === 0) {
    print("\nno rule files in infra/prometheus/rules/");
    return;
  }
  const loaded = await loadedRules(promUrl);
  const declared = declaredRuleCount(ruleFiles);
  if (loaded.length !== declared) findings.failures.push(`Prometheus loaded ${loaded.length} rules, the files declare ${declared}`);
  const rows: Cell[][] = [];
  for (const rule of loaded) {
    const r = await promQuery(promUrl, rule.query);
    if (!r.ok) findings.failures.push(`rule ${rule.name}: ${r.error}`);
    if (rule.health === "err") findings.failures.push(`rule ${rule.name} failed to evaluate: ${rule.lastError}`);
    const state = rule.type === "alerting" ? rule.state : "recording";
    rows.push([rule.group, rule.name, String(state), r.ok ? `${r.series}` : "ERROR", rule.health]);
  }
  print(`\n${table(["group", "rule", "state", "series now", "health"], rows)}`);
}
