import type { Logger } from "@callbridge/observability";
import type {
  BeginItem,
  BeginResult,
  CommittedOffset,
  ConfirmItem,
  Finish,
  FinishItem,
  Ledger,
  RecordRef,
  SettleItem,
} from "../ledger/ledger.js";
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
 * attempt. A claim is kept after the request's end is recorded, until its outputs are written
 * (`settle`): a replica that a rebalance handed the record meanwhile waits, then finds it
 * settled. The steps of requests taken in one turn of the event loop reach the ledger together.
 */
const FINISH_LINGER_MS = 5;

export class ClaimKeeper {
  /** Key -> until when (this process's clock) the claim is known to be ours. */
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private readonly begins: TickBatcher<BeginItem, BeginResult>;
  private readonly confirms: TickBatcher<ConfirmItem, boolean>;
  private readonly finishes: TickBatcher<FinishItem, boolean>;
  private readonly settles: TickBatcher<SettleItem, void>;
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
    this.begins = new TickBatcher((items) => ledger.begin(items, owner, leaseMs));
    this.confirms = new TickBatcher((items) => ledger.confirm(items, owner, leaseMs));
    // A finished request waits up to 5 ms for others: at a thousand calls a second, one round trip for several.
    this.finishes = new TickBatcher((items) => ledger.finish(items, owner), FINISH_LINGER_MS);
    // No linger: a worker killed between writing outputs and settling them leaves them to be
    // written again, so that gap is kept short (outputs acknowledged together settle together).
    this.settles = new TickBatcher<SettleItem, void>(async (items) => {
      await ledger.settle(items, owner);
      return [];
    });
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

  /** Settled, held elsewhere, placed before, or claimed by us now (`record`: the record the request came in). */
  async begin(key: string, record?: RecordRef): Promise<BeginResult> {
    const sentAt = this.now();
    const result = await this.begins.call({ key, record });
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

  /**
   * Records how the request ended; the claim is kept (and renewed) until `settle` or
   * `release`. False when another replica holds the claim now: it reports the request.
   */
  async finish(key: string, outcome: Finish): Promise<boolean> {
    const ours = await this.finishes.call({ key, outcome });
    if (!ours) this.held.delete(key);
    return ours;
  }

  /** The request's outputs are written: marks its record settled and lets the claim go. */
  async settle(key: string, record: RecordRef): Promise<void> {
    this.held.delete(key);
    await this.settles.call({ key, record });
  }

  /** Offsets committed: their records' settled marks are no longer needed. Never throws (the marks expire in a day). */
  async forgetSettled(committed: readonly CommittedOffset[]): Promise<void> {
    await this.ledger.forgetSettled(committed).catch((error: unknown) => {
      this.warnings.warn("could not trim the settled marks of committed records", { err: error });
    });
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
