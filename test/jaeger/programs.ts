import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A program the check started (Jaeger, Prometheus), its output in a log file. */
export interface StartedProgram {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** SIGTERM to its PID, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** The last `lines` lines of its log. */
  tail(lines?: number): string;
}

/** Starts `command args` with exactly `env` (nothing inherited), output to `<logDir>/<name>.log`. */
export function startProgram(
  name: string,
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  logDir: string,
): StartedProgram {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const exited = once(child, "exit").catch(() => undefined);
  return {
    name,
    child,
    logFile,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    tail(lines = 20) {
      if (!existsSync(logFile)) return "";
      return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    },
  };
}

/** Waits until `url` answers 2xx; fails early, with its log, when `program` has exited. */
export async function untilHttpOk(program: StartedProgram, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (program.child.exitCode !== null || program.child.signalCode !== null) {
      throw new Error(`${program.name} exited (code ${program.child.exitCode}) before ${url} answered:\n${program.tail()}`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${program.name}: ${url} did not answer 2xx within ${timeoutMs} ms:\n${program.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
