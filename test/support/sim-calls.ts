import { expect } from "vitest";
import { eventually } from "./kafka.js";
import type { RunningSimulator } from "./simulator.js";

/** Calls the simulator accepted, per request: requests carry their idempotency key in `context.key`. */
export async function callsPerKey(sim: RunningSimulator): Promise<Map<string, number>> {
  const { calls } = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: { context: { key?: string } }[] };
  const counts = new Map<string, number>();
  for (const call of calls) {
    const key = call.context.key ?? "(none)";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Waits until every key has a call at the simulator, then asserts each has exactly one and nothing else was called. */
export async function everyRequestPlacedOnce(sim: RunningSimulator, keys: readonly string[], timeoutMs = 120_000): Promise<void> {
  const counts = await eventually(
    async () => {
      const counts = await callsPerKey(sim);
      return keys.every((key) => counts.has(key)) ? counts : undefined;
    },
    `${keys.length} requests placed`,
    timeoutMs,
  );
  expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  expect([...counts.keys()].sort()).toEqual([...keys].sort());
}
