// What the Jaeger check runs, each started by it and stopped by it (by PID, in reverse): Jaeger
// (infra/jaeger/config.yaml on free ports), a Kafka instance of its own, Redis, the Talkover
// simulator, the ingest and the worker as processes with tracing on, and Prometheus with exemplar
// storage scraping the two apps every second.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deleteKafkaInstance, freePort, startKafka, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS } from "@callbridge/webhook-samples";
import { createTopics } from "../support/kafka.js";
import {
  killHard,
  spawnIngest,
  spawnWorker,
  stopGently,
  untilReady,
  type WorkerProcess,
  workerProcessEnv,
} from "../support/worker-process.js";
import { type StartedProgram, startProgram, untilHttpOk } from "./programs.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const JAEGER_CONFIG = join(REPO_ROOT, "infra/jaeger/config.yaml");
const SIM_MAIN = join(REPO_ROOT, "apps/talkover-sim/dist/main.js");

export const ROUTE = { source: "standard", campaign: "campaign-uuid-1" } as const;

/** One route: a Standard Webhooks `call.requested` event becomes a call to `data.phone`. */
const ROUTES = `
sources:
  ${ROUTE.source}:
    kind: standard-webhooks
    secret: ${DEV_SECRETS.standardWebhooksSecret}
routes:
  - name: check-jaeger
    source: ${ROUTE.source}
    when: { type: call.requested }
    campaign_id: ${ROUTE.campaign}
    to: data.phone
    context: { lead: data.id }
`;

export interface StackOptions {
  readonly jaegerBin: string;
  readonly prometheusBin: string;
  /** The caller's environment: the Kafka launcher reads CALLBRIDGE_CACHE from it; PATH for the programs. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
}

export interface Stack {
  readonly jaegerQueryUrl: string;
  readonly prometheusUrl: string;
  readonly simUrl: string;
  readonly ingestUrl: string;
  /** Every started program's last log lines, for a failure report. */
  logTails(): string;
  /** Stops everything started so far, in reverse; each step runs even if one before failed. Safe to call twice. */
  stop(): Promise<void>;
}

const OTEL = (endpoint: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  // Spans leave the apps within half a second instead of the SDK's 5 s.
  OTEL_BSP_SCHEDULE_DELAY: "500",
});

