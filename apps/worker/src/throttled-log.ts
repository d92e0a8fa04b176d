import type { Logger } from "@callbridge/observability";

/**
 * Warnings that many requests meet at once (every call during an outage, every dead letter of
 * a paused campaign): each message is written at most once per `intervalMs`, with how many
 * more there were since it was last written. Messages are fixed strings, so the memory is too.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(message: string, fields: object = {}): void {
    const now = this.now();
    const entry = this.last.get(message);
    if (entry && now - entry.at < this.intervalMs) {
      entry.held += 1;
      return;
    }
    this.last.set(message, { at: now, held: 0 });
    this.logger.warn(entry?.held ? { ...fields, moreSinceLast: entry.held } : fields, message);
  }
}
