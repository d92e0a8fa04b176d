// The worker and its Redis at full speed: a backlog written through the ingest first (its CPU per
// webhook measured meanwhile, at a higher rate than the steady runs offer), then a worker
// started on it. At a high rate the worker batches more requests into each Lua script and each
// Kafka request, so this is the other end of the per-call costs.
import { cpuMs, cpuMsDuring } from "../support/proc-stats.js";
import { pid, sleep } from "./measure.js";
import type { Pipeline } from "./pipeline.js";
import { callsBetween, readRedis } from "./redis-info.js";
import { sendAtRate } from "./sender.js";

export interface DrainFigures {
  /** Filling: webhooks a second offered, and the ingest's CPU and its Redis's per accepted webhook. */
  readonly fillPerSecond: number;
  readonly ingestCpuMsPerWebhook: number;
  readonly ingestRedisCpuMsPerWebhook: number;
  readonly refusedTries: number;
  readonly backlog: number;
  readonly callsPerSecond: number;
  readonly workerCpuMsPerCall: number;
  readonly redisCommandsPerCall: number;
  readonly redisScriptsPerCall: number;
  readonly redisCpuMsPerCall: number;
  /** Over the whole drain, per request. */
  readonly redisCalls: Record<string, number>;
}

interface Mark {
  readonly calls: number;
  readonly at: number;
  readonly cpu: number;
}

/** Time for the last results and settled marks to be written after the last call. */
const SETTLE_MS = 3_000;

/**
 * Fills the requests topic at `perSecond` for `seconds`, then drains it with a worker started
 * with `workerEnv`. Redis is counted over the whole drain (it serves this worker only, so every
 * request's commands count, whenever they ran); the worker's CPU and rate between 10% and 90%.
 */
export async function measureDrain(
  pipeline: Pipeline,
  fill: { perSecond: number; seconds: number; prefix: string },
  workerEnv: Record<string, string>,
  placedCalls: () => Promise<number>,
): Promise<DrainFigures> {
  const filling = await fillBacklog(pipeline, fill);
  const backlog = filling.backlog;
  const redisFrom = await readRedis(pipeline.workerRedis.port);
  const worker = await pipeline.startWorker(workerEnv);
  const mark = (calls: number): Mark => ({ calls, at: performance.now(), cpu: cpuMs(pid(worker)) });
  let low: Mark | undefined;
  let high: Mark | undefined;
  const deadline = Date.now() + 300_000;
  for (let calls = 0; calls < backlog; calls = await placedCalls()) {
    if (Date.now() > deadline) throw new Error(`the worker did not drain ${backlog} requests in 300 s`);
    if (!low && calls >= backlog * 0.1) low = mark(calls);
    if (!high && calls >= backlog * 0.9) high = mark(calls);
    await sleep(50);
  }
  await sleep(SETTLE_MS);
  const redisTo = await readRedis(pipeline.workerRedis.port);
  if (!low || !high) throw new Error("the drain was too quick to measure");
  const steady = high.calls - low.calls;
  const redisCalls = callsBetween(redisFrom, redisTo);
  const commands = Object.values(redisCalls).reduce((sum, n) => sum + n, 0);
  return {
    ...filling,
    callsPerSecond: steady / ((high.at - low.at) / 1000),
    workerCpuMsPerCall: (high.cpu - low.cpu) / steady,
    redisCommandsPerCall: commands / backlog,
    redisScriptsPerCall: ((redisCalls.evalsha ?? 0) + (redisCalls.eval ?? 0)) / backlog,
    redisCpuMsPerCall: ((redisTo.cpuSeconds - redisFrom.cpuSeconds) * 1000) / backlog,
    redisCalls,
  };
}

/** Webhooks through the ingest with no worker yet: the backlog, and the ingest's costs meanwhile. */
async function fillBacklog(pipeline: Pipeline, fill: { perSecond: number; seconds: number; prefix: string }) {
  const redisBefore = await readRedis(pipeline.ingestRedis.port);
  const { result: sent, cpuMs: spent } = await cpuMsDuring([pid(pipeline.ingest)], () =>
    sendAtRate(pipeline.ingestUrl, fill.perSecond, fill.seconds, fill.prefix),
  );
  const redisAfter = await readRedis(pipeline.ingestRedis.port);
  return {
    fillPerSecond: fill.perSecond,
    backlog: sent.accepted,
    ingestCpuMsPerWebhook: (spent[0] as number) / sent.accepted,
    ingestRedisCpuMsPerWebhook: ((redisAfter.cpuSeconds - redisBefore.cpuSeconds) * 1000) / sent.accepted,
    refusedTries: Object.values(sent.refused).reduce((sum, n) => sum + n, 0),
  };
}
