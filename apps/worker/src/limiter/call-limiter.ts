import { performance } from "node:perf_hooks";
import type { Logger } from "@callbridge/observability";
import { isKeysLostError, LimiterAbortedError } from "./errors.js";
import { Generation } from "./generation.js";
import { GlobalRate } from "./global-rate.js";
import { RecoveryScheduler } from "./recovery-scheduler.js";
import { cappedBuckets, DEFAULT_RECOVERY_STEP_MS, generationSpec, validateConfig } from "./settings.js";
import { StallWatchdog } from "./stall-watchdog.js";
import type { CallLimiterConfig, CallLimiterDeps, LimiterObserver, RecoveryReason } from "./types.js";

export { LimiterAbortedError } from "./errors.js";
export type { CallLimiterConfig, CallLimiterDeps, LimiterObserver, LimitSettings, RecoveryReason } from "./types.js";

/** Calls that already hold their campaign's token go first, so they start close to when they took it. */
const PRIORITY_CAMPAIGN_CLEARED = 3;
const PRIORITY_DEFAULT = 5;
const ORPHAN_RETRY_MS = 1_000;
const ERROR_LOG_EVERY_MS = 5_000;

interface Waiting {
  readonly seq: number;
  readonly campaignId: string;
  readonly task: () => Promise<unknown>;
  readonly signal: AbortSignal | undefined;
  readonly enqueuedAt: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onAbort: () => void;
  /** "campaign": still needs its campaign token; "global": has it, or needs none. */
  phase: "campaign" | "global";
  /** Bumped on every submission; a Bottleneck job whose attempt is not current must not run the task. */
  attempt: number;
}

/**
 * Token buckets (global, per campaign) and a concurrency limit for outbound calls, on Bottleneck, in-process or
 * shared through Redis. The tasks that have not started live here, not only in Bottleneck, so that when
 * Bottleneck's Redis state is lost or it stalls, a fresh set of Bottleneck instances (a "generation") can take
 * them over: each runs once, none is lost.
 */
export class CallLimiter {
  private readonly log: Logger;
  private readonly observer: LimiterObserver;
  private readonly clustered: boolean;
  private readonly rate: GlobalRate;
  private readonly recovery: RecoveryScheduler;
  private readonly watchdog: StallWatchdog;
  private gen: Generation;
  private readonly retiring = new Set<Generation>();
  /** Every task that has not started, in arrival order. */
  private readonly waiting = new Map<number, Waiting>();
  /** Waiting tasks no Bottleneck job holds (their submission failed); resubmitted shortly. */
  private readonly orphans = new Set<Waiting>();
  private orphanTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private runningCount = 0;
  private settingsPushed = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private generationChanged = deferred();
  private readonly errorLoggedAt = new Map<string, number>();

  constructor(
    private readonly config: CallLimiterConfig,
    private readonly deps: CallLimiterDeps,
  ) {
    validateConfig(config);
    this.log = deps.logger.child({ component: "call-limiter", limiterId: config.id });
    this.observer = deps.observer ?? {};
    this.clustered = deps.redisUrl !== undefined;
    for (const { bucket, limit, achievable } of cappedBuckets(config)) {
      this.log.warn(
        { bucket, ...limit, achievable },
        "burst holds less than one 10 ms refill tick, which caps the rate; raise it to rate / 100",
      );
    }
    this.rate = new GlobalRate(config.global.ratePerSecond, config.recoveryStepMs ?? DEFAULT_RECOVERY_STEP_MS, this.clustered, {
      write: (rate, empty) => this.gen.setGlobalRate(rate, empty).catch((error: unknown) => this.logError("rate", error)),
      publish: (message) => this.gen.global.publish(message).catch((error: unknown) => this.logError("publish", error)),
      changed: (rate) => {
        // A lower rate makes a long wait legitimate; the watchdog counts from here.
        this.watchdog.markProgress();
        this.observer.onRate?.(rate);
      },
    });
    this.recovery = new RecoveryScheduler(
      (reason) => this.rebuild(reason),
      (error) => this.logError("rebuild", error),
    );
    this.watchdog = new StallWatchdog(config, {
      waiting: () => this.waiting.size,
      slowestWaitedRate: () => this.slowestWaitedRate(),
      canRebuild: () => !this.closed && this.gen.isReady && !this.recovery.pending,
      slotsInUse: () => (this.clustered ? this.gen.global.running() : this.runningCount),
      rebuild: (reason) => this.recovery.request(reason),
    });
    this.gen = this.createGeneration(1, undefined);
  }

