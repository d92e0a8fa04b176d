/** Exponential backoff with full jitter (AWS architecture blog): random in [0, min(max, base * 2^(n-1))]. */
export function fullJitterBackoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retrying: the backoff, or the API's `Retry-After` when that is
 * longer, never more than `capMs` (an uncapped `Retry-After: 86400` would park a worker for a day).
 */
export function retryDelayMs(backoffMs: number, retryAfterMs: number | undefined, capMs: number): number {
  return Math.min(capMs, Math.max(backoffMs, retryAfterMs ?? 0));
}
