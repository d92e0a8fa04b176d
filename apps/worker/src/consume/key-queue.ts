/**
 * Runs work for different keys concurrently and for the same key one at a time, in arrival
 * order: two requests to one number in one campaign must not race.
 */
export class KeyQueue<T> {
  private readonly waiting = new Map<string, T[]>();

  constructor(private readonly run: (item: T) => Promise<void>) {}

  push(key: string, item: T): void {
    const queue = this.waiting.get(key);
    if (queue) {
      queue.push(item);
      return;
    }
    this.waiting.set(key, []);
    void this.drain(key, item);
  }

  /** Keys with work running or waiting. */
  get activeKeys(): number {
    return this.waiting.size;
  }

  private async drain(key: string, first: T): Promise<void> {
    let item: T | undefined = first;
    while (item !== undefined) {
      try {
        await this.run(item);
      } catch {
        // `run` reports its own failures; the key's next item must still run.
      }
      item = this.waiting.get(key)?.shift();
    }
    this.waiting.delete(key);
  }
}
