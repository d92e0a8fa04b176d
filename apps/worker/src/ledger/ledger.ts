/** What the ledger keeps about a placed call. */
export interface PlacedEntry {
  readonly callId: string;
  readonly placedAt: string;
}

/** What `begin` found for a key. */
export type BeginResult =
  /** Placed before: nothing to send. */
  | { readonly kind: "placed"; readonly entry: PlacedEntry }
  /** Another replica's claim holds the key (a rebalance moved it): wait and begin again. */
  | { readonly kind: "held_elsewhere" }
  /** The key is ours until the lease ends; `attempted`: an earlier attempt may have reached the API unanswered. */
  | { readonly kind: "claimed"; readonly attempted: boolean };

/** How a request ended, for `finish`. */
export type Finish =
  | { readonly kind: "placed"; readonly entry: PlacedEntry }
  /** Nothing placed. `proven`: every attempt was answered, so a later 409 for this key is not ours. */
  | { readonly kind: "not_placed"; readonly proven: boolean };

/** One request's step for `confirm`: `markAttempted` records that a call is about to be sent. */
export interface ConfirmItem {
  readonly key: string;
  readonly markAttempted: boolean;
}

export interface FinishItem {
  readonly key: string;
  readonly outcome: Finish;
}

/** One claim's renewal: still ours; gone (finished meanwhile, or lapsed and free); or taken by another owner. */
export type Renewal = "renewed" | "gone" | "taken";

/**
 * The idempotency ledger. Kafka delivers at least once, so every request is looked up here
 * before a call and recorded after the 201; a redelivery after a crash or a rebalance is not
 * called again. It also remembers that an attempt was made (a crash mid-call leaves an
 * ambiguous attempt: a later 409 for it means "placed"), and hands out claims: leases on a key
 * that keep two replicas off one request during a rebalance, renewed while the holder lives and
 * lapsing by themselves when it dies.
 *
 * Every method takes many requests at once and is atomic per request (one round trip in
 * Redis for all of them); the answers come in the order of the requests.
 */
export interface Ledger {
  /** Per key: placed? Else take (or renew) the claim for `owner` for `leaseMs`, unless another owner holds it. */
  begin(keys: readonly string[], owner: string, leaseMs: number): Promise<BeginResult[]>;
  /**
   * Right before a call: renews each claim (or takes it again if it lapsed, or Redis lost it,
   * while nobody else took it and nothing was placed) and, where asked, records the attempt.
   * False where another owner holds it or the request was placed meanwhile.
   */
  confirm(items: readonly ConfirmItem[], owner: string, leaseMs: number): Promise<boolean[]>;
  /** Renews the claims `owner` still holds among `keys`; answers, in order, what became of each. */
  renew(keys: readonly string[], owner: string, leaseMs: number): Promise<Renewal[]>;
  /** Records how each request ended and drops its claim. */
  finish(items: readonly FinishItem[], owner: string): Promise<void>;
  /** Drops the claims, recording nothing (shutdown: the requests will be redelivered). */
  release(keys: readonly string[], owner: string): Promise<void>;
  close(): Promise<void>;
}

interface Expiring<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * A Map that forgets entries after `ttlMs` and holds at most `maxEntries`, dropping the oldest.
 * Every entry has the same lifetime, so insertion order is expiry order and the sweep only
 * looks at the front.
 */
class BoundedExpiringMap<T> {
  private readonly entries = new Map<string, Expiring<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly nowMs: () => number,
  ) {}

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresAt > this.nowMs() ? hit.value : undefined;
  }

  set(key: string, value: T): void {
    const now = this.nowMs();
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    for (const [oldest, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The ledger in this process: for one worker that does not restart. A restart forgets it and
 * replicas do not share it (run with REDIS_URL for the full guarantee). It remembers at most
 * `maxEntries` placed calls and as many attempts, dropping the oldest first: a request
 * redelivered after more than that many newer ones were placed would be called again.
 */
export class InMemoryLedger implements Ledger {
  private readonly placedKeys: BoundedExpiringMap<PlacedEntry>;
  private readonly attempted: BoundedExpiringMap<true>;
  private readonly claims = new Map<string, { owner: string; expiresAt: number }>();

  constructor(
    ttlMs: number,
    maxEntries: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.placedKeys = new BoundedExpiringMap(ttlMs, maxEntries, nowMs);
    this.attempted = new BoundedExpiringMap(ttlMs, maxEntries, nowMs);
  }

  /** Placed calls remembered now. */
  get size(): number {
    return this.placedKeys.size;
  }

  async begin(keys: readonly string[], owner: string, leaseMs: number): Promise<BeginResult[]> {
    return keys.map((key): BeginResult => {
      const entry = this.placedKeys.get(key);
      if (entry) return { kind: "placed", entry };
      if (!this.take(key, owner, leaseMs)) return { kind: "held_elsewhere" };
      return { kind: "claimed", attempted: this.attempted.get(key) === true };
    });
  }

  async confirm(items: readonly ConfirmItem[], owner: string, leaseMs: number): Promise<boolean[]> {
    return items.map(({ key, markAttempted }) => {
      const free = !this.holderOf(key);
      if ((free && this.placedKeys.get(key)) || !this.take(key, owner, leaseMs)) return false;
      if (markAttempted) this.attempted.set(key, true);
      return true;
    });
  }

  async renew(keys: readonly string[], owner: string, leaseMs: number): Promise<Renewal[]> {
    return keys.map((key) => {
      const holder = this.holderOf(key);
      if (holder === undefined) return "gone";
      if (holder !== owner) return "taken";
      this.take(key, owner, leaseMs);
      return "renewed";
    });
  }

  async finish(items: readonly FinishItem[], owner: string): Promise<void> {
    for (const { key, outcome } of items) {
      if (outcome.kind === "placed") this.placedKeys.set(key, outcome.entry);
      if (outcome.kind === "placed" || outcome.proven) this.attempted.delete(key);
      this.drop(key, owner);
    }
  }

  async release(keys: readonly string[], owner: string): Promise<void> {
    for (const key of keys) this.drop(key, owner);
  }

  async close(): Promise<void> {}

  private drop(key: string, owner: string): void {
    if (this.claims.get(key)?.owner === owner) this.claims.delete(key);
  }

  /** Who holds the claim now, if anyone. */
  private holderOf(key: string): string | undefined {
    const current = this.claims.get(key);
    return current && current.expiresAt > this.nowMs() ? current.owner : undefined;
  }

  /** Takes or renews the claim unless another owner holds it. */
  private take(key: string, owner: string, leaseMs: number): boolean {
    const holder = this.holderOf(key);
    if (holder !== undefined && holder !== owner) return false;
    this.claims.set(key, { owner, expiresAt: this.nowMs() + leaseMs });
    return true;
  }
}
