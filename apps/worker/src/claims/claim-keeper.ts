import type { Logger } from "@callbridge/observability";
import type { BeginResult, ConfirmItem, Finish, FinishItem, Ledger } from "../ledger/ledger.js";
import { ThrottledLog } from "../throttled-log.js";
import { TickBatcher } from "./tick-batcher.js";

/**
 * The claims this replica holds, kept alive as leases: one renewal of all of them every third
 * of the lease, so a claim never lapses while this process lives and lapses by itself within
 * `leaseMs` of its death (then another replica, or the restarted one, takes the request).
 *
 * Right before each call the claim must still be ours. While renewals succeed that is known
 * without a round trip; after a failed renewal, or with less than a third of the lease left,
 * the ledger is asked. The first call of a request always asks, since it also records the
 * attempt. The steps of requests taken in one turn of the event loop reach the ledger together.
 */
const FINISH_LINGER_MS = 5;

export class ClaimKeeper {
  /** Key -> until when (this process's clock) the claim is known to be ours. */
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private readonly begins: TickBatcher<string, BeginResult>;
  private readonly confirms: TickBatcher<ConfirmItem, boolean>;
  private readonly finishes: TickBatcher<FinishItem, void>;
  private readonly releases: TickBatcher<string, void>;
  private readonly warnings: ThrottledLog;

  constructor(
    private readonly ledger: Ledger,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.warnings = new ThrottledLog(logger);
    this.begins = new TickBatcher((keys) => ledger.begin(keys, owner, leaseMs));
    this.confirms = new TickBatcher((items) => ledger.confirm(items, owner, leaseMs));
    // A finished request waits up to 5 ms for others: at a thousand calls a second, one round trip for several.
    this.finishes = new TickBatcher<FinishItem, void>(async (items) => {
      await ledger.finish(items, owner);
      return [];
    }, FINISH_LINGER_MS);
    this.releases = new TickBatcher<string, void>(async (keys) => {
      await ledger.release(keys, owner);
      return [];
    });
  }

  get count(): number {
    return this.held.size;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.renewAll(), this.leaseMs / 3);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Placed before, held elsewhere, or claimed by us now. */
  async begin(key: string): Promise<BeginResult> {
    const sentAt = this.now();
    const result = await this.begins.call(key);
    if (result.kind === "claimed") this.held.set(key, sentAt + this.leaseMs);
    return result;
  }

  /** Whether the claim is still ours right before a call; with `markAttempted`, also records the attempt. */
  async confirm(key: string, markAttempted: boolean): Promise<boolean> {
    const until = this.held.get(key);
    if (until === undefined) return false;
    const sentAt = this.now();
    if (!markAttempted && until - sentAt > this.leaseMs / 3) return true;
    const ours = await this.confirms.call({ key, markAttempted });
    if (ours) this.held.set(key, sentAt + this.leaseMs);
    else this.held.delete(key);
    return ours;
  }

  /** Records how the request ended and lets the claim go. */
  async finish(key: string, outcome: Finish): Promise<void> {
    await this.finishes.call({ key, outcome });
    this.held.delete(key);
  }

  /** Lets the claim go, recording nothing; never throws (an unreleased claim lapses by itself). */
  async release(key: string): Promise<void> {
    this.held.delete(key);
    await this.releases.call(key).catch(() => undefined);
  }

  private async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const keys = [...this.held.keys()];
    const sentAt = this.now();
    try {
      const renewals = await this.ledger.renew(keys, this.owner, this.leaseMs);
      let taken = 0;
      for (const [i, key] of keys.entries()) {
        // Finished meanwhile: leave it gone.
        if (!this.held.has(key)) continue;
        const renewal = renewals[i];
        if (renewal === "renewed") this.held.set(key, sentAt + this.leaseMs);
        else {
          // Unknown until the next confirm asks (it takes a lapsed claim back if nobody else did).
          this.held.set(key, 0);
          if (renewal === "taken") taken += 1;
        }
      }
      if (taken > 0)
        this.logger.warn({ taken }, "another replica took requests this one held (it could not renew them for longer than the lease)");
    } catch (error) {
      // The next confirm asks the ledger itself once the known lease runs short.
      this.warnings.warn("could not renew claims", { err: error, claims: keys.length });
    } finally {
      this.renewing = false;
    }
  }
}
