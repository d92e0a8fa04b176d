// `pnpm prove:dashboards`: proves the Grafana dashboards and the Prometheus rules against real data.
//
// Starts Kafka (unless KAFKA_BROKERS is set), the Talkover simulator, the ingest, the worker,
// and a real Prometheus (Debian's /usr/bin/prometheus) scraping them every second with the
// repository's scrape job names and rules (infra/prometheus/rules/*.yml). It sends a bounded,
// mixed load of signed webhooks (valid ones of every source kind, unusable numbers, bad
// signatures, unknown sources, wrong content types, malformed bodies, redeliveries, repeated
// numbers), produces CallRequest records for a paused and a forbidden campaign and one
// unreadable record straight to Kafka, and turns on simulator faults (429s and 500s) for the
// second part of the run. When it started the broker itself, it also stalls it (SIGSTOP, then
// SIGCONT) for a few seconds, so the ingest answers 503 as it does when Kafka does not
// acknowledge in time; with KAFKA_BROKERS the 503 targets are reported but cannot fail the run.
// Then it asks Prometheus for every target expr of every dashboard and every rule expr: each
// must parse, and each panel target must return data (a finite value). It prints panel ->
// series, exits 1 naming what failed, and stops everything it started.
//
// Env (see config.ts): KAFKA_BROKERS, PROMETHEUS_BIN, PROVE_LOAD_SECONDS, PROVE_TIMEOUT_SECONDS, PROVE_DASHBOARDS_DIR.
import { loadProveConfig } from "./config.js";
import { progressLog, secondsSince } from "./progress.js";
import { proveDashboards } from "./prove.js";
import { type Findings, printVerdict } from "./report.js";
import { StartedResources } from "./started-resources.js";

const startedAt = performance.now();
const log = progressLog(startedAt);
// biome-ignore lint/style/noProcessEnv: the prover's entry point, the one file of it that reads the environment
const env = process.env;
let config: ReturnType<typeof loadProveConfig>;
try {
  config = loadProveConfig(env);
} catch (error) {
  console.error(`prove-dashboards: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const resources = new StartedResources(env, log);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping what was started`);
    void resources.stopAll().finally(() => process.exit(130));
  });
}
const deadline = setTimeout(() => {
  log(`gave up after ${config.timeoutSeconds} s`);
  resources.printLogTails();
  void resources.stopAll().finally(() => process.exit(1));
}, config.timeoutSeconds * 1000);

const findings: Findings = { failures: [], warnings: [] };
try {
  await proveDashboards({ config, resources, log, findings });
} catch (error) {
  findings.failures.splice(0, Infinity, `the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  resources.printLogTails();
} finally {
  clearTimeout(deadline);
  log("stopping what was started");
  await resources.stopAll();
}
process.exit(printVerdict(findings, secondsSince(startedAt)));
