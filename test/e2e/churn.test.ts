import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CallResult } from "@callbridge/schemas";
import type { FaultsInput } from "@callbridge/talkover-sim";
import { freePort, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS } from "@callbridge/webhook-samples";
import { afterEach, describe, expect, inject, it } from "vitest";
import { type CallAtSimulator, callsAt, churnFigures } from "../support/churn-figures.js";
import { createTopics, eventually, jsonOf, kafkaClient, readAll, type TestTopics } from "../support/kafka.js";
import { startSimulator } from "../support/simulator.js";
import { WebhookLoad } from "../support/webhook-load.js";
import {
  killHard,
  spawnIngest,
  spawnWorker,
  stopGently,
  untilReady,
  type WorkerProcess,
  workerProcessEnv,
} from "../support/worker-process.js";

// Many replicas under churn (docs/capacity.md#many-replicas-under-churn): a 12-partition topic, 3 worker and 2 ingest
// processes sharing Redis, a steady signed webhook load, and in the middle a rolling restart
// of every worker, a worker SIGKILLed, a fourth worker added and removed, an ingest restarted.
// Defaults everywhere (session timeout, leases, the simulator's call lifetimes) but the rate.

const brokers = inject("kafkaBrokers");
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const PARTITIONS = 12;
/** The spec's bound: a SIGKILLed worker's requests are retried within this long. */
const RECOVERY_BOUND_MS = 10_000;

const ROUTES = `
sources:
  standard:
    kind: standard-webhooks
    secret: ${DEV_SECRETS.standardWebhooksSecret}
routes:
  - name: churn
    source: standard
    when: { type: call.requested }
    campaign_id: campaign-uuid-1
    to: data.phone
    allow_duplicates: true
    context: { lead: data.id }
`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  readonly app: WorkerProcess;
  readonly url: string;
}

/** The replicas of one app: started, stopped and killed by PID, all killed at the end. */
class Replicas {
  readonly live: Running[] = [];
  private readonly all: WorkerProcess[] = [];

  constructor(
    private readonly spawn: (env: Record<string, string>) => WorkerProcess,
    private readonly env: (port: number) => Promise<Record<string, string>>,
  ) {
    cleanups.push(async () => Promise.all(this.all.map(killHard)));
  }

  async add(): Promise<Running> {
    const port = await freePort();
    const app = this.spawn(await this.env(port));
    this.all.push(app);
    const running = { app, url: `http://127.0.0.1:${port}` };
    await untilReady(app, running.url);
    this.live.push(running);
    return running;
  }

  /**
   * SIGTERM one replica and wait for it to drain and exit; answers its exit code. `lagging`:
   * it stays among the targets until it has exited, as a Service's endpoints lag a pod's
   * termination (senders meet its 503s and refused connections, and retry elsewhere).
   */
  async stop(index: number, lagging = false): Promise<number | null> {
    const running = this.live[index];
    if (!running) throw new Error(`no replica ${index}`);
    if (!lagging) this.live.splice(index, 1);
    const code = await stopGently(running.app);
    if (lagging) this.live.splice(this.live.indexOf(running), 1);
    return code;
  }

  async kill(index: number): Promise<void> {
    const [running] = this.live.splice(index, 1);
    if (!running) throw new Error(`no replica ${index}`);
    await killHard(running.app);
  }

  urls(): string[] {
    return this.live.map((running) => running.url);
  }

  /** What the replicas logged (warnings and errors: they run at LOG_LEVEL=warn), counted by message. */
  warnings(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const app of this.all) {
      for (const line of app.output().split("\n")) {
        const message = /"msg":"([^"]*)"/.exec(line)?.[1];
        if (message) counts[message] = (counts[message] ?? 0) + 1;
      }
    }
    return counts;
  }
}

async function committedUpToEnd(topics: TestTopics, group: string): Promise<number> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const lag = await admin.consumerLag(group, topics.callRequests);
    return lag.reduce((sum, partition) => sum + partition.lag, 0);
  } finally {
    await admin.disconnect();
  }
}

interface ChurnRun {
  /** Calls per second over all replicas (RATE_LIMIT_PER_SECOND); the burst defaults to one second of it. */
  readonly rate: number;
  /** Webhooks per second: below the rate, so the backlog after the SIGKILL drains. */
  readonly load: number;
  /** The simulator's faults (`PUT /_sim/faults`); its call lifetimes stay the defaults. */
  readonly faults?: FaultsInput;
  /** Start the SIGKILLed worker's replacement at once (a rebalance while the dead member still counts), rather than 15 s later. */
  readonly replaceAtOnce: boolean;
}

