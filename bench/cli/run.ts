// CLI benchmark: peak memory and time of `callbridge dlq list` and `dlq replay` over a fresh
// dead-letter topic of 20,000 and of 200,000 letters of about 9.4 KB each (the size that made
// the old in-memory replay hold 293 MB at 20k). Streaming means peak RSS at 200k within 1.3x of
// 20k. Each command runs as its own process (the built CLI), its VmHWM sampled from /proc.
// Usage: KAFKA_BROKERS=127.0.0.1:19092 npx tsx cli/run.ts   (BENCH_LETTERS=20000,200000)
// Without KAFKA_BROKERS it starts a fresh broker of its own. Topics are deleted afterwards.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { KafkaClient, type OutgoingRecord } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { deleteKafkaInstance, startKafka, uniqueName } from "@callbridge/test-infra";
import { peakRssBytes } from "../support/proc-stats.js";

const env = process.env;
const SIZES = (env.BENCH_LETTERS ?? "20000,200000").split(",").map(Number);
const LETTER_BYTES = Number(env.BENCH_LETTER_BYTES ?? 9_400);
const cli = fileURLToPath(new URL("../../apps/cli/dist/main.js", import.meta.url));
const log = (line: string) => console.error(`[bench cli] ${line}`);
const mb = (bytes: number) => Math.round(bytes / 1_048_576);

/** A CAMPAIGN_NOT_ACTIVE letter as the worker writes it (header names as in @callbridge/schemas DLQ_HEADERS). */
function letter(i: number, padding: string): OutgoingRecord {
  const to = `+1415${String(1_000_000 + i).padStart(7, "0")}`;
  return {
    key: `campaign-paused:${to}`,
    value: JSON.stringify({ idempotency_key: `bench:${i}`, campaign_id: "campaign-paused", to, payload: { notes: padding } }),
    headers: {
      "content-type": "application/json",
      "callbridge.dlq.reason": "http_4xx",
      "callbridge.dlq.error_code": "CAMPAIGN_NOT_ACTIVE",
      "callbridge.dlq.http_status": "400",
      "callbridge.dlq.campaign_id": "campaign-paused",
      "callbridge.dlq.failed_at": new Date().toISOString(),
      "callbridge.dlq.attempts": "1",
      "callbridge.dlq.replay_count": "0",
    },
  };
}

async function fill(client: KafkaClient, topic: string, count: number): Promise<number> {
  const started = performance.now();
  const producer = client.producer();
  await producer.connect();
  const padding = "x".repeat(LETTER_BYTES - 300);
  try {
    for (let i = 0; i < count; i += 200) {
      await producer.send(
        topic,
        Array.from({ length: Math.min(200, count - i) }, (_, j) => letter(i + j, padding)),
      );
    }
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - started) / 1000;
}

interface Measured {
  readonly exitCode: number | null;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly lastLine: string;
}

/** Runs the CLI, sampling its peak RSS (VmHWM only grows, so the last sample is the peak up to then). */
function measure(args: readonly string[]): Promise<Measured> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let peak = 0;
    let tailText = "";
    child.stdout.on("data", (chunk: Buffer) => {
      tailText = (tailText + chunk.toString("utf8")).slice(-2_000);
    });
    const sample = () => {
      try {
        // A process that has exited but not been reaped has no VmHWM line (NaN).
        const now = peakRssBytes(child.pid as number);
        if (Number.isFinite(now)) peak = Math.max(peak, now);
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(sample, 50);
    child.on("exit", () => clearInterval(timer));
    child.on("close", (exitCode) => {
      const lines = tailText.trim().split("\n");
      resolve({ exitCode, seconds: (performance.now() - started) / 1000, peakRssMb: mb(peak), lastLine: lines.at(-1) ?? "" });
    });
  });
}

async function main(): Promise<void> {
  const kafkaName = uniqueName("bench-cli");
  const brokers = env.KAFKA_BROKERS ?? (await startKafka({ name: kafkaName, env, fresh: true })).brokers;
  const client = new KafkaClient({
    brokers: [brokers],
    clientId: "bench-cli",
    logger: createLogger({ name: "bench-cli", level: "silent" }),
  });
  const admin = client.admin();
  await admin.connect();
  const created: string[] = [];
  const rows: Record<string, unknown>[] = [];
  try {
    for (const size of SIZES) {
      const topics = { dlq: uniqueName("bench-dlq"), requests: uniqueName("bench-requests"), replays: uniqueName("bench-replays") };
      await admin.ensureTopics([
        { name: topics.dlq, partitions: 3, retentionMs: 86_400_000, replicationFactor: 1 },
        { name: topics.requests, partitions: 3, retentionMs: 86_400_000, replicationFactor: 1 },
      ]);
      created.push(topics.dlq, topics.requests, topics.replays);
      log(`filling ${topics.dlq} with ${size} letters of ~${LETTER_BYTES} bytes...`);
      const fillSeconds = await fill(client, topics.dlq, size);
      const base = [
        "--brokers",
        brokers,
        "--dlq-topic",
        topics.dlq,
        "--requests-topic",
        topics.requests,
        "--replays-topic",
        topics.replays,
      ];
      const runs: Record<string, Measured> = {};
      for (const [name, args] of [
        ["list --limit 20", ["dlq", "list", "--limit", "20"]],
        ["list --json (all)", ["--json", "dlq", "list"]],
        ["list --code --limit 20", ["dlq", "list", "--code", "CAMPAIGN_NOT_ACTIVE", "--limit", "20"]],
        ["replay --dry-run", ["dlq", "replay", "--dry-run"]],
        ["replay --rate 0", ["dlq", "replay", "--rate", "0"]],
        ["replay again (all skipped)", ["dlq", "replay", "--rate", "0"]],
      ] as const) {
        const run = await measure([...base, ...args]);
        runs[name] = run;
        log(`${size} letters: ${name}: exit ${run.exitCode}, ${run.seconds.toFixed(1)} s, peak RSS ${run.peakRssMb} MB (${run.lastLine})`);
      }
      rows.push({ letters: size, fill_seconds: Math.round(fillSeconds), runs });
      await admin.deleteTopics([topics.dlq, topics.requests, topics.replays]).catch(() => undefined);
    }
  } finally {
    await admin.deleteTopics(created).catch(() => undefined);
    await admin.disconnect();
    if (!env.KAFKA_BROKERS) await deleteKafkaInstance({ name: kafkaName, env }).catch(() => undefined);
  }
  const [small, large] = rows as { letters: number; runs: Record<string, Measured> }[];
  const ratios =
    small && large
      ? Object.fromEntries(
          Object.keys(small.runs).map((name) => [
            name,
            ((large.runs[name]?.peakRssMb ?? 0) / (small.runs[name]?.peakRssMb ?? 1)).toFixed(2),
          ]),
        )
      : {};
  const report = {
    bench: "cli",
    at: new Date().toISOString(),
    machine: `${hostname()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"})`,
    letter_bytes: LETTER_BYTES,
    rows,
    peak_rss_ratio_large_to_small: ratios,
  };
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}cli-${report.at.replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`peak RSS ratio (largest / smallest): ${JSON.stringify(ratios)}`);
  log(`results in ${file}`);
}

await main();
