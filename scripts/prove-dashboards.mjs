// `pnpm prove:dashboards`: proves the Grafana dashboards and the Prometheus rules against real data.
//
// Starts Kafka (unless KAFKA_BROKERS is set), the Talkover simulator, the ingest, the worker,
// and a real Prometheus (Debian's /usr/bin/prometheus) scraping them every second with the repository's
// scrape job names and rules (infra/prometheus/rules/*.yml). It sends a bounded, mixed load of
// signed webhooks (valid ones of every source kind, unusable numbers, bad signatures, unknown
// sources, wrong content types, malformed bodies, redeliveries, repeated numbers), produces
// CallRequest records for a paused and a forbidden campaign and one unreadable record straight
// to Kafka, and turns on simulator faults (429s and 500s) for the second part of the run. When
// it started the broker itself, it also stalls it (SIGSTOP, then SIGCONT) for a few seconds, so
// the ingest answers 503 as it does when Kafka does not acknowledge in time; with KAFKA_BROKERS
// the 503 targets are reported but cannot fail the run.
// Then it asks Prometheus for every target expr of every dashboard in infra/grafana/dashboards/
// and every rule expr: each must parse, and each panel target must return data (a finite value).
// It prints panel -> series, exits 1 naming what failed, and stops everything it started.
//
// Env: KAFKA_BROKERS (use this broker), PROMETHEUS_BIN (default /usr/bin/prometheus),
// PROVE_LOAD_SECONDS (default 70), PROVE_TIMEOUT_SECONDS (default 175), PROVE_DASHBOARDS_DIR
// (default infra/grafana/dashboards).
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const need = (path) => {
  if (!existsSync(join(root, path))) {
    console.error(`prove-dashboards: ${path} is missing; run pnpm prove:dashboards (it builds first) or pnpm build`);
    process.exit(1);
  }
  return import(join(root, path));
};
const { deleteKafkaInstance, freePort, startKafka, uniqueName } = await need("packages/test-infra/dist/index.js");
const { KafkaClient, topicCatalog } = await need("packages/kafka/dist/index.js");
const { createLogger } = await need("packages/observability/dist/index.js");
const {
  DEV_SECRETS,
  hubspotPhoneChangeEvent,
  hubspotWebhook,
  pipedrivePersonWebhook,
  salesforceOutboundMessage,
  sendWebhook,
  standardWebhook,
} = await need("packages/webhook-samples/dist/index.js");

