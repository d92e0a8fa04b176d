/**
 * One abort listener per signal for any number of waiters on it. Every call of a worker waits
 * on the same shutdown signal, and an EventTarget looks through all its listeners on each add,
 * so one listener each would cost a pass over all of them per call.
 */
export class AbortFanout<T extends { onAbort(): void }> {
  private readonly bySignal = new Map<AbortSignal, { readonly waiters: Set<T>; readonly listener: () => void }>();

  add(signal: AbortSignal, waiter: T): void {
    let entry = this.bySignal.get(signal);
    if (!entry) {
      const waiters = new Set<T>();
      const listener = () => {
        for (const each of [...waiters]) each.onAbort();
      };
      entry = { waiters, listener };
      this.bySignal.set(signal, entry);
      signal.addEventListener("abort", listener, { once: true });
    }
    entry.waiters.add(waiter);
  }

  remove(signal: AbortSignal | undefined, waiter: T): void {
    if (!signal) return;
    const entry = this.bySignal.get(signal);
    if (!entry?.waiters.delete(waiter) || entry.waiters.size > 0) return;
    this.bySignal.delete(signal);
    signal.removeEventListener("abort", entry.listener);
  }
}
