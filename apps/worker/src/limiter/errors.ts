/** A task was given up before it started: its signal aborted, or the limiter was closed. The task never ran. */
export class LimiterAbortedError extends Error {
  readonly kind = "limiter_aborted";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LimiterAbortedError";
  }
}
