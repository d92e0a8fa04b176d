import type { Logger } from "@callbridge/observability";

/**
 * Opens on a 401: the token is wrong for every request, so dead-lettering would only bury the
 * whole stream. While open, attempts wait and consumption is paused; a probe runs every
 * interval and closes the circuit once the API accepts the token again.
 */
export class AuthCircuit {
  private openSince: number | undefined;
  private waiters: (() => void)[] = [];
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly probe: () => Promise<boolean>,
    private readonly probeIntervalMs: number,
    private readonly logger: Logger,
    private readonly onChange: (open: boolean) => void,
  ) {}

  get isOpen(): boolean {
    return this.openSince !== undefined;
  }

  open(): void {
    if (this.openSince !== undefined) return;
    this.openSince = Date.now();
    this.logger.error(
      { probeIntervalMs: this.probeIntervalMs },
      "Talkover refused the API token (401): pausing all calls until it is accepted again",
    );
    this.onChange(true);
    this.scheduleProbe();
  }

  /** Resolves when the circuit is closed (at once if it is), or when `signal` aborts. */
  waitClosed(signal: AbortSignal): Promise<void> {
    if (this.openSince === undefined || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  close(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    if (this.openSince === undefined) return;
    this.logger.warn({ openForMs: Date.now() - this.openSince }, "Talkover accepts the API token again: resuming calls");
    this.openSince = undefined;
    this.onChange(false);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Stops probing without closing (shutdown). */
  stop(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private scheduleProbe(): void {
    this.probeTimer = setTimeout(() => {
      this.probe().then(
        (accepted) => (accepted ? this.close() : this.scheduleProbe()),
        () => this.scheduleProbe(),
      );
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }
}
