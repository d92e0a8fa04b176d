/** What the ledger keeps about a placed call. */
export interface PlacedEntry {
  readonly callId: string;
  readonly placedAt: string;
}

/**
 * A consumed record's place in its partition. A record whose outputs (result, dead letter,
 * deferral) were written is `settled`: until its offset is committed, a redelivery of it (a
 * rebalance moved its partition, or its worker died before the commit) is recognised and
 * written again by nobody.
 */
export interface RecordRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** `begin`'s question for one request: its key, and the record it came in (when it came from Kafka). */
export interface BeginItem {
  readonly key: string;
  readonly record?: RecordRef | undefined;
}

/** What `begin` found for a key. */
export type BeginResult =
  /** This very record was finished and its outputs written (by a replica that had it before a rebalance): nothing to do. */
  | { readonly kind: "settled" }
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

/** A request whose outputs are written: its record is marked settled and its claim let go. */
export interface SettleItem {
  readonly key: string;
  readonly record: RecordRef;
}

/** Per partition: settled marks below `below` are no longer needed (that offset is committed). */
export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly below: string;
}

/** One claim's renewal: still ours; gone (finished meanwhile, or lapsed and free); or taken by another owner. */
export type Renewal = "renewed" | "gone" | "taken";

/**
 * The idempotency ledger. Kafka delivers at least once, so every request is looked up here
 * before a call and recorded after the 201; a redelivery after a crash or a rebalance is not
 * called again. It also remembers that an attempt was made (a crash mid-call leaves an
 * ambiguous attempt: a later 409 for it means "placed"), and hands out claims: leases on a key
 * that keep two replicas off one request during a rebalance, renewed while the holder lives and
 * lapsing by themselves when it dies. A claim is held until the request's outputs are written,
 * and the record is then marked settled until its offset is committed: the replica a
 * rebalance hands the record to writes nothing again, so each request gets one final event.
 *
 * Every method takes many requests at once and is atomic per request (one round trip in
 * Redis for all of them); the answers come in the order of the requests.
 */
export interface Ledger {
  /**
   * Per request, in this order: its record settled? Another owner holds the key (it may be
   * writing this request's outputs now)? Placed before? Else take (or renew) the claim for
   * `owner` for `leaseMs`.
   */
  begin(items: readonly BeginItem[], owner: string, leaseMs: number): Promise<BeginResult[]>;
  /**
   * Right before a call: renews each claim (or takes it again if it lapsed, or Redis lost it,
   * while nobody else took it and nothing was placed) and, where asked, records the attempt.
   * False where another owner holds it or the request was placed meanwhile.
   */
  confirm(items: readonly ConfirmItem[], owner: string, leaseMs: number): Promise<boolean[]>;
  /** Renews the claims `owner` still holds among `keys`; answers, in order, what became of each. */
  renew(keys: readonly string[], owner: string, leaseMs: number): Promise<Renewal[]>;
  /**
   * Records how each request ended; the claim stays, until `settle` (outputs written) or
   * `release`. Per request false when another owner holds the claim now (this one's lapsed
   * while its call was at the API): that owner reports the request, this one writes nothing.
   */
  finish(items: readonly FinishItem[], owner: string): Promise<boolean[]>;
  /** Marks each record settled (its outputs are written) and drops the claim. */
  settle(items: readonly SettleItem[], owner: string): Promise<void>;
  /** Forgets the settled marks below each committed offset: those records are not redelivered. */
  forgetSettled(committed: readonly CommittedOffset[]): Promise<void>;
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
  /** `topic:partition` -> offsets settled and not yet committed. */
  private readonly settled = new Map<string, Set<bigint>>();

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

  async begin(items: readonly BeginItem[], owner: string, leaseMs: number): Promise<BeginResult[]> {
    return items.map(({ key, record }): BeginResult => {
      if (record && this.settled.get(`${record.topic}:${record.partition}`)?.has(BigInt(record.offset))) return { kind: "settled" };
      const holder = this.holderOf(key);
      if (holder !== undefined && holder !== owner) return { kind: "held_elsewhere" };
      const entry = this.placedKeys.get(key);
      if (entry) return { kind: "placed", entry };
      this.take(key, owner, leaseMs);
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

  async finish(items: readonly FinishItem[], owner: string): Promise<boolean[]> {
    return items.map(({ key, outcome }) => {
      if (outcome.kind === "placed") this.placedKeys.set(key, outcome.entry);
      if (outcome.kind === "placed" || outcome.proven) this.attempted.delete(key);
      const holder = this.holderOf(key);
      return holder === undefined || holder === owner;
    });
  }

  async settle(items: readonly SettleItem[], owner: string): Promise<void> {
    for (const { key, record } of items) {
      const partition = `${record.topic}:${record.partition}`;
      const offsets = this.settled.get(partition) ?? new Set<bigint>();
      this.settled.set(partition, offsets.add(BigInt(record.offset)));
      this.drop(key, owner);
    }
  }

  async forgetSettled(committed: readonly CommittedOffset[]): Promise<void> {
    for (const { topic, partition, below } of committed) {
      const offsets = this.settled.get(`${topic}:${partition}`);
      if (!offsets) continue;
      const bound = BigInt(below);
      for (const offset of offsets) if (offset < bound) offsets.delete(offset);
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
