import { type Faults, NO_FAULTS } from "../faults.js";
import { TokenBucket } from "../token-bucket.js";
import { type CallLifecycle, CallStore } from "./call-store.js";
import { type CampaignSeed, CampaignStore } from "./campaigns.js";

/** Time, chance and waiting, injected so tests can drive them. */
export interface SimulatorClock {
  readonly nowMs: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Everything the simulator remembers between requests, and nothing about HTTP. */
export class SimulatorState {
  readonly campaigns: CampaignStore;
  readonly calls: CallStore;
  /** Answers of the call endpoint by status code, for `GET /_sim/stats`. */
  readonly responses = new Map<number, number>();
  /** Answers of `GET /api/v1/campaigns/{id}` by status code (how often clients looked, e.g. to check a token). */
  readonly campaignReads = new Map<number, number>();
  dropped = 0;
  private currentFaults: Faults;
  private bucket: TokenBucket | undefined;
  private acceptedTokens: ReadonlySet<string>;

  constructor(
    private readonly initialTokens: ReadonlySet<string>,
    campaignSeeds: readonly CampaignSeed[],
    lifecycle: CallLifecycle,
    private readonly initialFaults: Faults,
    readonly clock: SimulatorClock,
  ) {
    this.campaigns = new CampaignStore(campaignSeeds, () => new Date(clock.nowMs()));
    this.calls = new CallStore(lifecycle, clock.nowMs);
    this.currentFaults = NO_FAULTS;
    this.acceptedTokens = initialTokens;
    this.setFaults(initialFaults);
  }

  /** Bearer tokens the API accepts right now. */
  get tokens(): ReadonlySet<string> {
    return this.acceptedTokens;
  }

  /** Replaces the accepted tokens (a rotation, or a revoked token). */
  setTokens(tokens: readonly string[]): void {
    this.acceptedTokens = new Set(tokens);
  }

  get faults(): Faults {
    return this.currentFaults;
  }

  /** Replaces the fault set; a new rate limit starts with a full bucket. */
  setFaults(faults: Faults): void {
    this.currentFaults = faults;
    this.bucket =
      faults.rate_limit_rps > 0
        ? new TokenBucket(
            faults.rate_limit_rps,
            faults.rate_limit_burst ?? Math.max(1, Math.ceil(faults.rate_limit_rps)),
            this.clock.nowMs(),
          )
        : undefined;
  }

  /** Rate limit check for one call request; `undefined` means go ahead. */
  takeToken(): number | undefined {
    if (!this.bucket) return undefined;
    const taken = this.bucket.take(this.clock.nowMs());
    return taken.ok ? undefined : taken.retryAfterMs;
  }

  countResponse(status: number): void {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
  }

  countCampaignRead(status: number): void {
    this.campaignReads.set(status, (this.campaignReads.get(status) ?? 0) + 1);
  }

  /** Calls, stats, campaign statuses, tokens and faults back to how the simulator started. */
  reset(): void {
    this.calls.reset();
    this.campaigns.reset();
    this.responses.clear();
    this.campaignReads.clear();
    this.dropped = 0;
    this.acceptedTokens = this.initialTokens;
    this.setFaults(this.initialFaults);
  }
}
