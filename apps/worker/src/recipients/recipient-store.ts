import type { SuppressionEntry } from "@callbridge/schemas";

/**
 * One request's question to the recipients' shared state: is the number on the do-not-call
 * list, and, when `count` (its calling window is open), may it be called under the cap and
 * cooldown — counted if so. A request already counted (its idempotency key) is let through
 * again: a redelivery or a retry is the same call, not another one.
 */
export interface RecipientCheck {
  /** E.164. */
  readonly number: string;
  readonly key: string;
  /** Count the request (and look at the cap and cooldown); false only asks the list. */
  readonly count: boolean;
  /** At most `maxCalls` counted calls in any `periodMs` (ms); absent: no cap. */
  readonly cap?: { readonly maxCalls: number; readonly periodMs: number };
  /** After a counted call, none other for this long, ms (0: none). */
  readonly cooldownMs: number;
}

/** What the shared state answered; `untilMs` (ms since the epoch) is when the request may come back. */
export type RecipientAnswer =
  | { readonly kind: "listed"; readonly entry: SuppressionEntry }
  /** Not listed, and not counted (`count` was false). */
  | { readonly kind: "clear" }
  /** Not listed, and counted (now or before). */
  | { readonly kind: "counted" }
  | { readonly kind: "capped"; readonly untilMs: number }
  | { readonly kind: "cooling"; readonly untilMs: number };

/**
 * Counted calls are kept this long at most, ms: the longest cap period the policy allows (30
 * days; cooldowns are at most 7), whatever the policy in force says, so every campaign's cap
 * sees every other campaign's calls.
 */
export const RECIPIENT_CALLS_KEPT_MS = 30 * 24 * 3_600_000;

/**
 * The do-not-call list and the recipients' counted calls: Redis (shared by replicas, the CLI
 * and the ingest) or in-process. Each answer is atomic for its request.
 */
export interface RecipientStore {
  check(checks: readonly RecipientCheck[]): Promise<RecipientAnswer[]>;
  /** The list's entries for `numbers` (E.164), undefined for a number not on it. */
  listed(numbers: readonly string[]): Promise<(SuppressionEntry | undefined)[]>;
  /** Forgets counted calls that did not happen (the request ended without a call). */
  uncount(items: readonly { readonly number: string; readonly key: string }[]): Promise<void>;
}

/**
 * The cap and cooldown rule over one recipient's counted calls (`calls`: key → when counted, ms),
 * shared by the in-process store and mirrored by the Redis script. Mutates `calls` when it counts.
 */
export function countCall(calls: Map<string, number>, check: RecipientCheck, nowMs: number): RecipientAnswer {
  for (const [key, at] of calls) if (at <= nowMs - RECIPIENT_CALLS_KEPT_MS) calls.delete(key);
  if (calls.has(check.key)) return { kind: "counted" };
  if (check.cooldownMs > 0) {
    const last = Math.max(-Infinity, ...calls.values());
    if (nowMs - last < check.cooldownMs) return { kind: "cooling", untilMs: last + check.cooldownMs };
  }
  if (check.cap && check.cap.maxCalls > 0) {
    const { maxCalls, periodMs } = check.cap;
    const inPeriod = [...calls.values()].filter((at) => at > nowMs - periodMs).sort((a, b) => a - b);
    if (inPeriod.length >= maxCalls) {
      // When this one leaves the period, one fewer than the cap remain.
      const freeing = inPeriod[inPeriod.length - maxCalls] as number;
      return { kind: "capped", untilMs: freeing + periodMs };
    }
  }
  calls.set(check.key, nowMs);
  return { kind: "counted" };
}

/**
 * In one process (no REDIS_URL): no do-not-call list (the CLI and the ingest write it to Redis),
 * and the cap counts this process's calls only. Recipients not seen for RECIPIENT_CALLS_KEPT_MS
 * are forgotten as they are met, and all at most every hour.
 */
export class InProcessRecipientStore implements RecipientStore {
  private readonly recipients = new Map<string, Map<string, number>>();
  private lastSweepMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async check(checks: readonly RecipientCheck[]): Promise<RecipientAnswer[]> {
    const nowMs = this.now();
    this.sweep(nowMs);
    return checks.map((check) => {
      if (!check.count) return { kind: "clear" };
      let calls = this.recipients.get(check.number);
      if (!calls) {
        calls = new Map();
        this.recipients.set(check.number, calls);
      }
      return countCall(calls, check, nowMs);
    });
  }

  async listed(numbers: readonly string[]): Promise<(SuppressionEntry | undefined)[]> {
    return numbers.map(() => undefined);
  }

  async uncount(items: readonly { readonly number: string; readonly key: string }[]): Promise<void> {
    for (const { number, key } of items) this.recipients.get(number)?.delete(key);
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 3_600_000) return;
    this.lastSweepMs = nowMs;
    for (const [number, calls] of this.recipients) {
      if (Math.max(-Infinity, ...calls.values()) <= nowMs - RECIPIENT_CALLS_KEPT_MS) this.recipients.delete(number);
    }
  }
}
