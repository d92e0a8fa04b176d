import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { uniqueName } from "@callbridge/test-infra";
import type { TestTopics } from "./kafka.js";
import { SIM_TOKEN } from "./simulator.js";

const workerEntry = fileURLToPath(new URL("../../apps/worker/dist/main.js", import.meta.url));
const ingestEntry = fileURLToPath(new URL("../../apps/ingest/dist/main.js", import.meta.url));

/** An app started as a process of its own; `output` keeps the last 20 kB of what it printed. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** `node apps/worker/dist/main.js` with `env`, as an operator runs it. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  return spawnApp(workerEntry, env);
}

/** `node apps/ingest/dist/main.js` with `env`, as an operator runs it. */
export function spawnIngest(env: Record<string, string>): WorkerProcess {
  return spawnApp(ingestEntry, env);
}

function spawnApp(entry: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, exited, output: () => output };
}

/** SIGTERM, and the exit code once the process has drained and exited. */
export async function stopGently(app: WorkerProcess): Promise<number | null> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return app.child.exitCode;
  app.child.kill("SIGTERM");
  return app.exited;
}

/** Polls `url`/readyz until it answers 200 (or the process exits, or `timeoutMs` passes). */
export async function untilReady(app: WorkerProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) throw new Error(`exited before ready:\n${app.output()}`);
    const status = await fetch(`${url}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready at ${url} after ${timeoutMs} ms:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function killHard(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGKILL");
  await worker.exited;
}

/** The env of a worker process on a test's own topics and group against the simulator; `extra` sets the rest. */
export function workerProcessEnv(
  options: { brokers: string; topics: TestTopics; simUrl: string; group?: string; redisUrl?: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: options.brokers,
    KAFKA_GROUP_ID: options.group ?? uniqueName("worker-process"),
    CALL_REQUESTS_TOPIC: options.topics.callRequests,
    DLQ_TOPIC: options.topics.deadLetters,
    CALL_RESULTS_TOPIC: options.topics.callResults,
    ENSURE_TOPICS: "false",
    // The hour of the day must not decide these tests: the recipient guard's own tests turn it on.
    RECIPIENT_GUARD: "off",
    TALKOVER_BASE_URL: options.simUrl,
    TALKOVER_API_TOKEN: SIM_TOKEN,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...extra,
  };
}
