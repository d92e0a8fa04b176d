import { type KafkaClient, readTopicSnapshot, topicCatalog } from "@callbridge/kafka";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { cliKafka, connectAdmin, requireTopic, rootMessage } from "../kafka.js";
import { table } from "../output/table.js";
import { buildFilter, type FilterOptions } from "./filters.js";
import type { Letter } from "./letter.js";
import { readLetters } from "./read-letters.js";
import { parseTransforms, rewrite } from "./transform.js";

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

interface Plan {
  readonly letter: Letter;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

interface Report {
  replayed: number;
  planned: number;
  byReasonAndCode: Record<string, number>;
  skipped: { already_replayed: number; duplicate_call: number; loop_guard: string[]; invalid: { id: string; problem: string }[] };
  matching: number;
  dryRun: boolean;
}

/**
 * Re-publishes matching dead letters to the requests topic. Resumable: every replayed letter
 * is recorded on the replays topic, so a second run skips it whatever its filters. The worker's
 * idempotency ledger makes a replay of an already placed request harmless.
 */
export async function replayLetters(context: CliContext, options: ReplayOptions): Promise<void> {
  const filter = buildFilter(options, context.nowMs());
  const transforms = parseTransforms(options);
  const kafka = cliKafka(context.brokers);
  const admin = await connectAdmin(kafka, context.brokers);
  let replaysExist: boolean;
  try {
    await requireTopic(admin, context.topics.deadLetters);
    if (!options.dryRun) {
      await requireTopic(admin, context.topics.callRequests);
      const catalog = topicCatalog({ names: { dlqReplays: context.topics.replays } });
      await admin.ensureTopics([catalog.dlqReplays]);
    }
    replaysExist = (await admin.listTopics()).includes(context.topics.replays);
  } finally {
    await admin.disconnect();
  }

  // A dry run writes nothing, not even the replays topic: without it, nothing was replayed yet.
  const done = replaysExist ? await replayedLetters(kafka, context) : new Set<string>();
  const letters = (await readLetters(context)).filter((letter) => filter.matches(letter));
  const now = new Date(context.nowMs()).toISOString();
  const report: Report = {
    replayed: 0,
    planned: 0,
    byReasonAndCode: {},
    skipped: { already_replayed: 0, duplicate_call: 0, loop_guard: [], invalid: [] },
    matching: letters.length,
    dryRun: options.dryRun ?? false,
  };
  const plans: Plan[] = [];
  for (const letter of letters) {
    if (done.has(letterKey(context, letter))) report.skipped.already_replayed += 1;
    else if (letter.code === "DUPLICATE_CALL" && !filter.codes.has("DUPLICATE_CALL")) report.skipped.duplicate_call += 1;
    else if (letter.replayCount >= options.maxReplays) report.skipped.loop_guard.push(letter.id);
    else {
      const rewritten = rewrite(letter.record.value, letter.record.headers, transforms, letterKey(context, letter), now);
      if (!rewritten.ok) report.skipped.invalid.push({ id: letter.id, problem: rewritten.problem });
      else {
        plans.push({ letter, key: rewritten.key, value: rewritten.value, headers: rewritten.headers });
        const bucket = `${letter.reason}/${letter.code ?? "-"}`;
        report.byReasonAndCode[bucket] = (report.byReasonAndCode[bucket] ?? 0) + 1;
      }
    }
  }
  report.planned = plans.length;
  if (!options.dryRun && plans.length > 0) report.replayed = await publish(kafka, context, plans, options.rate);
  print(context, report);
}

async function replayedLetters(kafka: KafkaClient, context: CliContext): Promise<Set<string>> {
  const records = await readTopicSnapshot(kafka, context.topics.replays, { timeoutMs: 60_000 });
  return new Set(records.filter((r) => r.value !== null).map((r) => r.key?.toString("utf8") ?? ""));
}

function letterKey(context: CliContext, letter: Letter): string {
  return `${context.topics.deadLetters}:${letter.partition}:${letter.offset}`;
}

async function publish(kafka: KafkaClient, context: CliContext, plans: readonly Plan[], rate: number): Promise<number> {
  const producer = kafka.producer();
  try {
    await producer.connect();
  } catch (error) {
    throw new CliError(`cannot reach Kafka at ${context.brokers.join(",")}: ${rootMessage(error)}`);
  }
  const started = Date.now();
  let sent = 0;
  try {
    for (const plan of plans) {
      if (rate > 0) {
        const due = started + (sent * 1000) / rate;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      // The request and the note that it was replayed go out in one produce request.
      await producer.sendBatch([
        { topic: context.topics.callRequests, records: [{ key: plan.key, value: plan.value, headers: plan.headers }] },
        {
          topic: context.topics.replays,
          records: [
            {
              key: plan.headers["callbridge.replay.of"] ?? "",
              value: JSON.stringify({ replayed_at: plan.headers["callbridge.replay.at"], key: plan.key }),
            },
          ],
        },
      ]);
      sent += 1;
      context.progress?.(progressLine(sent, plans.length, started));
    }
  } catch (error) {
    throw new CliError(`replay stopped after ${sent} of ${plans.length} letters: ${rootMessage(error)} (run it again to continue)`);
  } finally {
    if (sent > 0) context.progress?.("\n");
    await producer.disconnect().catch(() => undefined);
  }
  return sent;
}

/** `[#########---------] 45/100  12.0/s  ETA 5s` */
function progressLine(done: number, total: number, startedMs: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = (Date.now() - startedMs) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  return `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(1)}/s  ETA ${eta}s`;
}

function print(context: CliContext, report: Report): void {
  if (context.json) {
    context.out(JSON.stringify(report, null, 2));
    return;
  }
  const verb = report.dryRun ? "would replay" : "replayed";
  context.out(
    `${report.matching} letters match; ${verb} ${report.dryRun ? report.planned : report.replayed}${report.dryRun ? " (dry run: nothing written)" : ""}`,
  );
  const rows = Object.entries(report.byReasonAndCode).map(([bucket, n]) => [...bucket.split("/"), String(n)]);
  if (rows.length > 0) context.out(`\n${table(["REASON", "CODE", report.dryRun ? "WOULD REPLAY" : "REPLAYED"], rows)}`);
  const { skipped } = report;
  if (skipped.already_replayed > 0) context.out(`skipped ${skipped.already_replayed} already replayed`);
  if (skipped.duplicate_call > 0)
    context.out(`skipped ${skipped.duplicate_call} DUPLICATE_CALL letters (name them with --code DUPLICATE_CALL to replay)`);
  if (skipped.loop_guard.length > 0)
    context.out(`left alone ${skipped.loop_guard.length} letters replayed too often already: ${skipped.loop_guard.join(", ")}`);
  for (const { id, problem } of skipped.invalid) context.out(`skipped ${id}: ${problem}`);
}
