import { performance } from "node:perf_hooks";
import type { Logger } from "@callbridge/observability";
import { Redis } from "ioredis";
import { AbortFanout } from "./abort-fanout.js";
import { LimiterAbortedError } from "./errors.js";
import { FallbackBucketStore } from "./fallback-store.js";
import { burstWithMargin } from "./gcra.js";
import { LocalBucketStore } from "./local-store.js";
import { RateControl, type ThrottleState } from "./rate-control.js";
import { RedisBucketStore } from "./redis-store.js";
import { SlotLeases } from "./slot-leases.js";
import type { BucketStore, CallLimiterConfig, CallLimiterDeps, LimiterMode, LimiterObserver, LimitSettings } from "./types.js";

export { LimiterAbortedError } from "./errors.js";
export type { CallLimiterConfig, CallLimiterDeps, LimiterMode, LimiterObserver } from "./types.js";

const DEFAULT_RECOVERY_STEP_MS = 5_000;
const DEFAULT_SLOT_LEASE_MS = 3_000;

interface Waiter {
  readonly task: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
  readonly enqueuedAt: number;
}

/** Calls waiting for one set of buckets: the global one alone, or a campaign's with it. */
interface Queue {
  readonly campaignId: string | undefined;
  readonly waiters: Waiter[];
  /** The store said no call of this queue may start before then (ms, Date.now). */
  notBefore: number;
}

/**
 * Starts outbound calls within a token bucket (rate + burst), optional per-campaign buckets and
 * a cap on calls at once; in-process, or shared by every replica through Redis.
 *
 * Calls wait here in FIFO queues, one per set of buckets, so a campaign waiting for its own
 * bucket never holds back the others. Only the head of a queue asks the store, for as many
 * calls as may run now; a call takes its tokens and its slot together, the moment it starts,
 * so tokens are never banked and no window ever sees more than rate × window + burst starts.
 * In Redis a slot is a lease this process renews while the call runs: a killed worker's slots
 * come back by themselves within the lease (default 3 s). While Redis is unreachable the
 * replica runs on its share of the limits in-process (`replicas`) and says so (`onMode`).
 */
