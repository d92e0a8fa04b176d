import { randomBytes } from "node:crypto";
import type { ThrottleState } from "./rate-control.js";
import type { BucketStore } from "./types.js";

/**
 * The concurrency slots this process holds in Redis, as leases: every third of the lease one
 * renewal extends all of them (and reads the shared 429 state back), so a slot never lapses
 * while its call runs here and lapses by itself when this process dies. Slots freed in one
 * turn of the event loop go back together, or along with the next acquire (`takeFreed`).
 */
export class SlotLeases {
  /** Prefixes this process's slot ids: short, since every call sends one twice. */
  private readonly tag: string;
  private readonly held = new Set<string>();
  private freed: string[] = [];
  private seq = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: BucketStore,
    leaseMs: number,
    private readonly onShared: (state: ThrottleState | undefined) => void,
    tag?: string,
  ) {
    this.tag = tag ?? randomBytes(6).toString("base64url");
    this.timer = setInterval(() => void this.renew(), leaseMs / 3);
    this.timer.unref();
  }

  /** `count` new slot ids to ask for. */
  newIds(count: number): string[] {
    return Array.from({ length: count }, () => `${this.tag}:${(++this.seq).toString(36)}`);
  }

  hold(id: string): void {
    this.held.add(id);
  }

  /** A call ended (or never started): its slot goes back. */
  free(id: string): void {
    this.held.delete(id);
    this.freed.push(id);
    if (this.freed.length === 1) setImmediate(() => this.flush());
  }

  /** The slots freed since the last send, for an acquire to free first in the same step. */
  takeFreed(): string[] {
    return this.freed.splice(0);
  }

  async renew(): Promise<void> {
    this.onShared(await this.store.renew([...this.held]).catch(() => undefined));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.store.release(this.takeFreed()).catch(() => undefined);
  }

  private flush(): void {
    const ids = this.takeFreed();
    if (ids.length > 0) this.store.release(ids).catch(() => undefined);
  }
}
