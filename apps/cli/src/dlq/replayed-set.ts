/** A dead-letter partition's offsets at the start of a replay: [low, high). */
export interface OffsetRange {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

/**
 * Which letters of the dead-letter topic were replayed already, as one bit per letter retained
 * now (25 KB for 200,000 letters) rather than a set of key strings that grows with the replays
 * topic. The replays topic is keyed `<dlq topic>:<partition>:<offset>`; the latest record per
 * key wins, as compaction keeps it, so a tombstone (null value) forgets a replay.
 */
export class ReplayedSet {
  private readonly bits = new Map<number, { low: bigint; size: bigint; bits: Uint8Array }>();

  constructor(
    private readonly dlqTopic: string,
    ranges: readonly OffsetRange[],
  ) {
    for (const { partition, low, high } of ranges) {
      const size = BigInt(high) - BigInt(low);
      if (size > 0n) this.bits.set(partition, { low: BigInt(low), size, bits: new Uint8Array(Number((size + 7n) / 8n)) });
    }
  }

  /** Applies one record of the replays topic; keys of other topics and letters gone since are ignored. */
  apply(key: string, replayed: boolean): void {
    const prefix = `${this.dlqTopic}:`;
    if (!key.startsWith(prefix)) return;
    const match = /^(\d+):(\d+)$/.exec(key.slice(prefix.length));
    if (!match) return;
    this.set(Number(match[1]), match[2] ?? "", replayed);
  }

  set(partition: number, offset: string, replayed: boolean): void {
    const slot = this.slot(partition, offset);
    if (!slot) return;
    if (replayed) slot.bits[slot.byte] = (slot.bits[slot.byte] ?? 0) | slot.mask;
    else slot.bits[slot.byte] = (slot.bits[slot.byte] ?? 0) & ~slot.mask;
  }

  has(partition: number, offset: string): boolean {
    const slot = this.slot(partition, offset);
    return slot !== undefined && ((slot.bits[slot.byte] ?? 0) & slot.mask) !== 0;
  }

  private slot(partition: number, offset: string): { bits: Uint8Array; byte: number; mask: number } | undefined {
    const range = this.bits.get(partition);
    if (!range) return undefined;
    const index = BigInt(offset) - range.low;
    if (index < 0n || index >= range.size) return undefined;
    return { bits: range.bits, byte: Number(index / 8n), mask: 1 << Number(index % 8n) };
  }
}
