import type { Logger } from "@callbridge/observability";
import type { BeginResult, Finish, Ledger } from "../ledger/ledger.js";

/**
 * The claims this replica holds, kept alive as leases: one renewal of all of them every third
 * of the lease, so a claim never lapses while this process lives and lapses by itself within
 * `leaseMs` of its death (then another replica, or the restarted one, takes the request).
 *
 * Right before each call the claim must still be ours. While renewals succeed that is known
 * without a round trip; after a failed renewal, or with less than a third of the lease left,
 * the ledger is asked. The first call of a request always asks, since it also records the
 * attempt.
 */
export class ClaimKeeper {
  /** Key -> until when (this process's clock) the claim is known to be ours. */
  private readonly held = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly ledger: Ledger,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

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
    const result = await this.ledger.begin(key, this.owner, this.leaseMs);
    if (result.kind === "claimed") this.held.set(key, sentAt + this.leaseMs);
    return result;
  }

  /** Whether the claim is still ours right before a call; with `markAttempted`, also records the attempt. */
  async confirm(key: string, markAttempted: boolean): Promise<boolean> {
    const until = this.held.get(key);
    if (until === undefined) return false;
    const sentAt = this.now();
    if (!markAttempted && until - sentAt > this.leaseMs / 3) return true;
    const ours = await this.ledger.confirm(key, this.owner, this.leaseMs, markAttempted);
    if (ours) this.held.set(key, sentAt + this.leaseMs);
    else this.held.delete(key);
    return ours;
  }

  /** Records how the request ended and lets the claim go. */
  async finish(key: string, outcome: Finish): Promise<void> {
    await this.ledger.finish(key, this.owner, outcome);
    this.held.delete(key);
  }

  /** Lets the claim go, recording nothing; never throws (an unreleased claim lapses by itself). */
  async release(key: string): Promise<void> {
    this.held.delete(key);
    await this.ledger.release(key, this.owner).catch(() => undefined);
  }

  private async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const keys = [...this.held.keys()];
    const sentAt = this.now();
    try {
      const lost = new Set(await this.ledger.renew(keys, this.owner, this.leaseMs));
      for (const key of keys) {
        // Finished meanwhile: leave it gone.
        if (!this.held.has(key)) continue;
        if (lost.has(key)) this.held.set(key, 0);
        else this.held.set(key, sentAt + this.leaseMs);
      }
      if (lost.size > 0) this.logger.warn({ lost: lost.size }, "claims lapsed (this replica was unreachable longer than the lease)");
    } catch (error) {
      // The next confirm asks the ledger itself once the known lease runs short.
      this.logger.warn({ err: error, claims: keys.length }, "could not renew claims");
    } finally {
      this.renewing = false;
    }
  }
}
