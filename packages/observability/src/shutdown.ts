import type { Logger } from "pino";

export type ShutdownStep = () => Promise<void> | void;

/**
 * Runs named shutdown steps in order, each bounded by what is left of one overall deadline,
 * continuing past failures (BullMQ's close). `run` is safe to call twice: the second call
 * gets the first call's promise.
 */
export class ShutdownManager {
  private readonly steps: { name: string; step: ShutdownStep }[] = [];
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  add(name: string, step: ShutdownStep): this {
    this.steps.push({ name, step });
    return this;
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Resolves true when every step finished in time and without error. */
  run(reason: string): Promise<boolean> {
    this.running ??= this.runSteps(reason);
    return this.running;
  }

  private async runSteps(reason: string): Promise<boolean> {
    const deadline = Date.now() + this.deadlineMs;
    this.logger.info({ reason, deadlineMs: this.deadlineMs }, "shutting down");
    let clean = true;
    for (const { name, step } of this.steps) {
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(0, left));
      });
      try {
        const outcome = await Promise.race([Promise.resolve().then(step), timedOut]);
        if (outcome === "timeout") {
          clean = false;
          this.logger.warn({ step: name }, "shutdown step ran past the deadline; moving on");
        }
      } catch (error) {
        clean = false;
        this.logger.error({ step: name, err: error }, "shutdown step failed; moving on");
      } finally {
        clearTimeout(timer);
      }
    }
    this.logger.info({ clean }, "shut down");
    return clean;
  }
}
