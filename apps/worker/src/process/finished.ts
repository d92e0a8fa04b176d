import { activeTraceId } from "@callbridge/observability";
import type {
  CallRequest,
  CallResult,
  CampaignCall,
  CampaignStatus,
  DeferralReason,
  ExistingCall,
  SuppressionReason,
} from "@callbridge/schemas";
import type { Deferral } from "../deferral/deferral-record.js";
import type { DeadLetter } from "../delivery/records.js";
import type { WorkerMetrics } from "../metrics.js";

/** `finished`: write the result (and the dead letter), then commit. */
export type Finished = { kind: "finished"; result: CallResult; deadLetter?: DeadLetter };
/** Wait durably (docs/deferral.md): write the request to its tier (and `result`, when there is one to say), then commit. */
export type Deferred = { kind: "deferred"; deferral: Deferral; result?: CallResult };
/**
 * `abandoned`: shutting down; leave the record uncommitted. `settled`: a replica that had this
 * record before a rebalance finished it and wrote its outputs; commit, write nothing.
 */
export type RequestEnd = Finished | Deferred | { kind: "abandoned" } | { kind: "settled" };

export const ABANDONED: RequestEnd = { kind: "abandoned" };
export const SETTLED: RequestEnd = { kind: "settled" };

/** The body of a result event, by outcome (the rest comes from the request). */
export type Outcome =
  | { outcome: "placed"; call: CampaignCall }
  | { outcome: "duplicate"; existing_call: ExistingCall }
  | {
      outcome: "dead_lettered";
      reason: DeadLetter["reason"];
      error_message: string;
      http_status?: number;
      error_code?: string;
      existing_call?: ExistingCall;
      campaign_status?: CampaignStatus;
    }
  | { outcome: "already_placed"; call_id?: string }
  | { outcome: "deferred"; reason: DeferralReason; not_before: string; deferrals: number }
  | { outcome: "parked"; reason: "campaign_not_active"; campaign_status?: CampaignStatus }
  | { outcome: "suppressed"; reason: SuppressionReason; detail: string };

/** A result event for `request`, decided now (in the active trace, when tracing is on). */
export function resultEvent(request: CallRequest, now: () => Date, attempts: number, outcome: Outcome): CallResult {
  const traceId = activeTraceId();
  return {
    version: 1 as const,
    idempotency_key: request.idempotency_key,
    campaign_id: request.campaign_id,
    to: request.to,
    is_testing: request.is_testing,
    attempts,
    ...(request.source ? { source: request.source } : {}),
    context: request.context,
    ...(request.requested_at ? { requested_at: request.requested_at } : {}),
    decided_at: now().toISOString(),
    ...(traceId === undefined ? {} : { trace_id: traceId }),
    ...outcome,
  } as CallResult;
}

export function finished(request: CallRequest, now: () => Date, attempts: number, outcome: Outcome): Finished {
  return { kind: "finished", result: resultEvent(request, now, attempts, outcome) };
}

/** From the ingest receiving the webhook to the API accepting the call, when the request says when it was received. */
export function observeWebhookToCall(request: CallRequest, now: Date, metrics: Pick<WorkerMetrics, "webhookToCallObserver">): void {
  const receivedAt = request.source?.received_at ? Date.parse(request.source.received_at) : Number.NaN;
  if (Number.isFinite(receivedAt)) metrics.webhookToCallObserver.observe(Math.max(0, (now.getTime() - receivedAt) / 1000));
}