export class CallLimiter {
  private readonly log: Logger;
  private readonly observer: LimiterObserver;
  private readonly store: BucketStore;
  private readonly local: LocalBucketStore | undefined;
  private readonly rates: RateControl | undefined;
  private readonly queues = new Map<string | undefined, Queue>();
  /** With Redis: the shared concurrency slots this process holds. */
  private readonly slots: SlotLeases | undefined;
  private readonly aborts = new AbortFanout<Waiter>();
  private readonly ownedRedis: Redis | undefined;
  private runningCount = 0;
  private waitingCount = 0;
  private turn = 0;
  private pumping = false;
  private pumpAgain = false;
  private wakeTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  private rateTimer: NodeJS.Timeout | undefined;
  private reportedRate: number;
  private idle: (() => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  private readonly config: CallLimiterConfig;

  constructor(given: CallLimiterConfig, deps: CallLimiterDeps) {
    validateConfig(given);
    // The buckets keep a margin for the jitter between a token and the request reaching the API.
    const margin = (limit: LimitSettings) => ({ ...limit, burst: burstWithMargin(limit.ratePerSecond, limit.burst) });
    const config: CallLimiterConfig = {
      ...given,
      global: given.global ? margin(given.global) : null,
      campaigns: new Map([...given.campaigns].map(([id, limit]) => [id, margin(limit)])),
    };
    this.config = config;
    this.log = deps.logger.child({ component: "call-limiter", limiterId: config.id });
    this.observer = deps.observer ?? {};
    const recoveryStepMs = config.recoveryStepMs ?? DEFAULT_RECOVERY_STEP_MS;
    const slotLeaseMs = config.slotLeaseMs ?? DEFAULT_SLOT_LEASE_MS;
    this.rates = config.global ? new RateControl(config.global.ratePerSecond, recoveryStepMs) : undefined;
    this.reportedRate = this.currentRate;
    const rateAt = (now: number) => this.rates?.rateAt(now) ?? Number.POSITIVE_INFINITY;
    this.ownedRedis = deps.redis || !deps.redisUrl ? undefined : new Redis(deps.redisUrl, { maxRetriesPerRequest: 1 });
    this.ownedRedis?.on("error", () => {});
    const redis = deps.redis ?? this.ownedRedis;
    if (!redis) {
      this.local = new LocalBucketStore(config, rateAt, Date.now);
      this.store = this.local;
      return;
    }
    this.store = new FallbackBucketStore(
      new RedisBucketStore(redis, config, recoveryStepMs, slotLeaseMs),
      (replicas) => new LocalBucketStore(config, rateAt, Date.now, 1 / replicas, "local_share"),
      deps.replicas ?? (() => 1),
      (mode, error) => this.modeChanged(mode, error),
    );
    this.slots = new SlotLeases(this.store, slotLeaseMs, (state) => this.adopt(state), deps.slotTag);
  }

  /** Resolves once the shared state answered (or could not: then the local share applies). */
  async ready(): Promise<void> {
    await this.slots?.renew();
  }

  /**
   * Runs `task` once its tokens and a slot are free. Rejects with LimiterAbortedError, without
   * running it, when `signal` aborts first or the limiter closes; else settles as `task` does.
   * `urgent` puts it at the head of its queue (a retry whose earlier attempt may have landed:
   * the API's duplicate guard lasts only while that call is queued or active).
   */
  run<T>(campaignId: string, task: () => Promise<T>, signal?: AbortSignal, urgent = false): Promise<T> {
    if (this.closed) return Promise.reject(new LimiterAbortedError("The call limiter is closed."));
    if (signal?.aborted) return Promise.reject(new LimiterAbortedError("Aborted before the call started.", { cause: signal.reason }));
    const queue = this.queueFor(campaignId);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        task,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        enqueuedAt: performance.now(),
        onAbort: () => {
          const index = queue.waiters.indexOf(waiter);
          if (index < 0) return;
          this.aborts.remove(signal, waiter);
          queue.waiters.splice(index, 1);
          this.waitingChanged(-1);
          reject(new LimiterAbortedError("Aborted before the call started.", { cause: signal?.reason }));
        },
      };
      if (signal) this.aborts.add(signal, waiter);
      if (urgent) queue.waiters.unshift(waiter);
      else queue.waiters.push(waiter);
      this.waitingChanged(1);
      this.pump();
    });
  }

  /** The API answered 429: halve the rate (shared), empty the bucket, keep it shut for `retryAfterMs`. */
  throttled(retryAfterMs?: number): void {
    if (this.closed || !this.rates) return;
    const state = this.rates.throttle(Date.now());
    if (state) this.log.warn({ ratePerSecond: state.floorRate, retryAfterMs }, "the API throttled calls; slowing down");
    this.reportRate();
    this.store.throttle(retryAfterMs).then(
      (shared) => this.adopt(shared),
      (error: unknown) => this.log.warn({ err: error }, "could not share the throttle"),
    );
  }

  get queued(): number {
    return this.waitingCount;
  }

  get running(): number {
    return this.runningCount;
  }

  /** The effective global rate now, calls/s (Infinity without a rate limit). */
  get currentRate(): number {
    return this.rates?.rateAt(Date.now()) ?? Number.POSITIVE_INFINITY;
  }

  get mode(): LimiterMode {
    return this.store.mode;
  }

  /** Waiting calls reject with LimiterAbortedError; running ones finish; then slots are released. Safe to call twice. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.rateTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer.timer);
    for (const queue of this.queues.values()) {
      for (const waiter of queue.waiters.splice(0)) {
        this.aborts.remove(waiter.signal, waiter);
        this.waitingChanged(-1);
        waiter.reject(new LimiterAbortedError("The call limiter was closed before the call started."));
      }
    }
    if (this.runningCount > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.slots?.close();
    await this.store.close();
    await this.ownedRedis?.quit().catch(() => this.ownedRedis?.disconnect());
  }

  private queueFor(campaignId: string): Queue {
    const key = this.config.campaigns.has(campaignId) ? campaignId : undefined;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { campaignId: key, waiters: [], notBefore: 0 };
      this.queues.set(key, queue);
    }
    return queue;
  }

  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.drain()
      .catch((error: unknown) => this.log.error({ err: error }, "call limiter failed to start calls"))
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) this.pump();
      });
  }

  /** Starts what the store allows, queue by queue (rotating who asks first), until nothing more can start. */
  private async drain(): Promise<void> {
    for (;;) {
      this.pumpAgain = false;
      let started = 0;
      let wakeAt = Number.POSITIVE_INFINITY;
      const queues = [...this.queues.values()];
      if (queues.length === 0) return;
      this.turn = (this.turn + 1) % queues.length;
      for (let i = 0; i < queues.length; i++) {
        const queue = queues[(this.turn + i) % queues.length] as Queue;
        if (queue.waiters.length === 0 || this.closed) continue;
        if (queue.notBefore > Date.now()) {
          wakeAt = Math.min(wakeAt, queue.notBefore);
          continue;
        }
        const free = this.store.localCap - this.runningCount;
        // A finishing call pumps again.
        if (free <= 0) return;
        const wanted = Math.min(free, queue.waiters.length);
        const slotIds = this.slots?.newIds(wanted) ?? [];
        const grant = this.local
          ? this.local.take(queue.campaignId, wanted)
          : await this.store.acquire(queue.campaignId, slotIds, this.slots?.takeFreed());
        if (grant.keysLost) {
          this.log.warn("Redis lost the shared rate-limit state; recreated it empty");
          this.observer.onRecovery?.("keys_lost");
        }
        this.adopt(grant.throttle);
        started += this.startFrom(queue, grant.granted, slotIds);
        if (grant.granted < wanted) {
          queue.notBefore = Date.now() + Math.max(1, grant.waitMs);
          wakeAt = Math.min(wakeAt, queue.notBefore);
        }
      }
      if (started > 0 || this.pumpAgain) continue;
      if (Number.isFinite(wakeAt)) this.wakeAt(wakeAt);
      return;
    }
  }

  private startFrom(queue: Queue, granted: number, slotIds: string[]): number {
    let started = 0;
    for (; started < granted && queue.waiters.length > 0; started++) {
      const waiter = queue.waiters.shift() as Waiter;
      this.aborts.remove(waiter.signal, waiter);
      this.waitingChanged(-1);
      this.start(waiter, slotIds[started]);
    }
    // Callers that aborted while the store answered leave slots nobody uses.
    for (const unused of slotIds.slice(started, granted)) this.slots?.free(unused);
    return started;
  }

  private start(waiter: Waiter, slotId: string | undefined): void {
    this.runningCount++;
    if (slotId) this.slots?.hold(slotId);
    this.observer.onWait?.((performance.now() - waiter.enqueuedAt) / 1000);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(waiter.task());
    } catch (error) {
      result = Promise.reject(error);
    }
    // Bookkeeping first, so `running` is already lower when the caller's await resumes.
    result.then(
      (value) => {
        this.finished(slotId);
        waiter.resolve(value);
      },
      (error: unknown) => {
        this.finished(slotId);
        waiter.reject(error);
      },
    );
  }

  private finished(slotId: string | undefined): void {
    this.runningCount--;
    if (slotId) this.slots?.free(slotId);
    if (this.runningCount === 0) this.idle?.();
    this.pump();
  }

  private wakeAt(at: number): void {
    if (this.wakeTimer && this.wakeTimer.at <= at) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer.timer);
    const timer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.pump();
      },
      Math.max(1, at - Date.now()),
    );
    this.wakeTimer = { at, timer };
  }

  /** Takes over the shared 429 state another replica (or Redis) reports. */
  private adopt(state: ThrottleState | undefined): void {
    if (state && this.rates?.adopt(state)) this.reportRate();
  }

  private reportRate(): void {
    if (!this.rates || this.closed) return;
    const now = Date.now();
    const rate = this.rates.rateAt(now);
    if (rate !== this.reportedRate) {
      this.reportedRate = rate;
      this.observer.onRate?.(rate);
    }
    clearTimeout(this.rateTimer);
    const next = this.rates.nextChangeAt(now);
    if (next !== undefined) this.rateTimer = setTimeout(() => this.reportRate(), Math.max(1, next - now)).unref();
  }

  private waitingChanged(delta: number): void {
    this.waitingCount += delta;
    this.observer.onQueued?.(this.waitingCount);
  }

  private modeChanged(mode: LimiterMode, error: unknown): void {
    if (mode === "local_share") {
      this.log.warn({ err: error, mode }, "Redis is unreachable: this replica uses its share of the limits until it answers again");
    } else {
      this.log.info({ mode }, "Redis answers again: the shared limits apply");
    }
    this.observer.onMode?.(mode);
  }
}

/** Throws RangeError on limits that could never start a call. */
function validateConfig(config: CallLimiterConfig): void {
  const check = (name: string, ok: boolean) => {
    if (!ok) throw new RangeError(`call limiter ${config.id}: invalid ${name}`);
  };
  const limits: [string, LimitSettings][] = [...config.campaigns].map(([id, limit]) => [`campaigns[${id}]`, limit]);
  if (config.global) limits.push(["global", config.global]);
  for (const [name, limit] of limits) {
    check(`${name}.ratePerSecond`, Number.isFinite(limit.ratePerSecond) && limit.ratePerSecond > 0);
    check(`${name}.burst`, Number.isInteger(limit.burst) && limit.burst >= 1);
  }
  check("id", config.id.length > 0);
  check("maxConcurrent", Number.isInteger(config.maxConcurrent) && config.maxConcurrent >= 1);
}
