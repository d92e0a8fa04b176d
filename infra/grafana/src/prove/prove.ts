// The run, phase by phase: check what is under proof, bring the stack and Prometheus up, drive
// the load, then ask Prometheus about every panel and rule.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ProveConfig, REPO_ROOT } from "./config.js";
import { checkScrapeTargets, evaluatePanels, evaluateRules } from "./evaluate.js";
import { driveLoad, type LoadResult } from "./load.js";
import { loadPlan } from "./load-schedule.js";
import { type ProgressLog, sleep } from "./progress.js";
import { checkRules, prometheusConfig, startPrometheus } from "./prometheus.js";
import { type Findings, print, table } from "./report.js";
import { type AppUrls, type Broker, createTopics, freePorts, provideBroker, runTopics, startApps, uniqueName } from "./stack.js";
import type { StartedResources } from "./started-resources.js";
import { dashboardTargets, type PanelTarget, ruleFiles, type ScrapeJob, scrapeJobs } from "./under-proof.js";

const REQUIRED_JOBS = ["callbridge-ingest", "callbridge-worker"];

interface UnderProof {
  readonly targets: PanelTarget[];
  readonly jobs: ScrapeJob[];
  readonly ruleFiles: string[];
}

function readUnderProof(config: ProveConfig): UnderProof {
  const targets = dashboardTargets(config.dashboardsDir);
  const jobs = scrapeJobs(readFileSync(join(REPO_ROOT, "infra/prometheus/prometheus.yml"), "utf8"));
  for (const required of REQUIRED_JOBS) {
    if (!jobs.some((j) => j.name === required)) throw new Error(`infra/prometheus/prometheus.yml has no job ${required}`);
  }
  if (!existsSync(config.prometheusBin)) {
    throw new Error(`${config.prometheusBin} not found (apt-get install prometheus, or set PROMETHEUS_BIN)`);
  }
  return { targets, jobs, ruleFiles: ruleFiles(join(REPO_ROOT, "infra/prometheus/rules")) };
}

export interface ProofRun {
  readonly config: ProveConfig;
  readonly resources: StartedResources;
  readonly log: ProgressLog;
  readonly findings: Findings;
}

/** Runs the proof, adding to `run.findings`; throws when the run itself breaks (the caller stops what was started). */
export async function proveDashboards(run: ProofRun): Promise<void> {
  const { config, resources, log, findings } = run;
  const underProof = readUnderProof(config);
  const runId = uniqueName("prove");
  const broker = await provideBroker(config, resources, log);
  log(`Kafka at ${broker.brokers}`);
  const topics = runTopics(runId);
  const kafka = await createTopics(broker.brokers, topics);
  const ports = await freePorts();
  const urls = await startApps(resources, ports, broker, topics, runId);

  let rules = underProof.ruleFiles;
  const check = checkRules(config.prometheusBin, rules);
  if (!check.ok) {
    findings.failures.push(`promtool check rules failed; Prometheus runs without the rules:\n${check.output}`);
    rules = [];
  }
  const targetsByJob = {
    "callbridge-ingest": [`127.0.0.1:${ports.ingestMetrics}`],
    "callbridge-worker": [`127.0.0.1:${ports.worker}`],
    prometheus: [`127.0.0.1:${ports.prometheus}`],
  };
  const promUrl = startPrometheus(
    resources,
    config.prometheusBin,
    prometheusConfig(underProof.jobs, targetsByJob, rules),
    ports.prometheus,
  );
  await resources.waitForHttp("prometheus", `${promUrl}/-/ready`);
  await resources.waitForHttp("worker", `${urls.worker}/readyz`);
  log(`up: simulator ${urls.sim}, ingest ${urls.ingest}, worker ${urls.worker}, Prometheus ${promUrl}, ${rules.length} rule file(s)`);

  const producer = kafka.producer();
  await producer.connect();
  const target = {
    ingestUrl: urls.ingest,
    simUrl: urls.sim,
    producer,
    requestsTopic: topics.CALL_REQUESTS_TOPIC,
    runId,
    kafkaPid: broker.pid,
  };
  const load = await driveLoad(target, loadPlan(config.loadSeconds, broker.pid !== undefined), resources, log);
  await producer.disconnect();
  await reportLoad(load, urls, log);

  // Let the last increments reach Prometheus and the rules evaluate.
  await sleep(4_000);
  await measure(promUrl, underProof.targets, rules, broker, findings);
}

async function reportLoad(load: LoadResult, urls: AppUrls, log: ProgressLog): Promise<void> {
  log(`load done: ${load.webhooks} webhooks, ${load.directBatches} direct batches (2 paused, 1 forbidden, 1 unreadable each)`);
  const sent = [...load.tally.entries()].sort();
  print(table(["webhook -> answer", "count"], sent));
  const sim = (await (await fetch(`${urls.sim}/_sim/stats`)).json()) as { calls?: unknown; responses?: unknown };
  print(`\nsimulator: ${sim.calls} calls accepted; responses ${JSON.stringify(sim.responses)}\n`);
}

async function measure(
  promUrl: string,
  targets: readonly PanelTarget[],
  rules: readonly string[],
  broker: Broker,
  findings: Findings,
): Promise<void> {
  await checkScrapeTargets(promUrl, findings);
  await evaluatePanels(promUrl, targets, broker.pid !== undefined, findings);
  await evaluateRules(promUrl, rules, findings);
}
