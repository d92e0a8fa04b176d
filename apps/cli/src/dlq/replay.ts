import { DEFAULT_MAX_MESSAGE_BYTES, type KafkaClient, type Producer, RECORD_BATCH_OVERHEAD_BYTES, recordBytes } from "@callbridge/kafka";
import type { CliContext } from "../context.js";
import { CliError, interruptedError } from "../errors.js";
import { cliKafka, connectAdmin, requireTopic, rootMessage } from "../kafka.js";
import { readTopic } from "../read-topic.js";
import { buildFilter, type FilterOptions } from "./filters.js";
import type { Letter } from "./letter.js";
import { forEachLetter } from "./read-letters.js";
import { type DecisionState, decideLetter } from "./replay-decision.js";
import { batchSizeFor, dueAtMs, progressLine, sleep } from "./replay-pacing.js";
import { count, emptyReport, printReport, type Report, refusedTooLarge, sent } from "./replay-report.js";
import { type Outgoing, sendLetters } from "./replay-send.js";
import { abandonReplaySpans, endReplaySpans, startReplaySpan, type TracedOutgoing } from "./replay-trace.js";
import { type OffsetRange, ReplayedSet } from "./replayed-set.js";
import { parseTransforms } from "./transform.js";

export interface ReplayOptions extends FilterOptions {
  readonly dryRun?: boolean;
  readonly allowDuplicates?: boolean;
  readonly set?: string[];
  readonly campaignMap?: string[];
  /** Letters per second; 0 for no cap. */
  readonly rate: number;
  /** Letters replayed this many times already are left alone. */
  readonly maxReplays: number;
}

/**
 * Re-publishes matching dead letters to the requests topic. Resumable: every replayed letter
 * is recorded on the replays topic in the same produce request as the letter, so a second run
 * (or one after Ctrl-C) skips it whatever its filters. Letters stream through a fetch at a time;
 * what a run remembers is one bit per letter. The worker's idempotency ledger makes a replay of
 * an already placed request harmless.
 */
export async function replayLetters(context: CliContext, options: ReplayOptions): Promise<void> {
  const filter = buildFilter(options, context.nowMs());
  const transforms = parseTransforms(options);
  const dryRun = options.dryRun ?? false;
  const kafka = cliKafka(context.brokers);
  const setup = await prepare(kafka, context, dryRun);
  const replayed = new ReplayedSet(context.topics.deadLetters, setup.ranges);
  if (setup.replaysExist) {
    const end = await readTopic(
      kafka,
      context.topics.replays,
      (records) => {
        for (const r of records) replayed.apply(r.key?.toString("utf8") ?? "", r.value !== null);
        return "more";
      },
      { signal: context.signal },
    );
    if (end === "aborted") throw interruptedError(context.signal, "nothing was replayed");
  }
  const state: DecisionState = {
    filter,
    isReplayed: (letter) => replayed.has(letter.partition, letter.offset),
    maxReplays: options.maxReplays,
    transforms,
    limitBytes: setup.limitBytes,
    noteLimitBytes: setup.noteLimitBytes,
    replayOf: (letter) => `${context.topics.deadLetters}:${letter.partition}:${letter.offset}`,
    nowIso: new Date(context.nowMs()).toISOString(),
  };

  // A progress bar needs the total for its ETA: count first (a dry run's pass), then send.
  let total: number | undefined;
  if (context.progress && !dryRun) {
    const counted = emptyReport(true);
    const end = await forEachLetter(context, (letters) => {
      for (const letter of letters) count(counted, letter.id, decideLetter(letter, state));
      return "more";
    });
    if (end === "aborted") throw interruptedError(context.signal, "nothing was replayed");
    total = counted.planned;
  }

  const report = emptyReport(dryRun);
  const producer = dryRun ? undefined : await connectProducer(kafka, context);
  const run = new SendLoop(context, report, producer, options.rate, setup.limitBytes, total);
  let end: Awaited<ReturnType<typeof forEachLetter>>;
  try {
    end = await forEachLetter(context, async (letters) => {
      for (const letter of letters) {
        const decision = decideLetter(letter, state);
        count(report, letter.id, decision);
        if (decision.kind === "replay" && producer) {
          await run.add(letter, { id: letter.id, bucket: decision.bucket, request: decision.record, note: decision.note }, (l) =>
            replayed.set(l.partition, l.offset, true),
          );
          if (run.stopped) return "stop";
        }
      }
      await run.flush((l) => replayed.set(l.partition, l.offset, true));
      return run.stopped ? "stop" : "more";
    });
  } finally {
    run.finish();
    await producer?.disconnect().catch(() => undefined);
  }
  const interrupted = end === "aborted" || run.stopped;
  printReport(context, { ...report, ...(interrupted ? { interrupted: true } : {}) });
  if (run.failure) throw run.failure;
  if (interrupted) {
    const how = dryRun ? "the counts above are partial" : `replayed ${report.replayed}${total === undefined ? "" : ` of ${total}`} letters`;
    throw interruptedError(context.signal, `${how}; run the same command again to continue (letters already replayed are skipped)`);
  }
}

interface Setup {
  readonly ranges: readonly OffsetRange[];
  readonly replaysExist: boolean;
  /** The requests topic's max.message.bytes, which every replayed record is sized against. */
  readonly limitBytes: number;
  readonly noteLimitBytes: number;
}

