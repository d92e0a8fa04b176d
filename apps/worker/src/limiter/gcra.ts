/**
 * A token bucket kept as one number, the "theoretical arrival time" (TAT) of GCRA, the
 * generic cell rate algorithm of ITU-T I.371 that Redis rate limiters commonly use. With an
 * emission interval T = 1000 / rate ms and a capacity of `burst` calls, a call may start at
 * `now` when max(TAT, now) + T − burst·T ≤ now, and each start moves TAT on by T. A TAT at or
 * before `now` is a full bucket; `now + burst·T` an empty one. Times are ms on one clock.
 *
 * The same arithmetic runs in Redis (redis-store.ts, on the server's clock) and in-process
 * (local-store.ts); this file is its reference, tested as a table.
 */
export interface Take {
  /** Calls that may start now, at most `wanted`. */
  readonly granted: number;
  /** The TAT after those starts. */
  readonly tat: number;
  /** With nothing granted: ms until one call may start; else 0. */
  readonly waitMs: number;
}

/**
 * Guards the floor below against 2.9999999 when three intervals fit exactly, ms. Times are ms
 * since the epoch (about 1.8e12), where a double keeps about 2e-4 ms: `(now + T) - now` can
 * come out a hair below T for a fractional T (111.1 ms at 9 calls/s), so the tolerance is
 * absolute and above that error. A relative 1e-9 was not, and after a 429 lowered the rate to
 * such a T the bucket refused every call, asking again each millisecond, until the next step.
 */
const TOLERANCE_MS = 1e-3;

export function gcraTake(tat: number, now: number, intervalMs: number, burst: number, wanted: number): Take {
  const base = Math.max(tat, now);
  const room = Math.floor((now + burst * intervalMs - base + TOLERANCE_MS) / intervalMs);
  const granted = Math.max(0, Math.min(wanted, room));
  if (granted > 0) return { granted, tat: base + granted * intervalMs, waitMs: 0 };
  return { granted: 0, tat, waitMs: Math.max(0, base + intervalMs - burst * intervalMs - now) };
}

/** The TAT of a bucket that lets its next call start at `at` and none before: empty until then. */
export function tatStartingAt(at: number, intervalMs: number, burst: number): number {
  return at + (burst - 1) * intervalMs;
}

export function intervalMsOf(ratePerSecond: number): number {
  return 1000 / ratePerSecond;
}

/**
 * The time between taking a token and the request reaching the API varies (event-loop work,
 * the ledger's round trip, the network): measured up to a few tens of ms on a busy 2-core
 * machine. A bucket run exactly at its bound would let that jitter squeeze an extra call or
 * two into a window the API watches, so it keeps this much of its burst back.
 */
const JITTER_ALLOWANCE_MS = 25;

/** The burst a bucket lets out at once: `burst` less the calls `JITTER_ALLOWANCE_MS` is worth at `ratePerSecond`, never below 1. */
export function burstWithMargin(ratePerSecond: number, burst: number): number {
  return Math.max(1, burst - Math.ceil((ratePerSecond * JITTER_ALLOWANCE_MS) / 1000));
}
