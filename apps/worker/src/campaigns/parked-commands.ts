import type { Logger } from "@callbridge/observability";
import { PARKED_COMMANDS_KEY, ParkedCommand } from "@callbridge/schemas";
import type { Redis } from "ioredis";

/**
 * Operators' commands about parked requests (`callbridge parked redrive|drop`), read from the
 * Redis every replica shares (PARKED_COMMANDS_KEY) about once a second. Without Redis there is
 * nowhere for the CLI to leave them, and there are none.
 */
export class ParkedCommands {
  private commands = new Map<string, ParkedCommand>();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    private readonly redis: Redis | undefined,
    /** Called with the campaigns whose command is new or changed. */
    private readonly onChange: (campaigns: readonly string[]) => void,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    if (!this.redis || this.timer) return;
    const tick = async () => {
      await this.refresh();
      if (this.timer) this.timer = setTimeout(() => void tick(), this.intervalMs).unref();
    };
    this.timer = setTimeout(() => void tick(), 0).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Requests of the campaign parked before this moment are dropped, ms since the epoch. */
  droppedBefore(campaignId: string): number | undefined {
    return this.commands.get(campaignId)?.drop_before_ms;
  }

  /**
   * Whether a parked request of the campaign, written to its tier at `writtenAtMs`, is to be
   * read now rather than at its wake time: an operator asked for a redrive or a drop since.
   */
  wakesEarly(campaignId: string, writtenAtMs: number): boolean {
    const command = this.commands.get(campaignId);
    if (!command) return false;
    return Math.max(command.redrive_at_ms ?? 0, command.drop_before_ms ?? 0) >= writtenAtMs;
  }

  /** Reads the commands once (what the timer does); exposed for tests. */
  async refresh(): Promise<void> {
    if (!this.redis) return;
    try {
      const fields = await this.redis.hgetall(PARKED_COMMANDS_KEY);
      const next = new Map<string, ParkedCommand>();
      const changed: string[] = [];
      for (const [campaign, text] of Object.entries(fields)) {
        const parsed = parseCommand(text);
        if (!parsed) continue;
        next.set(campaign, parsed);
        const before = this.commands.get(campaign);
        if (before?.redrive_at_ms !== parsed.redrive_at_ms || before?.drop_before_ms !== parsed.drop_before_ms) changed.push(campaign);
      }
      this.commands = next;
      this.failing = false;
      if (changed.length > 0) {
        this.logger.info({ campaigns: changed }, "operator commands about parked requests; waking them");
        this.onChange(changed);
      }
    } catch (error) {
      if (!this.failing) this.logger.warn({ err: error }, "could not read operator commands about parked requests; trying again");
      this.failing = true;
    }
  }
}

function parseCommand(text: string): ParkedCommand | undefined {
  try {
    const parsed = ParkedCommand.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
