import type { Faults } from "../faults.js";

/** `Retry-After` in the configured form: whole seconds (at least 1), or the HTTP date of that moment. */
export function retryAfterHeader(delayMs: number, nowMs: number, format: Faults["retry_after_format"]): string {
  const seconds = Math.max(1, Math.ceil(delayMs / 1000));
  return format === "seconds" ? String(seconds) : new Date(nowMs + seconds * 1000).toUTCString();
}
