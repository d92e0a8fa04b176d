import { parseBrokerList } from "@callbridge/env-schemas";
import { DEFAULT_TOPICS } from "@callbridge/schemas";
import { Command, InvalidArgumentError, Option } from "commander";
import { checkConfigFile } from "./config-check-policy.js";
import type { CliContext } from "./context.js";
import { appendOption } from "./dlq/filters.js";
import { inspectLetter } from "./dlq/inspect.js";
import { listLetters } from "./dlq/list.js";
import { replayLetters } from "./dlq/replay.js";
import { usageError } from "./errors.js";
import { listParked } from "./parked/list.js";
import { dropParked, redriveParked } from "./parked/operator-command.js";
import { DEFAULT_WORKER_GROUP } from "./parked/read-parked.js";
import { runDemo } from "./stack/demo.js";
import { runStack } from "./stack/stack.js";
import { addSuppressCommands } from "./suppress/command.js";
import { describeTopics, ensureTopics } from "./topics/topics.js";
import { withTracing } from "./tracing.js";

export interface ProgramIo {
  readonly env: Record<string, string | undefined>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (for the progress bar). */
  readonly interactive: boolean;
  readonly nowMs: () => number;
  /** Aborts on SIGINT/SIGTERM (the stack command runs until then). */
  readonly signal: AbortSignal;
}

interface GlobalOptions {
  brokers: string;
  json: boolean;
  requestsTopic: string;
  dlqTopic: string;
  resultsTopic: string;
  replaysTopic: string;
}

/** The `callbridge` command tree. `main.ts` runs it; tests run it in-process. */
export function createProgram(io: ProgramIo, extend: (program: Command, context: () => CliContext) => void = () => {}): Command {
  const program = createRootCommand(io);
  const context = (): CliContext => contextFromOptions(program, io);
  addDlqCommands(program, context, io);
  addTopicsCommands(program, context);
  addParkedCommands(program, context);
  addSuppressCommands(program, context, io);
  addConfigCommands(program, context, io);
  addStackCommands(program, context, io);
  extend(program, context);
  return program;
}

/** `callbridge` itself: the global options (Kafka and topics), and commander's output routed through `io`. */
function createRootCommand(io: ProgramIo): Command {
  return (
    new Command("callbridge")
      .description("Operate callbridge: dead letters, parked requests, topics, routes, and a local stack")
      .addOption(new Option("--brokers <list>", "Kafka brokers, host:port[,host:port]").env("KAFKA_BROKERS").default("127.0.0.1:19092"))
      .addOption(new Option("--json", "print JSON instead of tables").default(false))
      .addOption(
        new Option("--requests-topic <name>", "call requests topic").env("CALL_REQUESTS_TOPIC").default(DEFAULT_TOPICS.callRequests),
      )
      .addOption(new Option("--dlq-topic <name>", "dead-letter topic").env("DLQ_TOPIC").default(DEFAULT_TOPICS.callRequestsDlq))
      .addOption(new Option("--results-topic <name>", "call results topic").env("CALL_RESULTS_TOPIC").default(DEFAULT_TOPICS.callResults))
      .addOption(
        new Option("--replays-topic <name>", "where dlq replay records what it replayed")
          .env("DLQ_REPLAYS_TOPIC")
          .default(DEFAULT_TOPICS.dlqReplays),
      )
      // Commander's own errors (unknown flag, bad argument) in our one-line form, like every other failure.
      .configureOutput({
        writeOut: io.out,
        writeErr: io.err,
        outputError: (message, write) =>
          write(
            `callbridge: ${message
              .replace(/^error: /, "")
              .trim()
              .replace(/\s*\n\s*/g, " ")} (see --help)\n`,
          ),
      })
      .exitOverride()
  );
}

