import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteKafkaInstance } from "@callbridge/kafka-launcher";
import type { Env } from "./config.js";
import { type ProgressLog, sleep } from "./progress.js";

/** Settings the caller's environment must not hand to the apps we start: each gets exactly what the run gives it. */
const NOT_INHERITED = [
  "REDIS_URL",
  "TALKOVER_BASE_URL",
  "TALKOVER_API_TOKEN",
  "ROUTES_FILE",
  "PUBLIC_BASE_URL",
  "PORT",
  "METRICS_PORT",
  "HOST",
];

interface StartedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Everything the run started: processes (output in log files under a temp dir), the Kafka
 * instance and a stalled broker. `stopAll()` undoes it in reverse, once, however often it is called.
 */
export class StartedResources {
  readonly tmp = mkdtempSync(join(tmpdir(), "prove-dashboards-"));
  private readonly processes: StartedProcess[] = [];
  private kafkaInstance: string | undefined;
  /** Pid of the broker while the run has it stopped (SIGSTOP): `stopAll()` resumes it first. */
  private stalledKafkaPid: number | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly env: Env,
    private readonly log: ProgressLog,
  ) {}

  /** Starts `command args` with `extra` over a hermetic copy of the caller's env. */
  start(name: string, command: string, args: readonly string[], extra: Record<string, string> = {}): ChildProcess {
    const base = { ...this.env };
    for (const key of NOT_INHERITED) delete base[key];
    const logFile = join(this.tmp, `${name}.log`);
    const fd = openSync(logFile, "a");
    const child = spawn(command, args, { env: { ...base, ...extra }, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    this.processes.push({ name, child, logFile });
    child.on("exit", (code, signal) => {
      if (!this.stopping) this.log(`${name} exited early (code ${code}, signal ${signal}); see its log below`);
    });
    return child;
  }

  /** Waits until `url` answers 2xx; gives up early when the process `name` has exited. */
  async waitForHttp(name: string, url: string, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        // not listening yet
      }
      if (this.processes.find((p) => p.name === name)?.child.exitCode != null) break;
      await sleep(200);
    }
    throw new Error(`${name} did not answer 200 at ${url} within ${timeoutMs} ms`);
  }

  printLogTails(lines = 15): void {
    for (const { name, logFile } of this.processes) {
      if (!existsSync(logFile)) continue;
      const text = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      if (text) console.error(`--- last lines of ${name} ---\n${text}`);
    }
  }

  /** The Kafka instance the run starts: deleted (data and all) by `stopAll()`. */
  ownKafkaInstance(name: string): void {
    this.kafkaInstance = name;
  }

  get kafkaStalled(): boolean {
    return this.stalledKafkaPid !== undefined;
  }

  stallKafka(pid: number): void {
    process.kill(pid, "SIGSTOP");
    this.stalledKafkaPid = pid;
  }

  resumeKafka(): void {
    if (this.stalledKafkaPid === undefined) return;
    try {
      process.kill(this.stalledKafkaPid, "SIGCONT");
    } catch {
      // gone already
    }
    this.stalledKafkaPid = undefined;
  }

  /** Resumes the broker, stops the processes in reverse order, deletes the Kafka instance and the temp dir; each step runs even if one before failed. */
  stopAll(): Promise<void> {
    this.stopping ??= this.stopInOrder();
    return this.stopping;
  }

  private async stopInOrder(): Promise<void> {
    this.resumeKafka();
    for (const { name, child } of [...this.processes].reverse()) {
      await stopProcess(child).catch((error: unknown) => this.log(`could not stop ${name}: ${String(error)}`));
    }
    const instance = this.kafkaInstance;
    if (instance) {
      await deleteKafkaInstance({ name: instance, env: this.env }).catch((error: unknown) =>
        this.log(`could not delete Kafka instance ${instance}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
