import type { Logger } from "@callbridge/observability";
import type { TalkoverClient } from "@callbridge/talkover-client";
import type { CampaignWatch } from "../campaigns/campaign-watch.js";
import type { ParkPolicy } from "../campaigns/park-verdict.js";
import type { ClaimKeeper } from "../claims/claim-keeper.js";
import type { WorkerMetrics } from "../metrics.js";
import type { RecipientGuard } from "../recipients/recipient-guard.js";
import type { ThrottledLog } from "../throttled-log.js";
import type { AuthCircuit } from "./circuit.js";
import type { OutcomePolicy } from "./decide.js";

/** The part of the rate limiter the processor needs. */
export interface CallGate {
  /** `urgent`: ahead of the queue (see CallLimiter.run). */
  run<T>(campaignId: string, task: () => Promise<T>, signal?: AbortSignal, urgent?: boolean): Promise<T>;
  /** A 429: slow the shared limiter and keep it shut for `retryAfterMs`. */
  throttled(retryAfterMs?: number): void;
}

export interface ProcessorDeps {
  readonly client: Pick<TalkoverClient, "createCampaignCall">;
  readonly gate: CallGate;
  readonly claims: ClaimKeeper;
  readonly circuit: AuthCircuit;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  /** For what many requests meet at once (an outage, a paused campaign): throttled per message. */
  readonly warnings: ThrottledLog;
  readonly policy: OutcomePolicy;
  /** Campaign statuses for parking (docs/deferral.md#parking). */
  readonly watch: Pick<CampaignWatch, "status" | "forget">;
  readonly park: ParkPolicy;
  /** The recipient guard: windows, caps, the do-not-call list (docs/recipient-protection.md). */
  readonly guard: Pick<RecipientGuard, "check" | "stillClear" | "uncount">;
  /** When an operator dropped a campaign's parked requests (`callbridge parked drop`), ms since the epoch. */
  readonly droppedBefore?: (campaignId: string) => number | undefined;
  readonly random?: () => number;
  readonly now?: () => Date;
}

/**
 * Shutdown comes in two steps: `stop` aborts everything that has not reached the API (waits
 * for the limiter, backoffs, the circuit); `hard` aborts calls in flight, at the deadline.
 */
export interface ProcessSignals {
  readonly stop: AbortSignal;
  readonly hard: AbortSignal;
}
