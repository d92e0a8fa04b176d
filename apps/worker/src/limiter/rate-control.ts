/** What a 429 left behind: the rate right after halving, and when. Shared between replicas as-is. */
export interface ThrottleState {
  readonly floorRate: number;
  readonly since: number;
}

/** Fraction of the configured rate the effective rate never drops below, and adds back per recovery step. */
const MIN_FRACTION = 0.1;
const STEP_FRACTION = 0.1;

/**
 * Multiplicative decrease on 429, additive increase without: the rate is a pure function of the last
 * throttle state and the clock, so replicas that share the state compute the same rate without talking.
 */
export class RateControl {
  private state: ThrottleState | undefined;
  private lastLocalThrottleAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly configured: number,
    private readonly stepMs: number,
    private readonly cooldownMs = 1_000,
  ) {}

  rateAt(now: number): number {
    const state = this.state;
    if (!state) return this.configured;
    const steps = Math.max(0, Math.floor((now - state.since) / this.stepMs));
    const rate = state.floorRate + steps * STEP_FRACTION * this.configured;
    // Rounded so that 0.1 steps of e.g. 3/s land on 2.7, not 2.7000000000000006.
    return rate >= this.configured - 1e-9 ? this.configured : round(rate);
  }

  /**
   * Halves the rate (not below 10% of configured). Returns the new state, or undefined when a throttle
   * less than `cooldownMs` ago (here, or adopted from another replica) already covers this 429.
   */
  throttle(now: number): ThrottleState | undefined {
    if (now - this.lastLocalThrottleAt < this.cooldownMs) return undefined;
    // The 429s of one overload reach every replica at once; one halving per second cluster-wide is enough.
    if (this.state && now - this.state.since < this.cooldownMs) return undefined;
    this.lastLocalThrottleAt = now;
    const floorRate = round(Math.max(MIN_FRACTION * this.configured, this.rateAt(now) / 2));
    this.state = { floorRate, since: now };
    return this.state;
  }

  /** Takes over another replica's newer throttle; true when it changed anything. */
  adopt(remote: ThrottleState): boolean {
    if (this.state && remote.since <= this.state.since) return false;
    this.state = { floorRate: Math.min(remote.floorRate, this.configured), since: remote.since };
    return true;
  }

  /** When the rate next changes, or undefined once it is back at the configured rate. */
  nextChangeAt(now: number): number | undefined {
    const state = this.state;
    if (!state) return undefined;
    if (this.rateAt(now) >= this.configured) {
      this.state = undefined;
      return undefined;
    }
    const steps = Math.max(0, Math.floor((now - state.since) / this.stepMs)) + 1;
    return state.since + steps * this.stepMs;
  }
}

function round(rate: number): number {
  return Math.round(rate * 1e6) / 1e6;
}
