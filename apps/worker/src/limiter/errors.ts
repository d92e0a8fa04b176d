/** A task was given up before it started: its signal aborted, or the limiter was closed. The task never ran. */
export class LimiterAbortedError extends Error {
  readonly kind = "limiter_aborted";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LimiterAbortedError";
  }
}

/**
 * Redis lost the limiter's state (restart without persistence, failover, FLUSHALL, eviction), or forgot this
 * client. Bottleneck 2.19.5 recovers only when the message is exactly "SETTINGS_KEY_NOT_FOUND"/"UNKNOWN_CLIENT";
 * Redis 7 prefixes "ERR ", so we match anywhere in the message.
 */
export function isKeysLostError(error: unknown): boolean {
  return error instanceof Error && /SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT/.test(error.message);
}
