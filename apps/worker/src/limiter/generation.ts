import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import { LocalRefill } from "./local-refill.js";

/** One token bucket (and, for the global one, the concurrency limit) as Bottleneck should hold it. */
export interface BucketSpec {
  readonly id: string;
  readonly rate: number;
  readonly burst: number;
  readonly maxConcurrent?: number;
  /** Refill tick, also the Bottleneck heartbeat (see refillIntervalFor). */
  readonly intervalMs: number;
  /** Tokens in a bucket Redis does not have yet (or a local one). */
  readonly initialReservoir: number;
}

export interface GenerationSpec {
  readonly number: number;
  readonly redisUrl?: string;
  readonly global: BucketSpec;
  readonly campaigns: ReadonlyMap<string, BucketSpec>;
  /** First generation of a clustered limiter: overwrite what a previous deployment left in Redis. */
  readonly pushSettings: boolean;
}

export interface GenerationEvents {
  onError(generation: Generation, error: unknown): void;
  onMessage(generation: Generation, message: string): void;
}

/** Bottleneck internals we rely on, pinned at 2.19.5 (see retire()). */
interface BottleneckInternals {
  _dropAllQueued?: (message?: string) => void;
}

/** How long retirement waits for Bottleneck's own bookkeeping once the calls it started have finished. */
const RETIRE_GRACE_MS = 5_000;
const QUIT_TIMEOUT_MS = 2_000;

/**
 * One set of Bottleneck instances (global + per campaign) and, when clustered, the Redis connection they
 * share. Recovery replaces the whole generation: a fresh connection is needed anyway, because Bottleneck maps
 * pub/sub channels to limiters by id and a second limiter with the same id on one connection would steal them.
 */
export class Generation {
  readonly number: number;
  readonly global: Bottleneck;
  readonly campaigns = new Map<string, Bottleneck>();
  readonly ready: Promise<void>;
  isReady = false;
  retired = false;
  /** Calls that started in this generation and have not settled. */
  runningTasks = 0;

