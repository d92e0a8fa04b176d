import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { uniqueName } from "@callbridge/test-infra";
import type { TestTopics } from "./kafka.js";
import { SIM_TOKEN } from "./simulator.js";

const entry = fileURLToPath(new URL("../../apps/worker/dist/main.js", import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** `node apps/worker/dist/main.js` with `env`, as an operator runs it. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
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
