import { fileURLToPath } from "node:url";
import { parseBrokerList } from "@callbridge/env-schemas";
import { startKafka, stopKafka } from "@callbridge/kafka-launcher";
import type { CliContext } from "../context.js";
import { CliError, usageError } from "../errors.js";
import { cliKafka, connectAdmin } from "../kafka.js";
import { ALL_TOPIC_ROLES, catalogOptions } from "../topics/catalog.js";
import { type Child, startChild, stopChild, waitReady } from "./children.js";

export interface StackOptions {
  readonly ingestPort: number;
  readonly ingestMetricsPort: number;
  readonly workerPort: number;
  readonly simPort: number;
  readonly verbose: boolean;
}

/**
 * The entry point of an app this command starts, found through its package (a declared
 * dependency of the CLI): `main.js` beside the package's `dist/index.js`.
 */
const app = (name: "talkover-sim" | "ingest" | "worker") => fileURLToPath(new URL("main.js", import.meta.resolve(`@callbridge/${name}`)));

/**
 * The whole pipeline on one machine, in the foreground: Kafka (the launcher's broker unless
 * KAFKA_BROKERS is set), the topics, the Talkover simulator (unless TALKOVER_BASE_URL is set),
 * the ingest with the example routes, and the worker. Ctrl-C stops everything it started.
 */
