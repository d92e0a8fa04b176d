import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";

/** One webhook the ingest answered 2xx: its lead id, when, and after how many tries. */
export interface AcceptedWebhook {
  readonly lead: string;
  readonly phone: string;
  readonly acceptedAtMs: number;
  readonly tries: number;
}

/** How long a sender keeps retrying one webhook before it gives up (CRMs retry for hours; the test has minutes). */
const GIVE_UP_AFTER_MS = 60_000;
const RETRY_AFTER_MS = 250;
const TICK_MS = 100;

/**
 * A steady stream of signed Standard Webhooks (`type: call.requested`, a unique lead id and
 * phone number each) spread over the ingests `targets()` names at the time of each try. Like a
 * CRM, it retries a webhook that was not answered 2xx (refused, 503, cut off) with the same
 * message id, on the next ingest, until one accepts it.
 */
export class WebhookLoad {
  readonly accepted = new Map<string, AcceptedWebhook>();
  /** Tries that were not answered 2xx, by what happened (status or error name). */
  readonly refusals = new Map<string, number>();
  readonly gaveUp: string[] = [];
  private readonly sends = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;

  constructor(
    private readonly targets: () => readonly string[],
    private readonly perSecond: number,
    /** Numbers are `+1 415 55x xxxx` from this offset: unique per webhook, up to 100,000. */
    private readonly prefix = `churn-${Date.now()}`,
  ) {}

  start(): void {
    const perTick = this.perSecond / (1000 / TICK_MS);
    let owed = 0;
    this.timer = setInterval(() => {
      owed += perTick;
      for (; owed >= 1; owed -= 1) this.track(this.deliver(this.sent++));
    }, TICK_MS);
  }

  /** Stops sending new webhooks and waits for the retries of those already sent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.sends.size > 0) await Promise.all([...this.sends]);
  }

  get count(): number {
    return this.sent;
  }

  private track(send: Promise<void>): void {
    this.sends.add(send);
    void send.finally(() => this.sends.delete(send));
  }

  private async deliver(n: number): Promise<void> {
    const lead = `${this.prefix}-${n}`;
    const phone = `+1415${String(5_500_000 + n).padStart(7, "0")}`;
    const signed = standardWebhook({
      sourceId: "standard",
      secret: DEV_SECRETS.standardWebhooksSecret,
      id: `msg_${lead}`,
      payload: { type: "call.requested", data: { id: lead, phone } },
    });
    const firstTry = Date.now();
    for (let tries = 1; ; tries++) {
      const targets = this.targets();
      const url = targets[(n + tries) % targets.length];
      const outcome = url
        ? await sendWebhook(url, signed, { signal: AbortSignal.timeout(10_000) }).then(
            (res) => (res.status < 300 ? "ok" : String(res.status)),
            (error: unknown) => (error instanceof Error ? (error.cause instanceof Error ? error.cause.name : error.name) : "error"),
          )
        : "no ingest";
      if (outcome === "ok") {
        this.accepted.set(lead, { lead, phone, acceptedAtMs: Date.now(), tries });
        return;
      }
      this.refusals.set(outcome, (this.refusals.get(outcome) ?? 0) + 1);
      if (Date.now() - firstTry > GIVE_UP_AFTER_MS) {
        this.gaveUp.push(lead);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    }
  }
}
