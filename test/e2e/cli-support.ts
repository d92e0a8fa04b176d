import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { OutgoingRecord } from "@callbridge/kafka";
import { DLQ_HEADERS } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { kafkaClient } from "../support/kafka.js";

// Helpers for the operator tests of the CLI: dead letters written straight to a topic, the
// built CLI as a child process we can signal, and what the broker holds afterwards.

const entry = fileURLToPath(new URL("../../apps/cli/dist/main.js", import.meta.url));

/** The prefix of the throwaway consumer groups the CLI reads with (and deletes). */
const CLI_GROUP_PREFIX = "callbridge-cli-read-";

export interface RunningCli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `callbridge <args>` as its own process, with only PATH and `env` set. */
export function startCallbridge(args: readonly string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** A CAMPAIGN_NOT_ACTIVE dead letter as the worker writes one, for a distinct fictional number. */
export function paused(i: number, overrides: { headers?: Record<string, string>; value?: string; payload?: object } = {}): OutgoingRecord {
  const to = `+1415555${String(1000 + i).padStart(4, "0")}`;
  const request = { idempotency_key: uniqueName(`k${i}`), campaign_id: "campaign-paused", to, payload: overrides.payload ?? {} };
  return {
    key: `campaign-paused:${to}`,
    value: overrides.value ?? JSON.stringify(request),
    headers: {
      "content-type": "application/json",
      [DLQ_HEADERS.reason]: "http_4xx",
      [DLQ_HEADERS.errorCode]: "CAMPAIGN_NOT_ACTIVE",
      [DLQ_HEADERS.httpStatus]: "400",
      [DLQ_HEADERS.campaignId]: "campaign-paused",
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      [DLQ_HEADERS.attempts]: "1",
      [DLQ_HEADERS.replayCount]: "0",
      ...overrides.headers,
    },
  };
}

export async function writeRecords(brokers: string, topic: string, records: readonly OutgoingRecord[]): Promise<void> {
  const producer = kafkaClient(brokers).producer();
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 500) await producer.send(topic, records.slice(i, i + 500));
  } finally {
    await producer.disconnect();
  }
}

export interface TopicSetup {
  readonly name: string;
  readonly partitions?: number;
  readonly config?: Record<string, string>;
}

export async function createTopics(brokers: string, topics: readonly TopicSetup[]): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    await admin.ensureTopics(
      topics.map((t) => ({
        name: t.name,
        partitions: t.partitions ?? 1,
        retentionMs: 3_600_000,
        replicationFactor: 1,
        ...(t.config ? { config: t.config } : {}),
      })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Records in a topic, from its offsets: no consumer, so no group of ours on the broker. */
export async function recordCount(brokers: string, topic: string): Promise<number> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const { partitions } = await admin.describeTopic(topic);
    return partitions.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function cliGroups(brokers: string): Promise<string[]> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    return (await admin.listGroups()).filter((group) => group.startsWith(CLI_GROUP_PREFIX));
  } finally {
    await admin.disconnect();
  }
}