/** What a command runs with, from the global options as parsed when the command runs. */
function contextFromOptions(program: Command, io: ProgramIo): CliContext {
  const g = program.opts<GlobalOptions>();
  return {
    // Read when a command needs Kafka, so a bad KAFKA_BROKERS does not stop `config check`.
    get brokers() {
      const parsed = parseBrokerList(g.brokers);
      if (parsed.ok) return parsed.brokers;
      const given = program.getOptionValueSource("brokers") === "env" ? `KAFKA_BROKERS=${g.brokers}` : `--brokers ${g.brokers}`;
      throw usageError(`${given}: ${parsed.problem}`);
    },
    topics: { callRequests: g.requestsTopic, deadLetters: g.dlqTopic, callResults: g.resultsTopic, replays: g.replaysTopic },
    json: g.json,
    out: io.out,
    progress: io.interactive && !g.json ? io.err : undefined,
    nowMs: io.nowMs,
    signal: io.signal,
  };
}

/** The options that select dead letters, shared by `dlq list` and `dlq replay`. */
function withLetterFilters(command: Command): Command {
  return command
    .option(
      "--reason <reason>",
      "http_4xx, retries_exhausted, invalid_message, invalid_phone, parked_expired, parked_dropped (repeatable)",
      appendOption,
    )
    .option("--code <code>", "error code such as CAMPAIGN_NOT_ACTIVE (repeatable)", appendOption)
    .option("--campaign <id>", "campaign id (repeatable)", appendOption)
    .option("--source <kind>", "source kind such as hubspot (repeatable)", appendOption)
    .option("--key <key>", "exact record key (campaign:+number)")
    .option("--since <time>", "dead-lettered at or after: 30m, 2h, 7d ago, or an ISO time")
    .option("--until <time>", "dead-lettered at or before: 30m, 2h, 7d ago, or an ISO time");
}

/** `dlq list`, `dlq inspect`, `dlq replay` (traced when the OTEL_* variables ask). */
function addDlqCommands(program: Command, context: () => CliContext, io: ProgramIo): void {
  const dlq = program.command("dlq").description("inspect and replay dead letters");
  withLetterFilters(dlq.command("list").description("list dead letters, newest last"))
    .option("--limit <n>", "show only the last n", positiveInt)
    .action((options) => listLetters(context(), options));
  dlq
    .command("inspect")
    .description("show one dead letter: every header and the value")
    .argument("<id>", "partition:offset, as dlq list shows it")
    .option("--reveal", "show phone numbers unmasked", false)
    .action((id: string, options) => inspectLetter(context(), id, options));
  withLetterFilters(dlq.command("replay").description("re-publish matching dead letters to the requests topic (each letter once)"))
    .option("--dry-run", "count what would be replayed, by reason and code; write nothing", false)
    .option("--allow-duplicates", "replay with allow_duplicates: true", false)
    .option("--set <field=value>", "set is_testing, allow_duplicates, campaign_id or to (repeatable)", appendOption)
    .option("--campaign-map <old=new>", "send one campaign's letters to another (repeatable)", appendOption)
    .option("--rate <n>", "letters per second at most (0: no cap)", nonNegative, 50)
    .option("--max-replays <n>", "leave alone letters replayed this many times already", positiveInt, 3)
    .action((options) => withTracing(io.env, io.err, () => replayLetters(context(), options)));
}

/** `topics ensure`, `topics describe`. */
function addTopicsCommands(program: Command, context: () => CliContext): void {
  const topics = program.command("topics").description("create and describe callbridge's topics");
  topics
    .command("ensure")
    .description("create the topics that are missing, with their partitions and retention")
    .option("--partitions <n>", "partitions of the requests and results topics", positiveInt)
    .action((options) => ensureTopics(context(), options));
  topics
    .command("describe")
    .description("offsets per partition, and the worker group's lag")
    .addOption(new Option("--group <id>", "consumer group of the worker").env("KAFKA_GROUP_ID").default("callbridge-worker"))
    .action((options) => describeTopics(context(), options));
}