  private readonly refills = new Map<Bottleneck, LocalRefill>();
  private readonly connection: Bottleneck.IORedisConnection | undefined;
  private retirement: Promise<void> | undefined;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly spec: GenerationSpec,
    private readonly events: GenerationEvents,
  ) {
    this.number = spec.number;
    if (spec.redisUrl) {
      // Reconnects on its own; commands wait in the offline queue meanwhile (ioredis defaults).
      const client = new Redis(spec.redisUrl, { connectionName: `callbridge-limiter-${spec.global.id}` });
      this.connection = new Bottleneck.IORedisConnection({ client, Redis });
      this.connection.on("error", (error) => this.events.onError(this, error));
    }
    this.global = this.createLimiter(spec.global);
    for (const [campaignId, bucket] of spec.campaigns) this.campaigns.set(campaignId, this.createLimiter(bucket));
    this.ready = this.init();
  }

  /** Changes the global refill rate; `empty` also drops the tokens in the bucket. */
  async setGlobalRate(rate: number, empty: boolean): Promise<void> {
    const refill = this.refills.get(this.global);
    if (refill) {
      refill.setRate(rate, empty);
      if (empty) await this.global.updateSettings({ reservoir: 0 });
      return;
    }
    const amount = (rate * this.spec.global.intervalMs) / 1000;
    await this.global.updateSettings(empty ? { reservoir: 0, reservoirIncreaseAmount: amount } : { reservoirIncreaseAmount: amount });
  }

  /** Local only: slots still held by calls of retired generations are not this generation's to hand out. */
  async setMaxConcurrent(maxConcurrent: number): Promise<void> {
    await this.global.updateSettings({ maxConcurrent });
  }

  /** Local only: the tokens left, so that a rebuilt bucket does not start full again. */
  async reservoirs(): Promise<{ global: number; campaigns: Map<string, number> }> {
    const campaigns = new Map<string, number>();
    for (const [campaignId, limiter] of this.campaigns) campaigns.set(campaignId, Math.floor((await limiter.currentReservoir()) ?? 0));
    return { global: Math.floor((await this.global.currentReservoir()) ?? 0), campaigns };
  }

  taskSettled(): void {
    this.runningTasks--;
    if (this.runningTasks === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * Stops handing out tokens, lets started calls finish, then disconnects. Safe to call twice.
   *
   * Bottleneck's stop({ dropWaitingJobs: true }) drops jobs that were already registered in Redis without
   * freeing them, which leaks concurrency slots in the shared state for good. So only jobs still in the local
   * queue are dropped; registered ones run (our wrapper sees they are stale and returns at once) and free
   * their slot through this generation's connection, which stays open until they have.
   */
  retire(): Promise<void> {
    this.retired = true;
    this.retirement ??= this.runRetirement();
    return this.retirement;
  }

  private async runRetirement(): Promise<void> {
    for (const refill of this.refills.values()) refill.stop();
    const limiters = [this.global, ...this.campaigns.values()];
    const dropQueued = () => {
      for (const limiter of limiters) {
        const internals = limiter as unknown as BottleneckInternals;
        if (typeof internals._dropAllQueued === "function") internals._dropAllQueued("This limiter was replaced.");
        else void limiter.stop({ dropWaitingJobs: true }).catch(() => {});
      }
    };
    dropQueued();
    if (this.runningTasks > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const deadline = Date.now() + RETIRE_GRACE_MS;
    while (Date.now() < deadline && limiters.some((limiter) => jobsInFlight(limiter) > 0)) {
      // Jobs whose submit was in flight reach the queue later; drop them as they arrive.
      dropQueued();
      await sleep(100);
    }
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    const connection = this.connection;
    if (!connection) {
      await Promise.all([this.global, ...this.campaigns.values()].map((limiter) => limiter.disconnect().catch(() => {})));
      return;
    }
    // QUIT lets replies in flight arrive; if Redis is unreachable it would wait for ever, so cut it short.
    const quit = connection.disconnect(true).then(
      () => true,
      () => false,
    );
    // disconnect(false) drops both the client and the subscriber at once.
    if (!(await Promise.race([quit, sleep(QUIT_TIMEOUT_MS).then(() => false)]))) await connection.disconnect(false).catch(() => {});
  }

  private createLimiter(bucket: BucketSpec): Bottleneck {
    const interval = bucket.intervalMs;
    const common = { id: bucket.id, reservoir: bucket.initialReservoir, maxConcurrent: bucket.maxConcurrent ?? null };
    const limiter = this.connection
      ? new Bottleneck({
          ...common,
          datastore: "ioredis",
          connection: this.connection,
          clearDatastore: false,
          // The Lua refill is anchored (lastReservoirIncrease + n × interval) and exact, but it only runs when a
          // script runs; the heartbeat is what runs it while jobs wait.
          reservoirIncreaseInterval: interval,
          reservoirIncreaseAmount: (bucket.rate * interval) / 1000,
          reservoirIncreaseMaximum: bucket.burst,
          heartbeatInterval: interval,
        })
      : new Bottleneck(common);
    limiter.on("error", (error) => this.events.onError(this, error));
    limiter.on("message", (message) => this.events.onMessage(this, message));
    if (!this.connection) {
      const refill = new LocalRefill(limiter, bucket.rate, bucket.burst, interval, (error) => this.events.onError(this, error));
      this.refills.set(limiter, refill);
    }
    return limiter;
  }

  private async init(): Promise<void> {
    const limiters = [this.global, ...this.campaigns.values()];
    await Promise.all(limiters.map((limiter) => limiter.ready()));
    if (this.spec.pushSettings && this.connection) {
      // init.lua keeps an existing settings hash as it is, so a changed configuration would never reach Redis.
      const push = (limiter: Bottleneck, bucket: BucketSpec) =>
        limiter.updateSettings({
          maxConcurrent: bucket.maxConcurrent ?? null,
          reservoirIncreaseInterval: bucket.intervalMs,
          reservoirIncreaseAmount: (bucket.rate * bucket.intervalMs) / 1000,
          reservoirIncreaseMaximum: bucket.burst,
        });
      await push(this.global, this.spec.global);
      for (const [campaignId, limiter] of this.campaigns) {
        const bucket = this.spec.campaigns.get(campaignId);
        if (bucket) await push(limiter, bucket);
      }
    }
    this.isReady = true;
  }
}

function jobsInFlight(limiter: Bottleneck): number {
  const counts = limiter.counts();
  return counts.RECEIVED + counts.QUEUED + counts.RUNNING + counts.EXECUTING;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
