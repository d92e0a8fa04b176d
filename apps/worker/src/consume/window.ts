/**
 * The in-flight window split fairly between partitions: each assigned partition may hold an
 * equal share of `MAX_IN_FLIGHT` records, so a backlog on one partition never starves the
 * others (the records at the front of every partition, a crashed worker's among them, are
 * taken first), and the whole never exceeds the window.
 */
export interface WindowState {
  readonly maxInFlight: number;
  /** Records in flight over all partitions. */
  readonly total: number;
  readonly assignedPartitions: number;
  /** Draining or the 401 circuit: take nothing. */
  readonly blocked: boolean;
}

/** Each partition's part of the window (at least one record). */
export function partitionShare(window: WindowState): number {
  return Math.max(1, Math.floor(window.maxInFlight / Math.max(1, window.assignedPartitions)));
}

/** How many more records a partition with `inFlight` of them may take now. */
export function room(window: WindowState, inFlight: number): number {
  if (window.blocked) return 0;
  return Math.max(0, Math.min(partitionShare(window) - inFlight, window.maxInFlight - window.total));
}

/**
 * Whether the partition should not be fetched from: full (its share, or the whole window), or
 * blocked; once paused it stays so until half its share is free, so fetches are not wasted on
 * a record or two.
 */
export function shouldPause(window: WindowState, inFlight: number, paused: boolean): boolean {
  if (room(window, inFlight) === 0) return true;
  return paused && inFlight > partitionShare(window) / 2;
}