async function prepare(kafka: KafkaClient, context: CliContext, dryRun: boolean): Promise<Setup> {
  const admin = await connectAdmin(kafka, context.brokers);
  try {
    await requireTopic(admin, context.topics.deadLetters);
    if (!dryRun) {
      await requireTopic(admin, context.topics.callRequests);
      await admin.ensureCatalogTopics(["dlqReplays"], { names: { dlqReplays: context.topics.replays } });
    }
    const topics = await admin.listTopics();
    // A dry run writes nothing, not even the replays topic: without it, nothing was replayed yet.
    const replaysExist = topics.includes(context.topics.replays);
    // A dry run may have neither topic yet; it then sizes against the broker's default.
    const existing = [context.topics.callRequests, context.topics.replays].filter((topic) => topics.includes(topic));
    const limits = existing.length > 0 ? await admin.maxMessageBytes(existing) : new Map<string, number>();
    const { partitions } = await admin.describeTopic(context.topics.deadLetters);
    return {
      ranges: partitions,
      replaysExist,
      limitBytes: limits.get(context.topics.callRequests) ?? DEFAULT_MAX_MESSAGE_BYTES,
      noteLimitBytes: limits.get(context.topics.replays) ?? DEFAULT_MAX_MESSAGE_BYTES,
    };
  } finally {
    await admin.disconnect();
  }
}

async function connectProducer(kafka: KafkaClient, context: CliContext): Promise<Producer> {
  const producer = kafka.producer();
  try {
    await producer.connect();
  } catch (error) {
    throw new CliError(`cannot reach Kafka at ${context.brokers.join(",")}: ${rootMessage(error)}`);
  }
  return producer;
}

/**
 * Collects planned letters into produce requests of `batchSizeFor(rate)` letters (and at most
 * the requests topic's limit in bytes), sends each when the rate allows, and stops after the
 * request in flight once the signal aborts or a send fails for good.
 */
class SendLoop {
  private batch: (TracedOutgoing & { letter: Letter })[] = [];
  private batchBytes = RECORD_BATCH_OVERHEAD_BYTES;
  private attempted = 0;
  private startedMs: number | undefined;
  private readonly size: number;
  stopped = false;
  failure: CliError | undefined;

  constructor(
    private readonly context: CliContext,
    private readonly report: Report,
    private readonly producer: Producer | undefined,
    private readonly rate: number,
    private readonly limitBytes: number,
    private readonly total: number | undefined,
  ) {
    this.size = batchSizeFor(rate);
  }

  async add(letter: Letter, planned: Outgoing, done: (letter: Letter) => void): Promise<void> {
    // Sized with its trace headers. The decision sized it without: a traceparent added to a
    // request within ~70 bytes of the limit makes the broker refuse it, reported as too large.
    const { outgoing, span } = startReplaySpan(letter, planned, this.context.topics.callRequests);
    const bytes = recordBytes(outgoing.request);
    if (this.batch.length > 0 && this.batchBytes + bytes > this.limitBytes) await this.flush(done);
    this.batch.push({ letter, outgoing, span });
    this.batchBytes += bytes;
    if (this.batch.length >= this.size) await this.flush(done);
  }

  async flush(done: (letter: Letter) => void): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = RECORD_BATCH_OVERHEAD_BYTES;
    if (batch.length === 0 || this.stopped || !this.producer) return abandonReplaySpans(batch);
    this.startedMs ??= Date.now();
    await sleep(dueAtMs(this.startedMs, this.attempted, this.rate) - Date.now(), this.context.signal);
    if (this.context.signal.aborted) {
      this.stopped = true;
      return abandonReplaySpans(batch);
    }
    this.attempted += batch.length;
    const outcome = await sendLetters(
      this.producer,
      this.context.topics.callRequests,
      this.context.topics.replays,
      batch.map((b) => b.outgoing),
    );
    endReplaySpans(batch, outcome);
    const acknowledged = new Set(outcome.acknowledged.map((o) => o.id));
    for (const { letter, outgoing } of batch) {
      if (!acknowledged.has(outgoing.id)) continue;
      sent(this.report, outgoing.bucket);
      done(letter);
    }
    for (const { letter, message } of outcome.refused)
      refusedTooLarge(this.report, letter.id, `the broker refused it for its size: ${message}`);
    if (outcome.stop) {
      this.stopped = true;
      const { kind, message, unrecorded } = outcome.stop;
      const progress = `after ${this.report.replayed} replayed letters${unrecorded ? ` (and ${unrecorded} sent but not recorded as replayed, which a rerun sends again)` : ""}`;
      this.failure =
        kind === "permanent"
          ? new CliError(`replay stopped ${progress}: the broker refused the request for good (${message}); fix that, then run it again`)
          : new CliError(`replay stopped ${progress}: ${message} (run it again to continue)`);
      return;
    }
    if (this.total !== undefined)
      this.context.progress?.(progressLine(this.report.replayed, this.total, Date.now() - this.startedMs, this.rate));
    if (this.context.signal.aborted) this.stopped = true;
  }

  /** Ends the progress line, and the spans of letters a failure left unsent. */
  finish(): void {
    abandonReplaySpans(this.batch);
    this.batch = [];
    if (this.total !== undefined && this.report.replayed > 0) this.context.progress?.("\n");
  }
}
