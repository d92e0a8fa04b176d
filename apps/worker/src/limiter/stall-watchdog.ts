import { isKeysLostError } from "./errors.js";
import { stallTimeoutMs } from "./settings.js";
import type { CallLimiterConfig, RecoveryReason } from "./types.js";

const PROBE_TIMEOUT_MS = 2_000;

/** What the watchdog needs to know about the limiter it guards. */
export interface StallProbe {
  waiting(): number;
  /** The slowest bucket a waiting task needs a token from (tokens per second). */
  slowestWaitedRate(): number;
  /** False while connecting or rebuilding: a new generation would wait just the same. */
  canRebuild(): boolean;
  /** Calls holding slots: this replica's count in-process, Redis's count for the cluster. */
  slotsInUse(): number | Promise<number>;
  rebuild(reason: RecoveryReason): void;
}

/**
 * Rebuilds when tasks wait but none has started for the stall timeout. Bottleneck can stall without an error
 * (lost subscription, its own bugs), and errors of a Redis that lost our keys may be swallowed on older Redis.
 * Long waits that a correct limiter produces are not stalls: a slow or throttled bucket (the timeout grows
 * with its token period) and every slot held by a running call.
 */
export class StallWatchdog {
  private lastProgressAt = Date.now();
  private probing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly config: CallLimiterConfig,
    private readonly probe: StallProbe,
  ) {
    const checkEvery = Math.min(1_000, Math.max(100, (config.stallTimeoutMs ?? 10_000) / 4));
    this.timer = setInterval(() => this.check(), checkEvery);
    this.timer.unref();
  }

  /** A task started, or the limiter got a reason to wait longer (new work, rebuild, lower rate). */
  markProgress(): void {
    this.lastProgressAt = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const { probe } = this;
    if (this.probing || probe.waiting() === 0 || !probe.canRebuild()) return;
    if (Date.now() - this.lastProgressAt < stallTimeoutMs(this.config, probe.slowestWaitedRate())) return;
    this.probing = true;
    // Clustered, asking Redis also tells whether it still knows our keys and client.
    withTimeout(Promise.resolve(probe.slotsInUse()), PROBE_TIMEOUT_MS)
      .then(
        (inUse) => {
          if (inUse < this.config.maxConcurrent && probe.waiting() > 0) probe.rebuild("stalled");
        },
        (error: unknown) => probe.rebuild(isKeysLostError(error) ? "keys_lost" : "stalled"),
      )
      .finally(() => {
        this.probing = false;
      });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
