import { fileURLToPath } from "node:url";
import { parseBrokers } from "@callbridge/kafka";
import { startKafka, stopKafka } from "@callbridge/kafka-launcher";
import { parseBrokerList } from "../brokers.js";
import type { CliContext } from "../context.js";
import { CliError, usageError } from "../errors.js";
import { cliKafka, connectAdmin } from "../kafka.js";
import { catalogFor } from "../topics/catalog.js";
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
    let brokers = env.KAFKA_BROKERS;
    if (brokers) {
      const parsed = parseBrokerList(brokers);
      if (!parsed.ok) throw usageError(`KAFKA_BROKERS=${brokers}: ${parsed.problem}`);
    } else {
      log("starting Kafka from Maven Central jars (the first run downloads them)...");
      const kafka = await startKafka({ name: "local", env, log });
      kafkaStarted = kafka.started;
      brokers = kafka.brokers;
    }
    const list = parseBrokers(brokers);
    const kafka = cliKafka(list);
    const admin = await connectAdmin(kafka, list);
    try {
      await admin.ensureTopics(catalogFor(context));
    } finally {
      await admin.disconnect();
    }

    const childEnv = {
      ...env,
      KAFKA_BROKERS: brokers,
      LOG_LEVEL: env.LOG_LEVEL ?? (options.verbose ? "info" : "warn"),
      CALL_REQUESTS_TOPIC: context.topics.callRequests,
      DLQ_TOPIC: context.topics.deadLetters,
      CALL_RESULTS_TOPIC: context.topics.callResults,
    };
    const print = (line: string) => log(line);
    let talkover = env.TALKOVER_BASE_URL;
    if (!talkover) {
      const sim = startChild("talkover-sim", app("talkover-sim"), { ...childEnv, PORT: String(options.simPort) }, print);
      started.push(sim);
      talkover = `http://127.0.0.1:${options.simPort}`;
      await waitReady(`${talkover}/_sim/health`, sim, 30_000);
    }
    const ingest = startChild(
      "ingest",
      app("ingest"),
      { ...childEnv, PORT: String(options.ingestPort), METRICS_PORT: String(options.ingestMetricsPort) },
      print,
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
      print,
    );
    started.push(worker);
    await waitReady(`http://127.0.0.1:${options.ingestPort}/readyz`, ingest, 60_000);
    await waitReady(`http://127.0.0.1:${options.workerPort}/readyz`, worker, 60_000);

    context.out(banner({ brokers, talkover, simulated: !env.TALKOVER_BASE_URL, options }));
    const firstExit = Promise.race(started.map((child) => child.exited.then((code) => ({ child, code }))));
    const stopped = new Promise<"signal">((resolve) => signals.addEventListener("abort", () => resolve("signal"), { once: true }));
    const reason = await Promise.race([firstExit, stopped]);
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

function banner(facts: { brokers: string; talkover: string; simulated: boolean; options: StackOptions }): string {
  const { options } = facts;
  return [
    "",
    "callbridge is running",
    `  webhooks   http://127.0.0.1:${options.ingestPort}/webhooks/{source_id}   (sources: hubspot, hubspot-workflows, standard, pipedrive, salesforce)`,
    `  ingest     http://127.0.0.1:${options.ingestPort}/readyz   metrics http://127.0.0.1:${options.ingestMetricsPort}/metrics`,
    `  worker     http://127.0.0.1:${options.workerPort}/readyz   metrics http://127.0.0.1:${options.workerPort}/metrics`,
    `  talkover   ${facts.talkover}${facts.simulated ? "   (simulator: calls at /_sim/calls)" : ""}`,
    `  kafka      ${facts.brokers}`,
    "",
    "  try it:    node apps/cli/dist/main.js demo       (signed sample webhooks, one per source kind)",
    "             node apps/cli/dist/main.js dlq list   (dead letters; `pnpm demo` / `pnpm callbridge` with pnpm on PATH)",
    "  Ctrl-C stops everything this started.",
    "",
  ].join("\n");
}
