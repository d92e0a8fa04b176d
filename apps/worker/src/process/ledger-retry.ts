import type { ThrottledLog } from "../throttled-log.js";
import { sleep } from "./sleep.js";

/** What a Retrying operation answers when its signal aborted first. */
export const ABORTED = Symbol("aborted");

/**
 * Ledger and recipient-guard steps retried while Redis is unreachable: calling without the
 * ledger could call a person twice, and without the guard a person who opted out, so the
 * request waits instead. Gives up only when `signal` aborts.
 */
export type Retrying = <T>(operation: () => Promise<T>) => Promise<T | typeof ABORTED>;

export function retrying(warnings: ThrottledLog, signal: AbortSignal): Retrying {
  return async <T>(operation: () => Promise<T>): Promise<T | typeof ABORTED> => {
    for (let failures = 0; ; failures++) {
      if (signal.aborted) return ABORTED;
      try {
        return await operation();
      } catch (error) {
        if (failures === 0)
          warnings.warn("Redis (the idempotency ledger or the recipient guard) unavailable; waiting before going on", { err: error });
        if (!(await sleep(Math.min(5_000, 100 * 2 ** failures), signal))) return ABORTED;
      }
    }
  };
}
