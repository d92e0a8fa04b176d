/**
 * Collects the calls made during one turn of the event loop (or within `lingerMs`) and hands
 * them to `run` as one batch: the records of one fetch, or the calls one limiter grant starts,
 * meet Redis in one round trip instead of one each. Answers come back to each caller in order;
 * if the batch fails, every caller in it gets the error.
 */
export class TickBatcher<I, O> {
  private pending: { item: I; resolve: (output: O) => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly lingerMs = 0,
  ) {}

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length > 1) return;
      if (this.lingerMs > 0) setTimeout(() => this.flush(), this.lingerMs);
      else setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    let running: Promise<O[]>;
    try {
      running = this.run(batch.map(({ item }) => item));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (outputs) => {
        for (const [i, { resolve }] of batch.entries()) resolve(outputs[i] as O);
      },
      (error: unknown) => {
        for (const { reject } of batch) reject(error);
      },
    );
  }
}
