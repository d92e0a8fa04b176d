import { setTimeout as sleep } from "node:timers/promises";
import type { DeliveredEvents } from "./delivered-events.js";

/** Where each of a webhook's keys stands after claiming: to write, written before, or still another request's. */
export interface ClaimedEvents {
  readonly claimed: readonly string[];
  readonly delivered: readonly string[];
  /** Still being written by another request after `waitMs`: the sender should retry. */
  readonly busy: readonly string[];
}

export interface ClaimOptions {
  /** Lease of a claim, ms: longer than a write can take, short enough that a dead writer's claim lapses soon. */
  readonly ttlMs: number;
  /** How long to wait for another request's write of the same key to end, ms. */
  readonly waitMs: number;
  /** Time between looks while waiting, ms. */
  readonly pollMs?: number;
}

/**
 * Claims a webhook's keys. A key another request is writing right now (the same event
 * delivered twice at once) is waited for: once that write is acknowledged it counts as
 * delivered (a duplicate, 2xx, nothing written); if that write fails, its claim is released
 * and this request takes the key over. Only when the other write neither ends nor lapses
 * within `waitMs` is the key `busy`. Answering 2xx for a key that another request may still
 * fail to write would lose the event, hence the wait.
 */
export async function claimEvents(
  store: DeliveredEvents,
  keys: readonly string[],
  owner: string,
  options: ClaimOptions,
): Promise<ClaimedEvents> {
  const claimed: string[] = [];
  const delivered: string[] = [];
  let open = [...new Set(keys)];
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const found = await store.claim(open, owner, options.ttlMs);
    claimed.push(...found.claimed);
    delivered.push(...found.delivered);
    open = open.filter((key) => !found.claimed.has(key) && !found.delivered.has(key));
    if (open.length === 0 || Date.now() >= deadline) return { claimed, delivered, busy: open };
    await sleep(options.pollMs ?? 20);
  }
}
