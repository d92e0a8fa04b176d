// Signed Standard Webhooks at a fixed rate, as a CRM sends them: `type: call.requested` (the
// example routes' `standard-call-requested` route), a unique message id, lead id and number each.
import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";

export interface Sent {
  readonly sent: number;
  /** Answered 2xx in the end: each is one call request on the requests topic. */
  readonly accepted: number;
  /** Tries that were not answered 2xx (each retried with the same message id), by status or error name. */
  readonly refused: Record<string, number>;
  /** How far the sending fell behind the schedule at worst, ms (the bench process's own lag). */
  readonly worstLagMs: number;
  /** How long the 2xx answers took: median, 99th percentile and longest, ms. */
  readonly answerMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

const TICK_MS = 10;
/** Like a CRM, a webhook answered other than 2xx is sent again (same message id: the ingest writes it once). */
const RETRY_AFTER_MS = 500;
const GIVE_UP_AFTER_MS = 60_000;
/**
 * Longer than a CRM waits (HubSpot: 5 s): on a busy shared machine an answer can take seconds,
 * and a try abandoned early is sent again, which the ingest pays for twice.
 */
const ANSWER_TIMEOUT_MS = 60_000;

/** `perSecond` webhooks a second for `seconds` to the ingest at `baseUrl`; resolves once all are answered. */
export async function sendAtRate(baseUrl: string, perSecond: number, seconds: number, prefix: string): Promise<Sent> {
  const total = Math.round(perSecond * seconds);
  const refused: Record<string, number> = {};
  const answers: Promise<void>[] = [];
  const answerMs: number[] = [];
  let accepted = 0;
  let worstLagMs = 0;
  const started = performance.now();
  for (let n = 0; n < total; ) {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond) + 1;
    worstLagMs = Math.max(worstLagMs, ((due - 1 - n) / perSecond) * 1000);
    for (; n < Math.min(due, total); n++) {
      answers.push(
        deliver(baseUrl, prefix, n, (outcome) => {
          refused[outcome] = (refused[outcome] ?? 0) + 1;
        }).then((tookMs) => {
          if (tookMs === undefined) return;
          accepted += 1;
          answerMs.push(tookMs);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(answers);
  answerMs.sort((a, b) => a - b);
  const at = (q: number) => Math.round(answerMs[Math.min(answerMs.length - 1, Math.floor(q * answerMs.length))] ?? Number.NaN);
  return { sent: total, accepted, refused, worstLagMs: Math.round(worstLagMs), answerMs: { p50: at(0.5), p99: at(0.99), max: at(1) } };
}

/** Sends webhook `n` until it is answered 2xx (how long that try took, ms) or the sender gives up (undefined). */
async function deliver(baseUrl: string, prefix: string, n: number, onRefused: (outcome: string) => void): Promise<number | undefined> {
  const lead = `${prefix}-${n}`;
  // +1 415 55x xxxx: a real area code (the recipient guard finds its zone), one number per webhook.
  const phone = `+1415${5_500_000 + n}`;
  const signed = standardWebhook({
    sourceId: "standard",
    secret: DEV_SECRETS.standardWebhooksSecret,
    id: `msg_${lead}`,
    payload: { type: "call.requested", data: { id: lead, name: "Capacity Bench", phone } },
  });
  const giveUpAt = Date.now() + GIVE_UP_AFTER_MS;
  for (;;) {
    const startedAt = performance.now();
    const outcome = await sendWebhook(baseUrl, signed, { signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status < 300 ? "ok" : String(response.status);
      },
      (error: unknown) => (error instanceof Error ? error.name : "error"),
    );
    if (outcome === "ok") return performance.now() - startedAt;
    onRefused(outcome);
    if (Date.now() > giveUpAt) return undefined;
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
  }
}
