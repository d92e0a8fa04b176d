// Drives the bounded, mixed load at 10 webhooks/s and performs the schedule's steps.
import type { Producer } from "@callbridge/kafka";
import { sendWebhook } from "@callbridge/webhook-samples";
import { produceDirectBatch } from "./direct-records.js";
import { initialLoadState, type LoadPlan, type LoadStep, nextLoadSteps, STALL_SECONDS } from "./load-schedule.js";
import { type ProgressLog, sleep } from "./progress.js";
import { SIM_BASE_LATENCY } from "./stack.js";
import type { StartedResources } from "./started-resources.js";
import { PhoneNumbers, WebhookMix } from "./webhook-mix.js";

const WEBHOOK_INTERVAL_MS = 100;

/** Sends webhooks without waiting for the answers, and counts the answers per `label -> status`. */
class WebhookSender {
  readonly tally = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly ingestUrl: string,
    private readonly mix: WebhookMix,
  ) {}

  send(k: number): void {
    const { label, webhook } = this.mix.webhookFor(k);
    const sent: Promise<void> = sendWebhook(this.ingestUrl, webhook, { signal: AbortSignal.timeout(10_000) })
      .then(async (res) => {
        await res.arrayBuffer();
        this.count(label, res.status);
      })
      .catch((error: unknown) => this.count(label, `error ${error instanceof Error ? error.name : String(error)}`))
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private count(label: string, status: number | string): void {
    const key = `${label} -> ${status}`;
    this.tally.set(key, (this.tally.get(key) ?? 0) + 1);
  }
}

export interface LoadTarget {
  readonly ingestUrl: string;
  readonly simUrl: string;
  readonly producer: Producer;
  readonly requestsTopic: string;
  readonly runId: string;
  /** The broker's pid when the run may stall it. */
  readonly kafkaPid: number | undefined;
}

export interface LoadResult {
  readonly webhooks: number;
  readonly directBatches: number;
  /** Answers per `label -> status`. */
  readonly tally: ReadonlyMap<string, number>;
}

async function simulatorFaultsOn(simUrl: string): Promise<void> {
  const res = await fetch(`${simUrl}/_sim/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...SIM_BASE_LATENCY, throttle_rate: 0.2, error_rate: 0.1, retry_after_seconds: 1 }),
  });
  if (!res.ok) throw new Error(`PUT /_sim/faults answered ${res.status}: ${await res.text()}`);
}

export async function driveLoad(target: LoadTarget, plan: LoadPlan, resources: StartedResources, log: ProgressLog): Promise<LoadResult> {
  const phones = new PhoneNumbers();
  const sender = new WebhookSender(target.ingestUrl, new WebhookMix(target.ingestUrl, target.runId, phones));
  const direct: Promise<void>[] = [];
  const perform = async (step: LoadStep, k: number): Promise<void> => {
    switch (step) {
      case "faults-on":
        await simulatorFaultsOn(target.simUrl);
        return log("simulator faults on");
      case "stall-kafka":
        if (target.kafkaPid !== undefined) resources.stallKafka(target.kafkaPid);
        return log("Kafka stalled (SIGSTOP)");
      case "resume-kafka":
        resources.resumeKafka();
        return log("Kafka resumed (SIGCONT)");
      case "direct-batch": {
        const n = direct.length;
        const batch = produceDirectBatch(target.producer, target.requestsTopic, phones, target.runId, n);
        direct.push(batch.catch((error: unknown) => log(`direct batch ${n}: ${error instanceof Error ? error.message : String(error)}`)));
        return;
      }
      case "send-webhook":
        return sender.send(k);
    }
  };
  log(
    `load: ${plan.loadSeconds} s at 10 webhooks/s; simulator faults (20% 429, 10% 500) from ${plan.faultsAt} s; ` +
      (plan.stallAt === undefined
        ? "no Kafka stall (KAFKA_BROKERS is not ours)"
        : `Kafka stalled for ${STALL_SECONDS} s at ${plan.stallAt} s`),
  );
  const loadStart = Date.now();
  let state = initialLoadState(plan);
  for (let tick = nextLoadSteps(plan, state, 0); tick; tick = nextLoadSteps(plan, state, (Date.now() - loadStart) / 1000)) {
    for (const step of tick.steps) await perform(step, state.sent);
    state = tick.state;
    await sleep(Math.max(0, loadStart + state.sent * WEBHOOK_INTERVAL_MS - Date.now()));
  }
  resources.resumeKafka();
  await sender.drain();
  await Promise.all(direct);
  return { webhooks: state.sent, directBatches: direct.length, tally: sender.tally };
}
