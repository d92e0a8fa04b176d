// One measured run: the pipeline idle for a while (what the processes cost doing nothing), then
// webhooks at a fixed rate until every accepted one is placed at the simulator, with CPU from
// /proc, memory sampled meanwhile, each Redis server's own counters, and the Kafka bytes after.
import type { ChildProcess } from "node:child_process";
import { KafkaClient } from "@callbridge/kafka";
import { createLogger } from "@callbridge/observability";
import { uniqueName } from "@callbridge/test-infra";
import { cpuMs, peakRssBytes, rssBytes } from "../support/proc-stats.js";
import { logBytes, type TopicBytes, topicBytes } from "./kafka-bytes.js";
import type { Pipeline } from "./pipeline.js";
import { callsBetween, keysByKind, type RedisReading, readRedis } from "./redis-info.js";
import { type Sent, sendAtRate } from "./sender.js";

export interface Broker {
  readonly brokers: string;
  readonly pid: number;
  readonly dataDir: string;
}

export interface Load {
  readonly perSecond: number;
  readonly seconds: number;
  readonly idleSeconds: number;
}

/** A process's side of a run. */
export interface ProcessFigures {
  /** CPU over the loaded window, ms, and per second while idle before it. */
  readonly cpuMs: number;
  readonly idleCpuMsPerSecond: number;
  readonly rssIdleBytes: number;
  /** Median of the samples over the second half of the sending. */
  readonly rssSteadyBytes: number;
  readonly rssPeakBytes: number;
}

export interface RedisFigures {
  readonly calls: Record<string, number>;
  readonly cpuMs: number;
  readonly idleCpuMsPerSecond: number;
  readonly memoryBytes: number;
  readonly keys: number;
  readonly keysByKind: Record<string, { keys: number; bytesOfOne: number }>;
}

export interface RunFigures {
  readonly sent: Sent;
  readonly placed: number;
  /** From the first webhook sent to the last call placed and its results written, s. */
  readonly windowSeconds: number;
  readonly ingest: ProcessFigures;
  readonly worker: ProcessFigures;
  readonly broker: { readonly cpuMs: number; readonly idleCpuMsPerSecond: number };
  readonly workerRedis: RedisFigures;
  readonly ingestRedis: RedisFigures;
  readonly requests: TopicBytes;
  readonly results: TopicBytes;
  /** Bytes the broker wrote to __consumer_offsets in the window (the worker's commits). */
  readonly offsetsLogBytes: number;
}

interface Snapshot {
  readonly at: number;
  readonly cpu: { readonly ingest: number; readonly worker: number; readonly broker: number };
  readonly workerRedis: RedisReading;
  readonly ingestRedis: RedisReading;
  readonly offsetsLogBytes: number;
}

/** Time for the last results, settled marks and offsets to be written after the last call. */
const SETTLE_MS = 3_000;
const logger = createLogger({ name: "capacity", level: "silent" });

interface Processes {
  readonly ingest: ChildProcess;
  readonly worker: ChildProcess;
}

async function snapshot(pipeline: Pipeline, processes: Processes, broker: Broker): Promise<Snapshot> {
  return {
    at: performance.now(),
    cpu: { ingest: cpuMs(pid(processes.ingest)), worker: cpuMs(pid(processes.worker)), broker: cpuMs(broker.pid) },
    workerRedis: await readRedis(pipeline.workerRedis.port),
    ingestRedis: await readRedis(pipeline.ingestRedis.port),
    offsetsLogBytes: logBytes(broker.dataDir, "__consumer_offsets"),
  };
}

