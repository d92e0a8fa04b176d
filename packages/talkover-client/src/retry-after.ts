/**
 * `Retry-After` as a delay in ms: either delay-seconds ("120") or an HTTP date
 * ("Fri, 27 Nov 2026 14:54:49 GMT"), RFC 9110 §10.2.3. A date in the past means "now" (0);
 * anything unparseable is `undefined` so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - nowMs);
}
