import { decodeThrottle, encodeThrottle, RateControl } from "./rate-control.js";

/** Where rate changes go: the current Bottleneck bucket, the other replicas, the observer. */
export interface GlobalRateSink {
  /** Sets the refill rate of the global bucket; `empty` also drops the tokens in it. */
  write(rate: number, empty: boolean): void;
  /** Tells the other replicas (clustered only). */
  publish(message: string): void;
  changed(rate: number): void;
}

/**
 * The effective global rate: halved on a 429 and recovered step by step. Clustered, the throttle state travels
 * over Bottleneck's pub/sub channel so that every replica reports, and writes, the same rate.
 */
export class GlobalRate {
  private readonly control: RateControl;
  private applied: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    configured: number,
    stepMs: number,
    private readonly clustered: boolean,
    private readonly sink: GlobalRateSink,
  ) {
    this.control = new RateControl(configured, stepMs);
    this.applied = configured;
  }

  get current(): number {
    return this.applied;
  }

  /** A 429: returns the new rate, or undefined when a throttle under a second ago already covers it. */
  throttle(): number | undefined {
    if (this.stopped) return undefined;
    const state = this.control.throttle(Date.now());
    if (!state) return undefined;
    this.apply(state.floorRate, { empty: true, write: true });
    if (this.clustered) this.sink.publish(encodeThrottle(state));
    return state.floorRate;
  }

  /** A message from the shared channel; other replicas' throttles are adopted, anything else ignored. */
  receive(message: string): void {
    const state = decodeThrottle(message);
    if (this.stopped || !state || !this.control.adopt(state)) return;
    // The replica that throttled has already emptied the shared bucket and set the rate in Redis.
    this.apply(this.control.rateAt(Date.now()), { empty: false, write: false });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private apply(rate: number, options: { empty: boolean; write: boolean }): void {
    if (rate !== this.applied) {
      this.applied = rate;
      this.sink.changed(rate);
    }
    // In-process, every replica has its own bucket and must always be told.
    if (options.write || !this.clustered) this.sink.write(rate, options.empty);
    clearTimeout(this.timer);
    const now = Date.now();
    const next = this.control.nextChangeAt(now);
    if (next === undefined || this.stopped) return;
    // Every replica writes the same computed rate, so the cluster recovers even if the one that throttled died.
    this.timer = setTimeout(() => this.apply(this.control.rateAt(Date.now()), { empty: false, write: true }), Math.max(1, next - now));
    this.timer.unref();
  }
}
