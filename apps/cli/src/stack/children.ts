import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** Starts `node <entry>`; its output lines go to `write`, each prefixed with its name. */
export function startChild(name: string, entry: string, env: Record<string, string | undefined>, write: (line: string) => void): Child {
  const child = spawn(process.execPath, [entry], { env: { ...env } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", (line) => write(`[${name}] ${line}`));
  }
  const exited = once(child, "exit").then(([code, signal]) => (code as number | null) ?? (signal ? 128 : null));
  return { name, process: child, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs: number): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 200; fails early if `child` exits. */
export async function waitReady(url: string, child: Child | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child?.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child?.name} exited during start-up (see its output above)`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within ${Math.round(timeoutMs / 1000)} s`);
}
