/**
 * The deferral tier partitions this worker holds paused until their head record is due: one
 * timer per partition, and what the metrics say about waiting requests (the next due time; how
 * overdue the most overdue head is, e.g. while the window is full).
 */
export class DeferralHolds {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Wake time (ms since the epoch) of each held partition's head record, until it is taken. */
  private readonly heads = new Map<string, number>();

  constructor(
    /** Called when a partition's head is due: the partition may be fetched from again. */
    private readonly onDue: (topicPartition: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Holds the partition until `wakeAtMs`, its head's wake time. */
  hold(topicPartition: string, wakeAtMs: number): void {
    clearTimeout(this.timers.get(topicPartition));
    this.heads.set(topicPartition, wakeAtMs);
    const timer = setTimeout(
      () => {
        this.timers.delete(topicPartition);
        this.onDue(topicPartition);
      },
      Math.max(0, wakeAtMs - this.now()),
    );
    timer.unref();
    this.timers.set(topicPartition, timer);
  }

  isHeld(topicPartition: string): boolean {
    return this.timers.has(topicPartition);
  }

  /** A record of the partition was taken: its head is no longer waiting. */
  taken(topicPartition: string): void {
    this.heads.delete(topicPartition);
  }

  /** Forgets every hold (a new assignment: each partition's head is read again). */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.heads.clear();
  }

  /** The earliest head's wake time, ms since the epoch; undefined when none waits. */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const wake of this.heads.values()) if (next === undefined || wake < next) next = wake;
    return next;
  }

  /** How long past due the most overdue head is, ms (0 when none is). */
  overdueMs(): number {
    const next = this.nextDueMs();
    return next === undefined ? 0 : Math.max(0, this.now() - next);
  }
}
