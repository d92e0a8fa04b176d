/**
 * Offsets of one partition taken for processing, in order. Records finish in any order; the
 * partition can be committed only up to the lowest unfinished one, so a crash redelivers at
 * most what was in flight.
 */
export class OffsetTracker {
  /** Unfinished offsets, in the order they were added (ascending). */
  private readonly pending = new Set<bigint>();
  private highest: bigint | undefined;
  private lastCommitted: bigint | undefined;

  /** Adds an offset; false if it was seen before (a redelivery of a record still tracked). */
  add(offset: string): boolean {
    const value = BigInt(offset);
    if (this.highest !== undefined && value <= this.highest) return false;
    this.highest = value;
    this.pending.add(value);
    return true;
  }

  done(offset: string): void {
    this.pending.delete(BigInt(offset));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** The next offset to read for the group (as Kafka wants it committed), if it moved since the last commit. */
  committable(): string | undefined {
    if (this.highest === undefined) return undefined;
    const first = this.pending.values().next();
    const next = first.done ? this.highest + 1n : first.value;
    if (this.lastCommitted !== undefined && next <= this.lastCommitted) return undefined;
    return next.toString();
  }

  committed(offset: string): void {
    const value = BigInt(offset);
    if (this.lastCommitted === undefined || value > this.lastCommitted) this.lastCommitted = value;
  }
}