const env = process.env;
const LOAD_SECONDS = Number(env.PROVE_LOAD_SECONDS ?? 70);
const TIMEOUT_SECONDS = Number(env.PROVE_TIMEOUT_SECONDS ?? 175);
const PROMETHEUS_BIN = env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
/** What `$__rate_interval` and friends become in the queries (Grafana computes them from the scrape interval). */
const GRAFANA_VARIABLES = { $__rate_interval: "1m", $__interval: "15s", $__range: "5m" };
const TOKEN = "talq_test_token";
/** How long the broker is stopped: longer than the ingest's PRODUCE_TIMEOUT_MS (4 s), so it answers 503. */
const STALL_SECONDS = 6;
const startedAt = performance.now();
const log = (line) => console.error(`[prove-dashboards ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${line}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- what we started, stopped in reverse by `cleanup` --------------------------------------
const tmp = mkdtempSync(join(tmpdir(), "prove-dashboards-"));
/** @type {{ name: string, child: import("node:child_process").ChildProcess, logFile: string }[]} */
const children = [];
let kafkaName;
/** Pid of the broker while this script has it stopped (SIGSTOP): cleanup resumes it first. */
let stalledKafkaPid;
let cleaning;
/** Things that could not be proven in this run but are not failures. */
const warnings = [];

function cleanup() {
  cleaning ??= (async () => {
    if (stalledKafkaPid) resumeKafka();
    for (const { child } of [...children].reverse()) await stopChild(child);
    if (kafkaName) {
      await deleteKafkaInstance({ name: kafkaName, env }).catch((error) =>
        log(`could not delete Kafka instance ${kafkaName}: ${error.message}`),
      );
    }
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

function resumeKafka() {
  try {
    process.kill(stalledKafkaPid, "SIGCONT");
  } catch {
    // gone already
  }
  stalledKafkaPid = undefined;
}

async function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    log(`${signal}: stopping what was started`);
    void cleanup().finally(() => process.exit(130));
  });
}
const deadline = setTimeout(() => {
  log(`gave up after ${TIMEOUT_SECONDS} s`);
  for (const c of children) printLogTail(c);
  void cleanup().finally(() => process.exit(1));
}, TIMEOUT_SECONDS * 1000);

/** Starts `command args` with `extra` env over a hermetic copy of ours; output to a log file in the temp dir. */
function start(name, command, args, extra = {}) {
  const base = { ...env };
  for (const key of [
    "REDIS_URL",
    "TALKOVER_BASE_URL",
    "TALKOVER_API_TOKEN",
    "ROUTES_FILE",
    "PUBLIC_BASE_URL",
    "PORT",
    "METRICS_PORT",
    "HOST",
  ]) {
    delete base[key];
  }
  const logFile = join(tmp, `${name}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { env: { ...base, ...extra }, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  children.push({ name, child, logFile });
  child.on("exit", (code, signal) => {
    if (!cleaning) log(`${name} exited early (code ${code}, signal ${signal}); see its log below`);
  });
  return child;
}

function printLogTail({ name, logFile }, lines = 15) {
  if (!existsSync(logFile)) return;
  const text = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  if (text) console.error(`--- last lines of ${name} ---\n${text}`);
}

async function waitForHttp(name, url, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    const entry = children.find((c) => c.name === name);
    if (entry && entry.child.exitCode !== null) break;
    await sleep(200);
  }
  throw new Error(`${name} did not answer 200 at ${url} within ${timeoutMs} ms`);
}

// --- the dashboards and rules under proof ---------------------------------------------------
/** Every panel target of every dashboard JSON: { dashboard, panel, legend, expr }. */
function dashboardTargets() {
  const dir = env.PROVE_DASHBOARDS_DIR ?? join(root, "infra/grafana/dashboards");
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  if (files.length === 0) throw new Error("no dashboards in infra/grafana/dashboards");
  const targets = [];
  for (const file of files) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const panels = dashboard.panels.flatMap((p) => (p.type === "row" ? (p.panels ?? []) : [p]));
    for (const panel of panels) {
      const own = (panel.targets ?? []).filter((t) => typeof t.expr === "string");
      if (own.length === 0) targets.push({ dashboard: dashboard.title, panel: panel.title, legend: "(none)", expr: "" });
      for (const t of own)
        targets.push({ dashboard: dashboard.title, panel: panel.title, legend: t.legendFormat ?? t.refId, expr: t.expr });
    }
  }
  return targets;
}

function substitute(expr) {
  return expr.replace(/\$\{?(__rate_interval|__interval|__range)\}?/g, (_m, name) => GRAFANA_VARIABLES[`$${name}`]);
}