  /** Resolves once the Redis datastore (if any) is ready. */
  async ready(): Promise<void> {
    while (!this.closed) {
      const gen = this.gen;
      const changed = this.generationChanged.promise;
      const outcome = await Promise.race([
        gen.ready.then(
          () => "ready" as const,
          () => "failed" as const,
        ),
        changed.then(() => "replaced" as const),
      ]);
      if (outcome === "ready" && gen === this.gen) return;
      // A generation that failed to initialise gets replaced by a rebuild.
      if (outcome === "failed") await changed;
    }
  }

  run<T>(campaignId: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new LimiterAbortedError("The call limiter is closed."));
    if (signal?.aborted) return Promise.reject(new LimiterAbortedError("Aborted before the call started.", { cause: signal.reason }));
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        seq: ++this.seq,
        campaignId,
        task,
        signal,
        enqueuedAt: performance.now(),
        resolve: resolve as (value: unknown) => void,
        reject,
        onAbort: () => {
          if (this.dequeue(entry)) reject(new LimiterAbortedError("Aborted before the call started.", { cause: signal?.reason }));
        },
        phase: this.config.campaigns.has(campaignId) ? "campaign" : "global",
        attempt: 0,
      };
      signal?.addEventListener("abort", entry.onAbort, { once: true });
      // A stall is measured from when there was something to start.
      if (this.waiting.size === 0) this.watchdog.markProgress();
      this.waiting.set(entry.seq, entry);
      this.observer.onQueued?.(this.waiting.size);
      this.submit(entry);
    });
  }

  /** The API answered 429: empty the global bucket and halve the refill rate; it recovers additively. */
  throttled(): void {
    if (this.closed) return;
    const rate = this.rate.throttle();
    if (rate !== undefined) this.log.warn({ ratePerSecond: rate }, "the API throttled calls; slowing down");
  }

  get queued(): number {
    return this.waiting.size;
  }

  get running(): number {
    return this.runningCount;
  }

  get currentRate(): number {
    return this.rate.current;
  }

  /** Waiting tasks reject with LimiterAbortedError, running ones finish; then Redis is disconnected. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.recovery.stop();
    this.watchdog.stop();
    this.rate.stop();
    clearTimeout(this.orphanTimer);
    const waiting = [...this.waiting.values()];
    for (const entry of waiting) this.dequeue(entry);
    for (const entry of waiting) entry.reject(new LimiterAbortedError("The call limiter was closed before the call started."));
    this.generationChanged.resolve();
    await Promise.all([this.gen, ...this.retiring].map((gen) => gen.retire()));
  }

  private submit(entry: Waiting): void {
    const gen = this.gen;
    const attempt = ++entry.attempt;
    const campaign = entry.phase === "campaign" ? gen.campaigns.get(entry.campaignId) : undefined;
    // The campaign token is taken first and its job ends at once, so a campaign waiting for its own bucket holds
    // no global slot; the global job then holds the concurrency slot for the whole call.
    const priority = this.config.campaigns.has(entry.campaignId) ? PRIORITY_CAMPAIGN_CLEARED : PRIORITY_DEFAULT;
    const job = campaign
      ? campaign.schedule(() => this.passCampaign(entry, attempt))
      : gen.global.schedule({ priority }, () => this.start(entry, attempt, gen));
    job.catch((error: unknown) => this.onJobFailed(entry, attempt, gen, error));
  }

  private isCurrent(entry: Waiting, attempt: number): boolean {
    return !this.closed && entry.attempt === attempt && this.waiting.get(entry.seq) === entry;
  }

  private passCampaign(entry: Waiting, attempt: number): Promise<void> {
    if (this.isCurrent(entry, attempt)) {
      entry.phase = "global";
      this.watchdog.markProgress();
      this.submit(entry);
    }
    return Promise.resolve();
  }

  /** Runs as the global Bottleneck job; the promise it returns is what holds the concurrency slot. */
  private start(entry: Waiting, attempt: number, gen: Generation): Promise<void> {
    // A stale job (aborted task, or one resubmitted elsewhere after a rebuild) spends its token, never the task.
    if (!this.isCurrent(entry, attempt)) return Promise.resolve();
    this.dequeue(entry);
    this.runningCount++;
    gen.runningTasks++;
    this.watchdog.markProgress();
    this.observer.onWait?.((performance.now() - entry.enqueuedAt) / 1000);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(entry.task());
    } catch (error) {
      result = Promise.reject(error);
    }
    const settle = () => {
      this.runningCount--;
      gen.taskSettled();
      if (gen !== this.gen && !this.clustered) this.releaseRetiredSlots();
    };
    // Bookkeeping first, so `running` is already lower when the caller's await resumes.
    return result.then(
      (value) => {
        settle();
        entry.resolve(value);
      },
      (error: unknown) => {
        settle();
        entry.reject(error);
      },
    );
  }

  private dequeue(entry: Waiting): boolean {
    if (!this.waiting.delete(entry.seq)) return false;
    this.orphans.delete(entry);
    entry.signal?.removeEventListener("abort", entry.onAbort);
    this.observer.onQueued?.(this.waiting.size);
    return true;
  }

  /** A job ended without running the task: Bottleneck refused or dropped it (Redis error, replaced limiter). */
  private onJobFailed(entry: Waiting, attempt: number, gen: Generation, error: unknown): void {
    if (!this.isCurrent(entry, attempt)) return;
    if (gen !== this.gen) {
      this.submit(entry);
      return;
    }
    entry.attempt++;
    this.orphans.add(entry);
    // A rebuild resubmits every waiting task and clears the orphans; the timer covers the other failures.
    if (isKeysLostError(error)) this.recovery.request("keys_lost");
    else this.logError("submit", error);
    this.orphanTimer ??= setTimeout(() => {
      this.orphanTimer = undefined;
      const orphans = [...this.orphans];
      this.orphans.clear();
      for (const orphan of orphans) if (this.waiting.get(orphan.seq) === orphan) this.submit(orphan);
    }, ORPHAN_RETRY_MS);
  }

  private async rebuild(reason: RecoveryReason): Promise<void> {
    if (this.closed) return;
    const old = this.gen;
    // In-process buckets carry their tokens over; a lost Redis bucket is recreated empty.
    const carry = this.clustered ? undefined : await old.reservoirs().catch(() => undefined);
    if (this.closed) return;
    this.retiring.add(old);
    this.gen = this.createGeneration(old.number + 1, carry);
    this.watchdog.markProgress();
    this.orphans.clear();
    // New attempts make the old generation's jobs stale: a task runs at most once, whichever job fires.
    for (const entry of this.waiting.values()) this.submit(entry);
    old.retire().then(
      () => this.retiring.delete(old),
      (error: unknown) => this.logError("retire", error),
    );
    this.generationChanged.resolve();
    this.generationChanged = deferred();
    this.log.warn({ reason, generation: this.gen.number, waiting: this.waiting.size }, "rebuilt the call limiter");
    this.observer.onRecovery?.(reason);
  }

  private createGeneration(number: number, carry: Awaited<ReturnType<Generation["reservoirs"]>> | undefined): Generation {
    const spec = generationSpec(this.config, {
      number,
      redisUrl: this.deps.redisUrl,
      globalRate: this.rate.current,
      carry,
      slotsHeldElsewhere: this.slotsHeldByRetired(),
      pushSettings: this.clustered && !this.settingsPushed,
    });
    const gen = new Generation(spec, {
      onError: (source, error) => {
        if (source.retired || this.closed) return;
        if (isKeysLostError(error)) this.recovery.request("keys_lost");
        else this.logError("redis", error);
      },
      onMessage: (source, message) => {
        if (source === this.gen && !this.closed) this.rate.receive(message);
      },
    });
    gen.ready.then(
      () => {
        this.settingsPushed = true;
        if (gen === this.gen) this.watchdog.markProgress();
      },
      (error: unknown) => {
        if (gen !== this.gen || this.closed) return;
        this.logError("init", error);
        this.recovery.request("stalled");
      },
    );
    return gen;
  }

  /** In-process only: calls of a retired generation still run, and the new local limiter does not know about them. */
  private slotsHeldByRetired(): number {
    if (this.clustered) return 0;
    let held = 0;
    for (const gen of this.retiring) held += gen.runningTasks;
    return held;
  }

  private releaseRetiredSlots(): void {
    this.gen
      .setMaxConcurrent(this.config.maxConcurrent - this.slotsHeldByRetired())
      .catch((error: unknown) => this.logError("slots", error));
  }

  private slowestWaitedRate(): number {
    let slowest = this.rate.current;
    for (const entry of this.waiting.values()) {
      if (entry.phase !== "campaign") continue;
      const rate = this.config.campaigns.get(entry.campaignId)?.ratePerSecond;
      if (rate !== undefined && rate < slowest) slowest = rate;
    }
    return slowest;
  }

  /** Redis errors repeat on every heartbeat and reconnect attempt; one line per kind every few seconds is enough. */
  private logError(source: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const key = `${source}:${message}`;
    const now = Date.now();
    if (now - (this.errorLoggedAt.get(key) ?? Number.NEGATIVE_INFINITY) < ERROR_LOG_EVERY_MS) return;
    if (this.errorLoggedAt.size > 100) this.errorLoggedAt.clear();
    this.errorLoggedAt.set(key, now);
    this.log.warn({ err: error, source }, "call limiter error");
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
