/** What the ledger keeps about a placed call. */
export interface PlacedEntry {
  readonly callId: string;
  readonly placedAt: string;
}

/**
 * The idempotency ledger: Kafka delivers at least once, so every request is checked here
 * before a call and written after a 201; a redelivery after a crash or a rebalance then does
 * not call again. It also remembers that an attempt was made (a crash mid-call leaves an
 * ambiguous attempt: a later 409 for it means "placed") and hands out short claims so two
 * replicas never work on one key at once during a rebalance.
 */
export interface Ledger {
  placed(key: string): Promise<PlacedEntry | undefined>;
  markPlaced(key: string, entry: PlacedEntry): Promise<void>;
  /** Records that a call may have been sent for this key. */
  markAttempted(key: string): Promise<void>;
  wasAttempted(key: string): Promise<boolean>;
  /** The attempts got a definite answer that placed nothing (a 4xx): no longer ambiguous. */
  clearAttempted(key: string): Promise<void>;
  /** Takes or renews the claim on `key` for `owner`; false while someone else holds it. */
  claim(key: string, owner: string, leaseMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * In-process ledger: correct for one worker that does not restart. A restart forgets it, and
 * replicas do not share it: run with REDIS_URL for the full guarantee.
 */
export class InMemoryLedger implements Ledger {
  private readonly placedKeys = new Map<string, { entry: PlacedEntry; expiresAt: number }>();
  private readonly attempted = new Map<string, number>();
  private readonly claims = new Map<string, { owner: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async placed(key: string): Promise<PlacedEntry | undefined> {
    const hit = this.placedKeys.get(key);
    return hit && hit.expiresAt > this.nowMs() ? hit.entry : undefined;
  }

  async markPlaced(key: string, entry: PlacedEntry): Promise<void> {
    this.placedKeys.set(key, { entry, expiresAt: this.nowMs() + this.ttlMs });
    this.attempted.delete(key);
  }

  async markAttempted(key: string): Promise<void> {
    this.attempted.set(key, this.nowMs() + this.ttlMs);
  }

  async wasAttempted(key: string): Promise<boolean> {
    return (this.attempted.get(key) ?? 0) > this.nowMs();
  }

  async clearAttempted(key: string): Promise<void> {
    this.attempted.delete(key);
  }

  async claim(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.nowMs();
    const current = this.claims.get(key);
    if (current && current.owner !== owner && current.expiresAt > now) return false;
    this.claims.set(key, { owner, expiresAt: now + leaseMs });
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.claims.get(key)?.owner === owner) this.claims.delete(key);
  }

  async close(): Promise<void> {}
}
