import type { Logger } from "@callbridge/observability";
import type { Admin } from "./admin.js";

/** What the last probe found. `reason` says why the brokers count as unreachable. */
export type BrokerReachability = { readonly reachable: true } | { readonly reachable: false; readonly reason: string };

export interface BrokerProbeOptions {
  /** Time between probes, ms. */
  readonly intervalMs?: number;
  /** A probe that has not answered after this long counts as a failure, ms. */
  readonly timeoutMs?: number;
  /** Called when reachability changes (readiness gauges, logs). */
  readonly onChange?: (state: BrokerReachability) => void;
  readonly logger?: Logger;
}

/**
 * Asks the cluster for its metadata every `intervalMs` with an admin of its own that does not
 * retry, so `/readyz` says "not ready" within about `intervalMs + timeoutMs` of the brokers
 * going away and "ready" again by itself once one answers. A producer's or consumer's own
 * connection state is not enough: kafkajs reconnects lazily and says nothing while idle, so an
 * idle ingest would stay "ready" against a dead broker. At most one probe is in flight.
 */
export class BrokerProbe {
  private current: BrokerReachability = { reachable: true };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private connected = false;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly admin: Admin,
    private readonly options: BrokerProbeOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
  }

  get state(): BrokerReachability {
    return this.current;
  }

  /** Starts probing; the state stays "reachable" until a probe fails (call after a first successful connection). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  /** One probe now; resolves with the state it left. */
  async probe(): Promise<BrokerReachability> {
    if (!this.inFlight) {
      this.inFlight = this.ask().finally(() => {
        this.inFlight = undefined;
      });
    }
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timeout = setTimeout(() => {
        this.set({ reachable: false, reason: `no broker answered a metadata request within ${this.timeoutMs} ms` });
        resolve();
      }, this.timeoutMs);
    });
    await Promise.race([this.inFlight, late]);
    clearTimeout(timeout);
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.inFlight?.catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }

  private async ask(): Promise<void> {
    try {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const brokers = await this.admin.brokerCount();
      if (this.stopped) return;
      this.set(brokers > 0 ? { reachable: true } : { reachable: false, reason: "the cluster's metadata lists no broker" });
    } catch (error) {
      if (this.stopped) return;
      this.set({ reachable: false, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private set(next: BrokerReachability): void {
    const changed = next.reachable !== this.current.reachable;
    this.current = next;
    if (!changed) return;
    if (next.reachable) this.options.logger?.info("Kafka reachable again");
    else this.options.logger?.warn({ reason: next.reason }, "Kafka unreachable: not ready until a broker answers");
    this.options.onChange?.(next);
  }
}
