import type { RecoveryReason } from "./types.js";

/** Coalesces the burst of errors one Redis failure produces (heartbeats of every limiter, failing scripts). */
const DEBOUNCE_MS = 50;
/** Errors of a generation that is being replaced must not cause a rebuild loop. */
const MIN_SPACING_MS = 1_000;

/** Runs at most one rebuild at a time, debounced, and at most one per second. */
export class RecoveryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private reason: RecoveryReason | undefined;
  private running = false;
  private lastRebuildAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly rebuild: (reason: RecoveryReason) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** True while a rebuild is scheduled or running; it will resubmit every waiting task. */
  get pending(): boolean {
    return this.timer !== undefined || this.running;
  }

  request(reason: RecoveryReason): void {
    if (this.stopped || this.running) return;
    // Lost keys explain a stall too; report the more specific reason.
    if (this.reason !== "keys_lost") this.reason = reason;
    if (this.timer) return;
    const delay = Math.max(DEBOUNCE_MS, this.lastRebuildAt + MIN_SPACING_MS - Date.now());
    this.timer = setTimeout(() => {
      const why = this.reason ?? reason;
      this.timer = undefined;
      this.reason = undefined;
      this.running = true;
      this.rebuild(why)
        .catch(this.onError)
        .finally(() => {
          this.running = false;
          this.lastRebuildAt = Date.now();
        });
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