export async function startStack(options: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "check-jaeger-"));
  const cleanups: { readonly what: string; readonly run: () => Promise<unknown> }[] = [];
  const programs: StartedProgram[] = [];
  const apps: { readonly name: string; readonly app: WorkerProcess }[] = [];
  const path = options.env.PATH ?? "/usr/bin:/bin";
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const { what, run } of cleanups.splice(0).reverse()) {
        await run().catch((error: unknown) =>
          options.log(`could not stop ${what}: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const program = (name: string, command: string, args: readonly string[], env: Record<string, string>) => {
    const started = startProgram(name, command, args, { PATH: path, ...env }, dir);
    programs.push(started);
    cleanups.push({ what: name, run: () => started.stop() });
    return started;
  };
  const app = (name: string, started: WorkerProcess) => {
    apps.push({ name, app: started });
    cleanups.push({ what: name, run: () => stopApp(started) });
    return started;
  };
  const stack = (urls: Omit<Stack, "logTails" | "stop">): Stack => ({
    ...urls,
    logTails: () =>
      [
        ...programs.map((p) => `--- last lines of ${p.name} (${p.logFile}) ---\n${p.tail()}`),
        ...apps.map(({ name, app }) => `--- last lines of ${name} ---\n${app.output().trimEnd().split("\n").slice(-20).join("\n")}`),
      ].join("\n"),
    stop,
  });

  try {
    const { otlp, otlpGrpc, query, queryGrpc, health, sim, ingest, ingestMetrics, worker, prometheus } = await freePorts([
      "otlp",
      "otlpGrpc",
      "query",
      "queryGrpc",
      "health",
      "sim",
      "ingest",
      "ingestMetrics",
      "worker",
      "prometheus",
    ] as const);
    options.log("starting Jaeger, Kafka (an instance of its own), Redis and the simulator");
    const jaeger = program("jaeger", options.jaegerBin, ["--config", JAEGER_CONFIG], {
      JAEGER_LISTEN_HOST: "127.0.0.1",
      JAEGER_OTLP_HTTP_PORT: String(otlp),
      JAEGER_OTLP_GRPC_PORT: String(otlpGrpc),
      JAEGER_QUERY_PORT: String(query),
      JAEGER_QUERY_GRPC_PORT: String(queryGrpc),
      JAEGER_HEALTH_PORT: String(health),
      JAEGER_LOG_LEVEL: "warn",
    });
    const kafkaName = uniqueName("check-jaeger");
    cleanups.push({ what: `Kafka instance ${kafkaName}`, run: () => deleteKafkaInstance({ name: kafkaName, env: options.env }) });
    const kafkaStarting = startKafka({ name: kafkaName, env: options.env, fresh: true });
    // Awaited below; a failure before that (Redis, Jaeger) must not leave its rejection unhandled.
    kafkaStarting.catch(() => undefined);
    const redis = await startRedisServer();
    cleanups.push({ what: "Redis", run: () => redis.stop() });
    const simulator = program("talkover-sim", process.execPath, [SIM_MAIN], { PORT: String(sim), LOG_LEVEL: "warn" });
    const simUrl = `http://127.0.0.1:${sim}`;
    await untilHttpOk(jaeger, `http://127.0.0.1:${health}/status`, 30_000);
    await untilHttpOk(simulator, `${simUrl}/_sim/health`, 30_000);
    const { brokers } = await kafkaStarting;
    const topics = await createTopics(brokers);

    options.log(`starting the ingest and the worker, tracing to Jaeger's OTLP/HTTP receiver on :${otlp}`);
    const routesFile = join(dir, "routes.yaml");
    writeFileSync(routesFile, ROUTES);
    const otel = OTEL(`http://127.0.0.1:${otlp}`);
    const ingestApp = app(
      "ingest",
      spawnIngest({
        KAFKA_BROKERS: brokers,
        REDIS_URL: redis.url,
        ROUTES_FILE: routesFile,
        CALL_REQUESTS_TOPIC: topics.callRequests,
        DLQ_TOPIC: topics.deadLetters,
        ENSURE_TOPICS: "false",
        PORT: String(ingest),
        METRICS_PORT: String(ingestMetrics),
        ...otel,
      }),
    );
    const workerApp = app(
      "worker",
      spawnWorker(workerProcessEnv({ brokers, topics, simUrl, redisUrl: redis.url }, { PORT: String(worker), ...otel })),
    );
    const ingestUrl = `http://127.0.0.1:${ingest}`;
    await untilReady(ingestApp, ingestUrl);
    await untilReady(workerApp, `http://127.0.0.1:${worker}`);

    options.log("starting Prometheus (exemplar storage) scraping the ingest and the worker every second");
    const prometheusConfig = join(dir, "prometheus.yml");
    // JSON is YAML. Job names as in infra/prometheus/prometheus.yml.
    writeFileSync(
      prometheusConfig,
      JSON.stringify({
        global: { scrape_interval: "1s", scrape_timeout: "1s" },
        scrape_configs: [
          { job_name: "callbridge-ingest", static_configs: [{ targets: [`127.0.0.1:${ingestMetrics}`] }] },
          { job_name: "callbridge-worker", static_configs: [{ targets: [`127.0.0.1:${worker}`] }] },
        ],
      }),
    );
    const prometheusUrl = `http://127.0.0.1:${prometheus}`;
    const prom = program(
      "prometheus",
      options.prometheusBin,
      [
        `--config.file=${prometheusConfig}`,
        `--storage.tsdb.path=${join(dir, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${prometheus}`,
        "--enable-feature=exemplar-storage",
        "--log.level=warn",
      ],
      {},
    );
    await untilHttpOk(prom, `${prometheusUrl}/-/ready`, 30_000);
    return stack({ jaegerQueryUrl: `http://127.0.0.1:${query}`, prometheusUrl, simUrl, ingestUrl });
  } catch (error) {
    const tails = stack({ jaegerQueryUrl: "", prometheusUrl: "", simUrl: "", ingestUrl: "" }).logTails();
    await stop();
    throw new Error(`could not start the stack: ${error instanceof Error ? error.message : String(error)}\n${tails}`, { cause: error });
  }
}

/** A distinct free loopback port for each name. */
async function freePorts<N extends string>(names: readonly N[]): Promise<Record<N, number>> {
  const taken = new Set<number>();
  while (taken.size < names.length) taken.add(await freePort());
  const ports = [...taken];
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as Record<N, number>;
}

/** SIGTERM (the app drains), SIGKILL if it has not exited after 10 s. */
async function stopApp(app: WorkerProcess): Promise<void> {
  await Promise.race([stopGently(app), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  await killHard(app);
}