/** Job blocks of infra/prometheus/prometheus.yml: name, metrics_path and the `service` target label. */
function repoScrapeJobs() {
  const text = readFileSync(join(root, "infra/prometheus/prometheus.yml"), "utf8");
  return text
    .split(/^\s*-\s*job_name:\s*/m)
    .slice(1)
    .map((block) => ({
      name: (block.match(/^([^\s#]+)/)?.[1] ?? "").replace(/["']/g, ""),
      metricsPath: block.match(/metrics_path:\s*([^\s#]+)/)?.[1] ?? "/metrics",
      service: block.match(/service:\s*([^\s#]+)/)?.[1],
    }));
}

function ruleFiles() {
  const dir = join(root, "infra/prometheus/rules");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .map((f) => join(dir, f));
}

// --- the load ------------------------------------------------------------------------------
const AREA_CODES = [212, 646, 718, 917, 415, 510, 312, 773, 617, 202, 305, 512, 713, 206, 303, 404, 602, 702, 503, 615];
let phoneCounter = 0;
/** A fresh fictional US number each time (555-0100..0199 in 20 area codes: 2,000 numbers). */
function nextPhone() {
  const n = phoneCounter++;
  return `+1${AREA_CODES[n % AREA_CODES.length]}555${String(100 + (Math.floor(n / AREA_CODES.length) % 100)).padStart(4, "0")}`;
}

function makeLoad({ ingestUrl, runId }) {
  const tally = new Map();
  const count = (label, status) => {
    const key = `${label} -> ${status}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  };
  const hubspot = { sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl };
  const pipedrive = { sourceId: "pipedrive", username: DEV_SECRETS.pipedriveUser, password: DEV_SECRETS.pipedrivePassword };
  const standard = (id, payload, secret = DEV_SECRETS.standardWebhooksSecret) =>
    standardWebhook({ sourceId: "standard", secret, id: `msg_${runId}_${id}`, payload });
  const callRequested = (k, phone) => ({ type: "call.requested", data: { id: `lead-${k}`, name: "Ada", phone } });
  let lastStandard;
  let lastPhone = nextPhone();

  /** The k-th webhook: a fixed mix over a cycle of 20 (about 15 calls and 5 refusals or dead letters). */
  function webhookFor(k) {
    switch (k % 20) {
      case 0:
        return [
          "hubspot app (2 events)",
          ingestUrl,
          hubspotWebhook(hubspot, [
            hubspotPhoneChangeEvent({ eventId: k * 10 + 1, objectId: 1000 + k, phone: nextPhone(), occurredAt: Date.now() }),
            hubspotPhoneChangeEvent({
              eventId: k * 10 + 2,
              objectId: 2000 + k,
              phone: nextPhone(),
              propertyName: "mobilephone",
              occurredAt: Date.now(),
            }),
          ]),
        ];
      case 1:
        return [
          "hubspot workflow",
          ingestUrl,
          hubspotWebhook(
            { ...hubspot, sourceId: "hubspot-workflows" },
            {
              id: `${runId}-${k}`,
              properties: { firstname: "Grace", phone: nextPhone() },
            },
          ),
        ];
      case 2:
        return [
          "pipedrive person",
          ingestUrl,
          pipedrivePersonWebhook(pipedrive, {
            eventId: `${runId}-${k}`,
            personId: k,
            name: "Alan",
            phones: [{ value: nextPhone(), primary: true }],
          }),
        ];
      case 3:
        return [
          "salesforce (2 leads)",
          ingestUrl,
          salesforceOutboundMessage("salesforce", DEV_SECRETS.salesforceOrgId, [
            {
              id: `04l${String(k).padStart(12, "0")}AAA`,
              objectType: "Lead",
              fields: { Id: "00Q000000000001AAA", FirstName: "Kay", Phone: nextPhone() },
            },
            {
              id: `04l${String(k).padStart(12, "0")}AAB`,
              objectType: "Lead",
              fields: { Id: "00Q000000000002AAA", FirstName: "Dot", Phone: nextPhone() },
            },
          ]),
        ];
      case 4:
        return [
          "hubspot unusable number (invalid_phone)",
          ingestUrl,
          hubspotWebhook(hubspot, [
            hubspotPhoneChangeEvent({ eventId: k * 10 + 3, objectId: 3000 + k, phone: "call me maybe", occurredAt: Date.now() }),
          ]),
        ];
      case 5:
        return [
          "standard, wrong secret (401)",
          ingestUrl,
          standard(k, callRequested(k, nextPhone()), "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=="),
        ];
      case 7:
        return ["standard redelivered (duplicate)", ingestUrl, lastStandard ?? standard(k, callRequested(k, nextPhone()))];
      case 8:
        return [
          "pipedrive, wrong password (401)",
          ingestUrl,
          pipedrivePersonWebhook(
            { ...pipedrive, password: "wrong" },
            {
              eventId: `${runId}-${k}`,
              personId: k,
              name: "Eve",
              phones: [{ value: nextPhone(), primary: true }],
            },
          ),
        ];
      case 9:
        return ["unknown source (404)", ingestUrl, { ...standard(k, callRequested(k, nextPhone())), path: "/webhooks/no-such-source" }];
      case 10: {
        const w = standard(k, callRequested(k, nextPhone()));
        return ["standard, text/plain (415)", ingestUrl, { ...w, headers: { ...w.headers, "content-type": "text/plain" } }];
      }
      case 11:
        return [
          "salesforce, malformed XML (400)",
          ingestUrl,
          {
            sourceId: "salesforce",
            path: "/webhooks/salesforce",
            headers: { "content-type": "text/xml; charset=utf-8" },
            body: "<soapenv:Envelope><unclosed",
          },
        ];
      case 12:
        return ["standard, no route (ignored)", ingestUrl, standard(k, { type: "contact.deleted", data: { id: `lead-${k}` } })];
      case 13:
        // The number of the previous call again, under a new event: Talkover answers 409 DUPLICATE_CALL.
        return ["standard, same number again (409)", ingestUrl, standard(k, callRequested(k, lastPhone))];
      default: {
        lastPhone = nextPhone();
        lastStandard = standard(k, callRequested(k, lastPhone));
        return ["standard", ingestUrl, lastStandard];
      }
    }
  }

  const inFlight = new Set();
  function send(k) {
    const [label, url, webhook] = webhookFor(k);
    const p = sendWebhook(url, webhook, { signal: AbortSignal.timeout(10_000) })
      .then(async (res) => {
        await res.arrayBuffer();
        count(label, res.status);
      })
      .catch((error) => count(label, `error ${error.name}`))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  return { tally, send, drain: () => Promise.all([...inFlight]) };
}

async function produceDirect(producer, topic, runId, n) {
  const now = new Date().toISOString();
  const request = (campaign, i) => {
    const to = nextPhone();
    return {
      key: `${campaign}:${to}`,
      value: JSON.stringify({
        version: 1,
        idempotency_key: `prove:${runId}:${campaign}:${n}:${i}`,
        campaign_id: campaign,
        to,
        is_testing: true,
        source: { kind: "prove", event_id: `${n}-${i}`, route: "prove-direct", received_at: now },
        requested_at: now,
      }),
      headers: { "content-type": "application/json" },
    };
  };
  await producer.send(topic, [
    request("campaign-paused", 0),
    request("campaign-paused", 1),
    request("campaign-forbidden", 2),
    { key: `unreadable:${n}`, value: "this is not a call request" },
  ]);
}

// --- Prometheus queries --------------------------------------------------------------------
async function promQuery(promUrl, expr) {
  const url = `${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const res = await fetch(url);
  const body = await res.json();
  if (body.status !== "success") return { error: `${body.errorType ?? res.status}: ${body.error ?? "query failed"}`, series: 0, finite: 0 };
  const { resultType, result } = body.data;
  if (resultType === "scalar") return { series: 1, finite: Number.isFinite(Number(result[1])) ? 1 : 0 };
  const values = resultType === "matrix" ? result.map((s) => s.values.at(-1)?.[1]) : result.map((s) => s.value[1]);
  return { series: result.length, finite: values.filter((v) => Number.isFinite(Number(v))).length };
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

// --- main ----------------------------------------------------------------------------------
async function main() {
  const targets = dashboardTargets();
  const jobs = repoScrapeJobs();
  for (const required of ["callbridge-ingest", "callbridge-worker"]) {
    if (!jobs.some((j) => j.name === required)) throw new Error(`infra/prometheus/prometheus.yml has no job ${required}`);
  }
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`${PROMETHEUS_BIN} not found (apt-get install prometheus, or set PROMETHEUS_BIN)`);
  const failures = [];

  const runId = uniqueName("prove");
  let brokers = env.KAFKA_BROKERS;
  let kafkaPid;
  if (!brokers) {
    kafkaName = uniqueName("prove-dashboards");
    log(`starting Kafka (${kafkaName})`);
    const instance = await startKafka({ name: kafkaName, env, fresh: true });
    brokers = instance.brokers;
    kafkaPid = instance.started ? instance.pid : undefined;
  }
  log(`Kafka at ${brokers}`);
  const topics = {
    CALL_REQUESTS_TOPIC: `${runId}.call-requests.v1`,
    DLQ_TOPIC: `${runId}.call-requests.v1.dlq`,
    CALL_RESULTS_TOPIC: `${runId}.call-results.v1`,
  };

  // Create the topics first: a broker that has just started answers slowly, and an app whose
  // first metadata request times out exits.
  const kafka = new KafkaClient({
    brokers: [brokers],
    clientId: "prove-dashboards",
    logger: createLogger({ name: "prove", level: "silent" }),
  });
  const admin = kafka.admin();
  await admin.connect();
  const catalog = topicCatalog({
    names: { callRequests: topics.CALL_REQUESTS_TOPIC, callRequestsDlq: topics.DLQ_TOPIC, callResults: topics.CALL_RESULTS_TOPIC },
    partitions: 6,
  });
  await admin.ensureTopics([catalog.callRequests, catalog.callRequestsDlq, catalog.callResults]);
  await admin.disconnect();

  const [simPort, ingestPort, ingestMetricsPort, workerPort, promPort] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
  const simUrl = `http://127.0.0.1:${simPort}`;
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const promUrl = `http://127.0.0.1:${promPort}`;
  const baseLatency = { latency_ms: 25, latency_jitter_ms: 15, latency_distribution: "uniform" };

  start("talkover-sim", process.execPath, [join(root, "apps/talkover-sim/dist/main.js")], {
    PORT: String(simPort),
    LOG_LEVEL: "warn",
    SIM_LATENCY_MS: String(baseLatency.latency_ms),
    SIM_LATENCY_JITTER_MS: String(baseLatency.latency_jitter_ms),
    SIM_LATENCY_DISTRIBUTION: baseLatency.latency_distribution,
    SIM_CALL_QUEUED_MS: "3000",
    SIM_CALL_ACTIVE_MS: "3000",
  });
  const ingestEnv = {
    KAFKA_BROKERS: brokers,
    LOG_LEVEL: "warn",
    SHUTDOWN_TIMEOUT_MS: "3000",
    CALL_REQUESTS_TOPIC: topics.CALL_REQUESTS_TOPIC,
    DLQ_TOPIC: topics.DLQ_TOPIC,
  };
  start("ingest", process.execPath, [join(root, "apps/ingest/dist/main.js")], {
    ...ingestEnv,
    PORT: String(ingestPort),
    METRICS_PORT: String(ingestMetricsPort),
  });
  await waitForHttp("talkover-sim", `${simUrl}/_sim/health`);
  await waitForHttp("ingest", `${ingestUrl}/readyz`);
  start("worker", process.execPath, [join(root, "apps/worker/dist/main.js")], {
    KAFKA_BROKERS: brokers,
    KAFKA_GROUP_ID: `${runId}-worker`,
    ...topics,
    PORT: String(workerPort),
    LOG_LEVEL: "warn",
    TALKOVER_BASE_URL: simUrl,
    TALKOVER_API_TOKEN: TOKEN,
    RATE_LIMIT_PER_SECOND: "12",
    RATE_LIMIT_BURST: "4",
    MAX_CONCURRENT_CALLS: "8",
    BACKOFF_BASE_MS: "200",
    BACKOFF_MAX_MS: "2000",
    RETRY_AFTER_MAX_MS: "2000",
    LAG_INTERVAL_MS: "2000",
    COMMIT_INTERVAL_MS: "500",
    SHUTDOWN_TIMEOUT_MS: "3000",
  });

  // Prometheus: the repository's job names and target labels, our ports, 1 s scrapes, the rules.
  const targetsByJob = {
    "callbridge-ingest": [`127.0.0.1:${ingestMetricsPort}`],
    "callbridge-worker": [`127.0.0.1:${workerPort}`],
    prometheus: [`127.0.0.1:${promPort}`],
  };
  let rules = ruleFiles();
  if (rules.length > 0) {
    const check = spawnSync(PROMETHEUS_BIN.replace(/prometheus$/, "promtool"), ["check", "rules", ...rules], { encoding: "utf8" });
    if (check.error === undefined && check.status !== 0) {
      failures.push(`promtool check rules failed; Prometheus runs without the rules:\n${check.stdout}${check.stderr}`);
      rules = [];
    }
  }
  const promConfig = {
    global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s", external_labels: { stack: "prove-dashboards" } },
    rule_files: rules,
    scrape_configs: jobs
      .filter((job) => targetsByJob[job.name])
      .map((job) => ({
        job_name: job.name,
        metrics_path: job.metricsPath,
        static_configs: [{ targets: targetsByJob[job.name], ...(job.service ? { labels: { service: job.service } } : {}) }],
      })),
  };
  // JSON is YAML: no YAML library needed.
  writeFileSync(join(tmp, "prometheus.yml"), JSON.stringify(promConfig, null, 2));
  start("prometheus", PROMETHEUS_BIN, [
    `--config.file=${join(tmp, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(tmp, "tsdb")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    "--storage.tsdb.retention.time=1h",
    "--log.level=warn",
  ]);
  await waitForHttp("prometheus", `${promUrl}/-/ready`);
  await waitForHttp("worker", `${workerUrl}/readyz`);
  log(`up: simulator ${simUrl}, ingest ${ingestUrl}, worker ${workerUrl}, Prometheus ${promUrl}, ${rules.length} rule file(s)`);

  // The load.
  const producer = kafka.producer();
  await producer.connect();
  const load = makeLoad({ ingestUrl, runId });
  const faultsAt = Math.round(LOAD_SECONDS * 0.3);
  const stallAt = Math.round(LOAD_SECONDS * 0.5);
  log(
    `load: ${LOAD_SECONDS} s at 10 webhooks/s; simulator faults (20% 429, 10% 500) from ${faultsAt} s; ` +
      (kafkaPid ? `Kafka stalled for ${STALL_SECONDS} s at ${stallAt} s` : "no Kafka stall (KAFKA_BROKERS is not ours)"),
  );
  let stallDone = !kafkaPid;
  const direct = [];
  const loadStart = Date.now();
  let k = 0;
  let faultsOn = false;
  let directBatches = 0;
  while (Date.now() - loadStart < LOAD_SECONDS * 1000) {
    const elapsed = (Date.now() - loadStart) / 1000;
    if (!faultsOn && elapsed >= faultsAt) {
      const res = await fetch(`${simUrl}/_sim/faults`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...baseLatency, throttle_rate: 0.2, error_rate: 0.1, retry_after_seconds: 1 }),
      });
      if (!res.ok) throw new Error(`PUT /_sim/faults answered ${res.status}: ${await res.text()}`);
      faultsOn = true;
      log("simulator faults on");
    }
    if (!stallDone && !stalledKafkaPid && elapsed >= stallAt) {
      process.kill(kafkaPid, "SIGSTOP");
      stalledKafkaPid = kafkaPid;
      log("Kafka stalled (SIGSTOP)");
    }
    if (stalledKafkaPid && elapsed >= stallAt + STALL_SECONDS) {
      resumeKafka();
      stallDone = true;
      log("Kafka resumed (SIGCONT)");
    }
    if (k % 50 === 0 && !stalledKafkaPid) {
      const n = directBatches++;
      direct.push(
        produceDirect(producer, topics.CALL_REQUESTS_TOPIC, runId, n).catch((error) => log(`direct batch ${n}: ${error.message}`)),
      );
    }
    load.send(k++);
    await sleep(Math.max(0, loadStart + k * 100 - Date.now()));
  }
  if (stalledKafkaPid) resumeKafka();
  await load.drain();
  await Promise.all(direct);
  await producer.disconnect();
  const sent = [...load.tally.entries()].sort();
  log(`load done: ${k} webhooks, ${directBatches} direct batches (2 paused, 1 forbidden, 1 unreadable each)`);
  console.log(
    table(
      ["webhook -> answer", "count"],
      sent.map(([key, n]) => [key, n]),
    ),
  );
  const sim = await (await fetch(`${simUrl}/_sim/stats`)).json();
  console.log(`\nsimulator: ${sim.calls} calls accepted; responses ${JSON.stringify(sim.responses)}\n`);

  // Let the last increments reach Prometheus and the rules evaluate.
  await sleep(4_000);
  const scrape = await (await fetch(`${promUrl}/api/v1/targets?state=active`)).json();
  for (const t of scrape.data.activeTargets) {
    if (t.health !== "up") failures.push(`scrape target ${t.labels.job} ${t.scrapeUrl} is ${t.health}: ${t.lastError}`);
  }

  // Every panel target.
  const rows = [];
  const panelData = new Map();
  for (const t of targets) {
    if (!t.expr.trim()) {
      failures.push(`panel "${t.panel}" has a target without an expr`);
      rows.push([t.panel, t.legend, "-", "NO EXPR"]);
      continue;
    }
    const r = await promQuery(promUrl, substitute(t.expr));
    panelData.set(t.panel, (panelData.get(t.panel) ?? 0) + r.finite);
    if (r.error) failures.push(`panel "${t.panel}" target "${t.legend}": ${r.error}\n    ${t.expr}`);
    else if (r.finite === 0 && !kafkaPid && /unavailable/.test(t.expr))
      warnings.push(
        `panel "${t.panel}" target "${t.legend}" has no data: it needs the Kafka stall, which needs a broker this script starts`,
      );
    else if (r.finite === 0)
      failures.push(`panel "${t.panel}" target "${t.legend}" returned no data${r.series ? " (only NaN)" : ""}\n    ${t.expr}`);
    rows.push([t.panel, t.legend, `${r.finite}/${r.series}`, r.error ? "ERROR" : r.finite > 0 ? "ok" : "NO DATA"]);
  }
  console.log(table(["panel", "target (legend)", "series finite/all", "result"], rows));
  for (const [panel, n] of panelData) if (n === 0) failures.push(`panel "${panel}" has no data`);

  // Every rule expr, as Prometheus loaded it (and as it evaluated it).
  const ruleRows = [];
  if (rules.length > 0) {
    const loaded = (await (await fetch(`${promUrl}/api/v1/rules`)).json()).data.groups.flatMap((g) =>
      g.rules.map((r) => ({ ...r, group: g.name })),
    );
    const declared = rules.reduce((n, f) => n + (readFileSync(f, "utf8").match(/^\s*-\s*(alert|record):/gm) ?? []).length, 0);
    if (loaded.length !== declared) failures.push(`Prometheus loaded ${loaded.length} rules, the files declare ${declared}`);
    for (const rule of loaded) {
      const r = await promQuery(promUrl, rule.query);
      if (r.error) failures.push(`rule ${rule.name}: ${r.error}`);
      if (rule.health === "err") failures.push(`rule ${rule.name} failed to evaluate: ${rule.lastError}`);
      const state = rule.type === "alerting" ? rule.state : "recording";
      ruleRows.push([rule.group, rule.name, state, r.error ? "ERROR" : `${r.series}`, rule.health]);
    }
    console.log(`\n${table(["group", "rule", "state", "series now", "health"], ruleRows)}`);
  } else {
    console.log("\nno rule files in infra/prometheus/rules/");
  }
  return failures;
}

let failures;
try {
  failures = await main();
} catch (error) {
  failures = [`the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
  for (const c of children) printLogTail(c);
} finally {
  clearTimeout(deadline);
  log("stopping what was started");
  await cleanup();
}
const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
if (warnings.length > 0) console.error(`\nprove-dashboards: not proven in this run:\n- ${warnings.join("\n- ")}`);
if (failures.length > 0) {
  console.error(`\nprove-dashboards: FAILED after ${seconds} s:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log(`\nprove-dashboards: every panel target and every rule expr answered, every panel has data (${seconds} s)`);