/** The pipeline with its `worker` started: idle for a while, then loaded; see the top of the file. */
export async function measureRun(
  pipeline: Pipeline,
  worker: ChildProcess,
  broker: Broker,
  load: Load,
  placedCalls: () => Promise<number>,
): Promise<RunFigures> {
  const processes = { ingest: pipeline.ingest, worker };
  const idleFrom = await snapshot(pipeline, processes, broker);
  const rssIdle = { ingest: rssBytes(pid(processes.ingest)), worker: rssBytes(pid(worker)) };
  await sleep(load.idleSeconds * 1000);
  const from = await snapshot(pipeline, processes, broker);
  const samples = sampleRss(processes, load.seconds);
  const sent = await sendAtRate(pipeline.ingestUrl, load.perSecond, load.seconds, uniqueName("cap"));
  // Every accepted webhook is one request; a refused try may have been written too (then deduplicated).
  const placed = await waitForPlaced(placedCalls, sent.accepted);
  await sleep(SETTLE_MS);
  const to = await snapshot(pipeline, processes, broker);
  const rssSteady = await samples;
  const idleSeconds = (from.at - idleFrom.at) / 1000;
  const processFigures = (name: "ingest" | "worker"): ProcessFigures => ({
    cpuMs: to.cpu[name] - from.cpu[name],
    idleCpuMsPerSecond: (from.cpu[name] - idleFrom.cpu[name]) / idleSeconds,
    rssIdleBytes: rssIdle[name],
    rssSteadyBytes: rssSteady[name],
    rssPeakBytes: peakRssBytes(pid(processes[name])),
  });
  const client = new KafkaClient({ brokers: [broker.brokers], clientId: "capacity-bench", logger });
  return {
    sent,
    placed,
    windowSeconds: (to.at - from.at) / 1000,
    ingest: processFigures("ingest"),
    worker: processFigures("worker"),
    broker: {
      cpuMs: to.cpu.broker - from.cpu.broker,
      idleCpuMsPerSecond: (from.cpu.broker - idleFrom.cpu.broker) / idleSeconds,
    },
    workerRedis: await redisFigures(pipeline.workerRedis.port, idleFrom.workerRedis, from.workerRedis, to.workerRedis, idleSeconds),
    ingestRedis: await redisFigures(pipeline.ingestRedis.port, idleFrom.ingestRedis, from.ingestRedis, to.ingestRedis, idleSeconds),
    requests: await topicBytes(client, broker.dataDir, pipeline.topics.requests),
    results: await topicBytes(client, broker.dataDir, pipeline.topics.results),
    offsetsLogBytes: to.offsetsLogBytes - from.offsetsLogBytes,
  };
}

async function redisFigures(
  port: number,
  idleFrom: RedisReading,
  from: RedisReading,
  to: RedisReading,
  idleSeconds: number,
): Promise<RedisFigures> {
  return {
    calls: callsBetween(from, to),
    cpuMs: (to.cpuSeconds - from.cpuSeconds) * 1000,
    idleCpuMsPerSecond: ((from.cpuSeconds - idleFrom.cpuSeconds) * 1000) / idleSeconds,
    memoryBytes: to.usedMemoryBytes - from.usedMemoryBytes,
    keys: to.keys - from.keys,
    keysByKind: await keysByKind(port),
  };
}

/** VmRSS of the ingest and the worker every 500 ms while sending; the median of the second half. */
async function sampleRss(processes: Processes, seconds: number): Promise<{ ingest: number; worker: number }> {
  const ingest: number[] = [];
  const worker: number[] = [];
  const count = Math.max(2, seconds * 2);
  for (let i = 0; i < count; i++) {
    await sleep(500);
    if (i < count / 2) continue;
    ingest.push(rssBytes(pid(processes.ingest)));
    worker.push(rssBytes(pid(processes.worker)));
  }
  return { ingest: median(ingest), worker: median(worker) };
}

async function waitForPlaced(placedCalls: () => Promise<number>, expected: number): Promise<number> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const placed = await placedCalls();
    if (placed >= expected) return placed;
    if (Date.now() > deadline) throw new Error(`only ${placed} of ${expected} calls placed within 180 s`);
    await sleep(100);
  }
}

export function pid(child: { readonly pid?: number | undefined }): number {
  if (child.pid === undefined) throw new Error("a bench process has no pid");
  return child.pid;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
