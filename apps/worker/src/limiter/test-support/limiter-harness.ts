import { performance } from "node:perf_hooks";
import { createLogger, type Logger } from "@callbridge/observability";

export function silentLogger(): Logger {
  return createLogger({ name: "call-limiter-test", level: "silent" });
}

/** Most timestamps (ms) inside any closed window [t, t + windowMs] that starts at one of them. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    const from = sorted[start] ?? 0;
    while (end < sorted.length && (sorted[end] ?? 0) <= from + windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

/** Records when tasks start and how many run at once. */
export class StartRecorder {
  readonly starts: number[] = [];
  readonly byKey = new Map<string, number[]>();
  readonly invocations = new Map<string, number>();
  running = 0;
  maxRunning = 0;
  readonly t0 = performance.now();

  task<T>(key: string, id: string, body: () => Promise<T> | T = () => undefined as T): () => Promise<T> {
    return async () => {
      const now = performance.now();
      this.starts.push(now);
      const list = this.byKey.get(key) ?? [];
      list.push(now);
      this.byKey.set(key, list);
      this.invocations.set(id, (this.invocations.get(id) ?? 0) + 1);
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      try {
        return await body();
      } finally {
        this.running--;
      }
    };
  }

  /** Seconds from the recorder's creation to the last start. */
  elapsedSeconds(): number {
    return ((this.starts.at(-1) ?? this.t0) - this.t0) / 1000;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