export async function runStack(
  context: CliContext,
  env: Record<string, string | undefined>,
  options: StackOptions,
  signals: AbortSignal,
  log: (line: string) => void,
): Promise<void> {
  const started: Child[] = [];
  let kafkaStarted = false;
  const stopAll = async () => {
    for (const child of [...started].reverse()) await stopChild(child, 20_000);
    if (kafkaStarted) {
      log("stopping Kafka (instance local; its data stays for the next run)");
      await stopKafka({ name: "local", env });
    }
  };
  try {
    const kafka = await brokersToUse(env, log);
    kafkaStarted = kafka.started;
    const { brokers } = kafka;
    await createTopics(context, brokers);
    const talkover = await startServices(context, env, options, brokers, started, log);

    context.out(banner({ brokers, talkover, simulated: !env.TALKOVER_BASE_URL, guard: guardLine(env), options }));
    const reason = await firstExitOrSignal(started, signals);
    if (reason !== "signal") {
      await stopAll();
      throw new CliError(`${reason.child.name} exited with code ${reason.code}; stopped the rest`);
    }
    log("stopping...");
    await stopAll();
    log("stopped; nothing left running");
  } catch (error) {
    await stopAll();
    if (error instanceof CliError) throw error;
    throw new CliError(`the stack did not start: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
}

/** KAFKA_BROKERS when set (checked), else the launcher's local broker, started here unless it already runs (`started`). */
async function brokersToUse(
  env: Record<string, string | undefined>,
  log: (line: string) => void,
): Promise<{ brokers: string; started: boolean }> {
  const brokers = env.KAFKA_BROKERS;
  if (brokers) {
    const parsed = parseBrokerList(brokers);
    if (!parsed.ok) throw usageError(`KAFKA_BROKERS=${brokers}: ${parsed.problem}`);
    return { brokers, started: false };
  }
  log("starting Kafka from Maven Central jars (the first run downloads them)...");
  const kafka = await startKafka({ name: "local", env, log });
  return { brokers: kafka.brokers, started: kafka.started };
}

async function createTopics(context: CliContext, brokers: string): Promise<void> {
  const parsed = parseBrokerList(brokers);
  if (!parsed.ok) throw usageError(`KAFKA_BROKERS=${brokers}: ${parsed.problem}`);
  const list = parsed.brokers;
  const kafka = cliKafka(list);
  const admin = await connectAdmin(kafka, list);
  try {
    await admin.ensureCatalogTopics(ALL_TOPIC_ROLES, catalogOptions(context));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts the simulator (unless TALKOVER_BASE_URL is set), the ingest and the worker, adding
 * each to `started` as soon as it runs, and waits until they are ready. Answers the Talkover URL.
 */
async function startServices(
  context: CliContext,
  env: Record<string, string | undefined>,
  options: StackOptions,
  brokers: string,
  started: Child[],
  log: (line: string) => void,
): Promise<string> {
  const childEnv = {
    ...env,
    KAFKA_BROKERS: brokers,
    LOG_LEVEL: env.LOG_LEVEL ?? (options.verbose ? "info" : "warn"),
    CALL_REQUESTS_TOPIC: context.topics.callRequests,
    DLQ_TOPIC: context.topics.deadLetters,
    CALL_RESULTS_TOPIC: context.topics.callResults,
  };
  let talkover = env.TALKOVER_BASE_URL;
  if (!talkover) {
    const sim = startChild("talkover-sim", app("talkover-sim"), { ...childEnv, PORT: String(options.simPort) }, log);
    started.push(sim);
    talkover = `http://127.0.0.1:${options.simPort}`;
    await waitReady(`${talkover}/_sim/health`, sim, 30_000);
  }
  const ingest = startChild(
    "ingest",
    app("ingest"),
    { ...childEnv, PORT: String(options.ingestPort), METRICS_PORT: String(options.ingestMetricsPort) },
    log,
  );
  started.push(ingest);
  const worker = startChild(
    "worker",
    app("worker"),
    {
      ...childEnv,
      PORT: String(options.workerPort),
      TALKOVER_BASE_URL: talkover,
      TALKOVER_API_TOKEN: env.TALKOVER_API_TOKEN ?? "talq_test_token",
    },
    log,
  );
  started.push(worker);
  await waitReady(`http://127.0.0.1:${options.ingestPort}/readyz`, ingest, 60_000);
  await waitReady(`http://127.0.0.1:${options.workerPort}/readyz`, worker, 60_000);
  return talkover;
}

/** Resolves with the first child to exit, or "signal" on Ctrl-C, whichever comes first. */
function firstExitOrSignal(started: readonly Child[], signals: AbortSignal): Promise<{ child: Child; code: number | null } | "signal"> {
  const firstExit = Promise.race(started.map((child) => child.exited.then((code) => ({ child, code }))));
  const stopped = new Promise<"signal">((resolve) => signals.addEventListener("abort", () => resolve("signal"), { once: true }));
  return Promise.race([firstExit, stopped]);
}

/**
 * What the worker's recipient guard does with the env it inherits: at night in the US the
 * demo's calls are deferred, and this line is where a user first learns why and what to change.
 */
function guardLine(env: Record<string, string | undefined>): string {
  if (env.RECIPIENT_GUARD === "off") return "off (RECIPIENT_GUARD=off): calls at any hour, no frequency caps";
  if (env.RECIPIENT_POLICY_FILE) return `on, policy ${env.RECIPIENT_POLICY_FILE}`;
  return "on: calls 08:00-21:00 in the recipient's local time, 3 per 24 h (RECIPIENT_GUARD=off: any hour)";
}

function banner(facts: { brokers: string; talkover: string; simulated: boolean; guard: string; options: StackOptions }): string {
  const { options } = facts;
  // The demo's defaults are the stack's default ports; say where to send when they differ.
  const ingestFlag = options.ingestPort === 8080 ? "" : ` --ingest-url http://127.0.0.1:${options.ingestPort}`;
  const simFlag = options.simPort === 4010 || !facts.simulated ? "" : ` --sim-url http://127.0.0.1:${options.simPort}`;
  return [
    "",
    "callbridge is running",
    `  webhooks   http://127.0.0.1:${options.ingestPort}/webhooks/{source_id}   (sources: hubspot, hubspot-workflows, standard, pipedrive, salesforce)`,
    `  ingest     http://127.0.0.1:${options.ingestPort}/readyz   metrics http://127.0.0.1:${options.ingestMetricsPort}/metrics`,
    `  worker     http://127.0.0.1:${options.workerPort}/readyz   metrics http://127.0.0.1:${options.workerPort}/metrics`,
    `  talkover   ${facts.talkover}${facts.simulated ? "   (simulator: calls at /_sim/calls)" : ""}`,
    `  kafka      ${facts.brokers}`,
    `  guard      ${facts.guard}`,
    "",
    `  try it:    node apps/cli/dist/main.js demo${ingestFlag}${simFlag}       (signed sample webhooks, one per source kind)`,
    "             node apps/cli/dist/main.js dlq list   (dead letters; `pnpm demo` / `pnpm callbridge` with pnpm on PATH)",
    "  Ctrl-C stops everything this started.",
    "",
  ].join("\n");
}
