/** Most letters in one produce request when there is no rate cap. */
const MAX_BATCH_LETTERS = 500;

/**
 * Letters per produce request: about a tenth of a second's worth at the rate (so writes are
 * batched, yet the rate holds within any second to one small batch), all 500 with no cap.
 */
export function batchSizeFor(rate: number): number {
  if (rate <= 0) return MAX_BATCH_LETTERS;
  return Math.max(1, Math.min(MAX_BATCH_LETTERS, Math.floor(rate / 10)));
}

/** When the batch starting with letter number `sent` (from 0) may go: `sent / rate` seconds after the start. */
export function dueAtMs(startedMs: number, sent: number, rate: number): number {
  return rate > 0 ? startedMs + (sent * 1000) / rate : startedMs;
}

/**
 * `[#########---------] 45/100  12.0/s  ETA 5s`. The ETA is the letters still to go over the
 * rate achieved so far, or over `--rate` when that is lower (the first batch goes at once, so
 * early on the achieved rate runs ahead of the cap). `total` is known because a run with a
 * progress bar counts the letters to replay before it sends any.
 */
export function progressLine(done: number, total: number, elapsedMs: number, capRate = 0): string {
  const width = 30;
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const pace = capRate > 0 && (rate === 0 || capRate < rate) ? capRate : rate;
  const eta = pace > 0 ? Math.ceil(Math.max(0, total - done) / pace) : 0;
  return `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}  ${rate.toFixed(1)}/s  ETA ${eta}s`;
}

/** Waits `ms`, or less if `signal` aborts first (a paced replay must answer Ctrl-C at once). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