/** `parked list`, `parked redrive`, `parked drop`. */
function addParkedCommands(program: Command, context: () => CliContext): void {
  const parked = program.command("parked").description("requests waiting for their campaign to be active (durable deferral)");
  parked
    .command("list")
    .description("parked requests by campaign: how many, since when, the campaign's last seen status, the next check")
    .addOption(workerGroupOption())
    .action((options: { group: string }) => listParked(context(), options));
  const operatorCommand = (name: string, description: string) =>
    parked
      .command(name)
      .description(description)
      .requiredOption("--campaign <id>", "the campaign")
      .addOption(new Option("--redis <url>", "the Redis the workers share").env("REDIS_URL"))
      .addOption(workerGroupOption());
  const redisSource = (command: Command) => (command.getOptionValueSource("redis") === "env" ? "REDIS_URL" : "--redis");
  const redrive = operatorCommand(
    "redrive",
    "have the workers read the campaign's status again now and place its parked requests if active",
  );
  redrive.action((options: { campaign: string; redis?: string; group: string }) =>
    redriveParked(context(), { ...options, redis: options.redis, redisSource: redisSource(redrive) }),
  );
  const drop = operatorCommand("drop", "dead-letter (parked_dropped) the campaign's requests parked until now; needs --yes").option(
    "--yes",
    "yes, dead-letter them",
    false,
  );
  drop.action((options: { campaign: string; redis?: string; group: string; yes: boolean }) =>
    dropParked(context(), { ...options, redis: options.redis, redisSource: redisSource(drop) }),
  );
}

function workerGroupOption(): Option {
  return new Option("--group <id>", "consumer group of the worker").env("KAFKA_GROUP_ID").default(DEFAULT_WORKER_GROUP);
}

/** `config check`. */
function addConfigCommands(program: Command, context: () => CliContext, io: ProgramIo): void {
  program
    .command("config")
    .description("routes files and recipient policy files")
    .command("check")
    .description(
      "validate a routes file (secrets from this environment) or a recipient policy file (kind: recipient-policy); " +
        "with --event, show what an event would produce; with --number, what the policy does for a number",
    )
    .argument("<file>", "the YAML routes file or recipient policy file")
    .option("--source <id>", "routes file: the source a sample event comes from")
    .option("--event <file>", "routes file: the sample event's fields as JSON (- for stdin); an array for several")
    .option("--number <e164>", "policy file: show the number's place, the overrides that apply and its calling window")
    .option("--at <time>", "policy file, with --number: judge the window at this ISO 8601 time (default now)")
    .option("--campaign <id>", "policy file, with --number: the request's campaign id")
    .option("--route <name>", "policy file, with --number: the request's route name")
    .option("--testing", "policy file, with --number: judge a request with is_testing: true")
    .option("--reveal", "show phone numbers unmasked", false)
    .action((file: string, options) => checkConfigFile(context(), file, io.env, options));
}

/** `stack` (the local pipeline) and `demo` (sample webhooks sent to it). */
function addStackCommands(program: Command, context: () => CliContext, io: ProgramIo): void {
  program
    .command("stack")
    .description("run the whole pipeline here in the foreground: Kafka, topics, simulator, ingest, worker (Ctrl-C stops it)")
    .option("--ingest-port <port>", "webhooks", positiveInt, 8080)
    .option("--ingest-metrics-port <port>", "ingest metrics", positiveInt, 9464)
    .option("--worker-port <port>", "worker health and metrics", positiveInt, 9465)
    .option("--sim-port <port>", "Talkover simulator (unless TALKOVER_BASE_URL is set)", positiveInt, 4010)
    .option("--verbose", "let the services log at info", false)
    .action((options) => runStack(context(), io.env, options, io.signal, (line) => io.err(`${line}\n`)));
  program
    .command("demo")
    .description("send signed sample webhooks (one per source kind) to a running stack and show the calls and a dead letter")
    .option("--ingest-url <url>", "the ingest", "http://127.0.0.1:8080")
    .option("--sim-url <url>", "the Talkover simulator", "http://127.0.0.1:4010")
    .option("--wait <seconds>", "how long to wait for the calls", positiveInt, 20)
    .action((options) => runDemo(context(), { ingestUrl: options.ingestUrl, simUrl: options.simUrl, waitSeconds: options.wait }));
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("must be a whole number above 0");
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number, 0 or more");
  return n;
}