/** Runs the churn under a steady load and answers what it showed; the replicas are killed by the cleanups. */
async function churn(run: ChurnRun) {
  const sim = await startSimulator(run.faults);
  cleanups.push(() => sim.sim.close());
  const redis = await startRedisServer();
  cleanups.push(() => redis.stop());
  const topics = await createTopics(brokers, PARTITIONS);
  const group = uniqueName("churn");
  const routes = join(mkdtempSync(join(tmpdir(), "churn-routes-")), "routes.yaml");
  writeFileSync(routes, ROUTES);

  const workers = new Replicas(spawnWorker, async (port) =>
    workerProcessEnv(
      { brokers, topics, simUrl: sim.url, redisUrl: redis.url, group },
      { PORT: String(port), RATE_LIMIT_PER_SECOND: String(run.rate) },
    ),
  );
  const ingests = new Replicas(spawnIngest, async (port) => ({
    KAFKA_BROKERS: brokers,
    REDIS_URL: redis.url,
    ROUTES_FILE: routes,
    CALL_REQUESTS_TOPIC: topics.callRequests,
    DLQ_TOPIC: topics.deadLetters,
    ENSURE_TOPICS: "false",
    PORT: String(port),
    METRICS_PORT: String(await freePort()),
  }));
  await Promise.all([workers.add(), workers.add(), workers.add(), ingests.add(), ingests.add()]);

  const load = new WebhookLoad(() => ingests.urls(), run.load);
  load.start();
  const exits: (number | null)[] = [];
  await pause(5_000);
  // A rolling restart, as a Deployment does it: one replica at a time, the next once it is ready.
  for (let i = 0; i < 3; i++) {
    exits.push(await workers.stop(0));
    await workers.add();
  }
  await pause(3_000);
  const killedAtMs = Date.now();
  await workers.kill(0);
  if (run.replaceAtOnce) await workers.add();
  await pause(15_000);
  if (!run.replaceAtOnce) await workers.add();
  // A fourth member joins and leaves: two more rebalances.
  const extra = await workers.add();
  await pause(5_000);
  exits.push(await workers.stop(workers.live.indexOf(extra)));
  exits.push(await ingests.stop(0, true));
  await ingests.add();
  await pause(5_000);
  await load.stop();

  const leads = [...load.accepted.keys()];
  const calls: CallAtSimulator[] = await eventually(
    () => {
      const all = callsAt(sim);
      const called = new Set(all.map((call) => call.lead));
      return leads.every((lead) => called.has(lead)) ? all : undefined;
    },
    `${leads.length} webhooks placed`,
    120_000,
  );
  const lag = await eventually(async () => ((await committedUpToEnd(topics, group)) === 0 ? 0 : undefined), "commits caught up", 60_000);
  const results = (await readAll(brokers, topics.callResults)).map((record) => CallResult.parse(jsonOf(record)));
  const figures = churnFigures({ accepted: load.accepted, calls, results, killedAtMs });
  console.info(
    `churn (${JSON.stringify(run)}): ${load.count} webhooks sent, ${leads.length} accepted ` +
      `(refused tries ${JSON.stringify(Object.fromEntries(load.refusals))}); exits ${exits.join(",")}; ${JSON.stringify(figures)}; ` +
      `worker warnings ${JSON.stringify(workers.warnings())}; ingest warnings ${JSON.stringify(ingests.warnings())}`,
  );
  const stillRunning = [...workers.live, ...ingests.live].every(({ app }) => app.child.exitCode === null && app.child.signalCode === null);
  const crashes = Object.keys({ ...workers.warnings(), ...ingests.warnings() }).filter((message) => /crash|stopped/i.test(message));
  return { figures, lag, exits, stillRunning, crashes, gaveUp: load.gaveUp, deadLetters: await readAll(brokers, topics.deadLetters) };
}

function expectHeld(run: ChurnRun, outcome: Awaited<ReturnType<typeof churn>>): void {
  const { figures } = outcome;
  expect(outcome.gaveUp).toEqual([]);
  expect(figures.calledTwice).toEqual([]);
  expect(figures.notCalled).toEqual([]);
  expect(figures.calledUnasked).toEqual([]);
  expect(figures.finalEvents.notOne).toEqual([]);
  // The SIGKILL's window (docs/worker.md): a handful of requests at most, each with one `placed`.
  expect(figures.finalEvents.repeatedByTheKill.length).toBeLessThanOrEqual(3);
  // Rate + burst (one second of rate), at the simulator, allowing for delivery jitter (churn-figures.ts).
  expect(figures.maxCallsInOneSecondLessJitter).toBeLessThanOrEqual(run.rate * 2);
  expect(outcome.lag).toBe(0);
  expect(figures.retriedAfterKillMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
  expect(outcome.exits).toEqual([0, 0, 0, 0, 0]);
  expect(outcome.stillRunning).toBe(true);
  expect(outcome.crashes).toEqual([]);
  expect(outcome.deadLetters).toHaveLength(0);
}

describe("many replicas under churn (3 workers, 2 ingests, 12 partitions, shared Redis)", () => {
  it("defaults but the rate (40/s): a rolling restart, a SIGKILL, a member added and removed, an ingest restarted — each webhook placed once, one final event each, rate held, recovered within 10 s", {
    timeout: 300_000,
  }, async () => {
    const run: ChurnRun = { rate: 40, load: 25, replaceAtOnce: false };
    expectHeld(run, await churn(run));
  });

  it("harsher: calls take 50–150 ms at the API (so restarts and the kill leave calls in flight), 80/s, the killed worker replaced at once", {
    timeout: 300_000,
  }, async () => {
    const run: ChurnRun = {
      rate: 80,
      load: 50,
      replaceAtOnce: true,
      faults: { latency_ms: 100, latency_jitter_ms: 50, latency_distribution: "uniform" },
    };
    expectHeld(run, await churn(run));
  });
});
