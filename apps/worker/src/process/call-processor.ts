import type { Logger } from "@callbridge/observability";
import type { CallRequest, CallResult, CampaignCall, CreateCampaignCallResponse } from "@callbridge/schemas";
import type { TalkoverClient } from "@callbridge/talkover-client";
import type { Ledger } from "../ledger/ledger.js";
import type { WorkerMetrics } from "../metrics.js";
import type { DeadLetter } from "../output/records.js";
import { fullJitterBackoffMs, retryDelayMs } from "./backoff.js";
import type { AuthCircuit } from "./circuit.js";
import { classifyFailure, type FailureDecision } from "./classify.js";
import { sleep } from "./sleep.js";

/** The part of the rate limiter the processor needs. */
export interface CallGate {
  run<T>(campaignId: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  throttled(): void;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly retryAfterMaxMs: number;
}

export interface ProcessorDeps {
  readonly client: Pick<TalkoverClient, "createCampaignCall">;
  readonly gate: CallGate;
  readonly ledger: Ledger;
  readonly circuit: AuthCircuit;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly duplicateCallPolicy: "dead_letter" | "outcome";
  /** This replica's name in claims. */
  readonly owner: string;
  /** How long a claim holds without renewal; longer than one attempt. */
  readonly claimLeaseMs: number;
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

/** `finished`: write the result (and the dead letter), then commit. `abandoned`: shutting down; leave it uncommitted. */
export type Finished = { kind: "finished"; result: CallResult; deadLetter?: DeadLetter };
export type Verdict = Finished | { kind: "abandoned" };

const LIMITER_ABORTED = "limiter_aborted";

/**
 * Places one call request, exactly as SPEC §3 says: the ledger first (a redelivered request
 * placed before is not called again), then attempts through the rate limiter until the API
 * answers something final or the attempt budget is spent.
 */
export async function processRequest(request: CallRequest, deps: ProcessorDeps, signals: ProcessSignals): Promise<Verdict> {
  const key = request.idempotency_key;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: "processor", campaign: request.campaign_id, key });
  const signal = signals.stop;
  const ledger = retryingLedger(log, signal);
  // Once the API may have acted, recording it must not stop at the first shutdown step.
  const ledgerAfterCall = retryingLedger(log, signals.hard);

  const earlier = await ledger(() => deps.ledger.placed(key));
  if (earlier === ABORTED) return { kind: "abandoned" };
  if (earlier) return finished(request, now, 0, { outcome: "already_placed", call_id: earlier.callId });

  // Another replica may hold the key during a rebalance: wait for it, then look again.
  const acquireClaim = async (): Promise<"claimed" | Finished | typeof ABORTED> => {
    for (;;) {
      const claimed = await ledger(() => deps.ledger.claim(key, deps.owner, deps.claimLeaseMs));
      if (claimed === ABORTED) return ABORTED;
      if (claimed) return "claimed";
      if (!(await sleep(1_000, signal))) return ABORTED;
      const placed = await ledger(() => deps.ledger.placed(key));
      if (placed === ABORTED) return ABORTED;
      if (placed) return finished(request, now, 0, { outcome: "already_placed", call_id: placed.callId });
    }
  };
  const first = await acquireClaim();
  if (first === ABORTED) return { kind: "abandoned" };
  if (first !== "claimed") return first;

  try {
    const attemptedBefore = await ledger(() => deps.ledger.wasAttempted(key));
    if (attemptedBefore === ABORTED) return { kind: "abandoned" };
    // True once an attempt may have reached the API without an answer saying so.
    let ambiguous = attemptedBefore;
    let calls = 0;
    let budgetSpent = 0;
    let throttles = 0;
    let firstAttemptAt: string | undefined;
    let markedAttempted = false;

    for (;;) {
      await deps.circuit.waitClosed(signal);
      if (signal.aborted) return { kind: "abandoned" };
      // A long wait (circuit, backoff) can outlast the claim; if another replica took the key
      // meanwhile, wait for it again rather than call alongside it.
      const renewed = await acquireClaim();
      if (renewed === ABORTED) return { kind: "abandoned" };
      if (renewed !== "claimed") return renewed;
      if (!markedAttempted) {
        if ((await ledger(() => deps.ledger.markAttempted(key))) === ABORTED) return { kind: "abandoned" };
        markedAttempted = true;
      }

      let response: CreateCampaignCallResponse;
      try {
        // After an ambiguous attempt, ask without allow_duplicates: if our attempt landed, the
        // API's own duplicate guard answers 409 (counted as placed) instead of calling twice.
        const allowDuplicates = request.allow_duplicates && !ambiguous;
        response = await deps.gate.run(request.campaign_id, () => timedCall(request, allowDuplicates, deps, signals.hard), signal);
      } catch (error) {
        if ((error as { kind?: string }).kind === LIMITER_ABORTED) return { kind: "abandoned" };
        calls += 1;
        firstAttemptAt ??= now().toISOString();
        const decision = classifyFailure(error);
        const step = await decide(decision);
        if (step === "retry") continue;
        return step;
      }
      calls += 1;
      firstAttemptAt ??= now().toISOString();
      return placed(response.campaign_call);

      async function decide(decision: FailureDecision): Promise<Verdict | "retry"> {
        switch (decision.kind) {
          case "duplicate":
            if (ambiguous && decision.existingCall) {
              // Our own earlier attempt placed it; the API just did not get to tell us.
              log.info({ calls }, "409 after an ambiguous attempt: counting the call as placed");
              return placed({ ...decision.existingCall, scheduled_at: null });
            }
            if (deps.duplicateCallPolicy === "outcome" && decision.existingCall) {
              return finished(request, now, calls, { outcome: "duplicate", existing_call: decision.existingCall });
            }
            return deadLettered({
              reason: "http_4xx",
              httpStatus: 409,
              errorCode: decision.code,
              message: decision.message,
              responseBody: decision.body,
              existingCall: decision.existingCall,
            });
          case "reject":
            return deadLettered({
              reason: "http_4xx",
              httpStatus: decision.status,
              errorCode: decision.code,
              message: decision.message,
              responseBody: decision.body,
            });
          case "unauthorized":
            deps.metrics.retries.inc({ reason: "unauthorized" });
            deps.circuit.open();
            return "retry";
          case "throttled": {
            throttles += 1;
            deps.metrics.retries.inc({ reason: "rate_limited" });
            deps.gate.throttled();
            const wait = retryDelayMs(
              fullJitterBackoffMs(throttles, deps.retry.baseMs, deps.retry.maxMs, deps.random),
              decision.retryAfterMs,
              deps.retry.retryAfterMaxMs,
            );
            return (await sleep(wait, signal)) ? "retry" : { kind: "abandoned" };
          }
          case "transient": {
            ambiguous ||= decision.ambiguous;
            budgetSpent += 1;
            if (budgetSpent >= deps.retry.maxAttempts) {
              return deadLettered({
                reason: "retries_exhausted",
                httpStatus: decision.status,
                errorCode: decision.code,
                message: decision.message,
                responseBody: decision.body,
              });
            }
            deps.metrics.retries.inc({ reason: decision.reason });
            const wait = retryDelayMs(
              fullJitterBackoffMs(budgetSpent, deps.retry.baseMs, deps.retry.maxMs, deps.random),
              decision.retryAfterMs,
              deps.retry.retryAfterMaxMs,
            );
            return (await sleep(wait, signal)) ? "retry" : { kind: "abandoned" };
          }
          case "aborted":
            return { kind: "abandoned" };
        }
      }
    }

    async function placed(call: CampaignCall): Promise<Verdict> {
      const marked = await ledgerAfterCall(() => deps.ledger.markPlaced(key, { callId: call.id, placedAt: now().toISOString() }));
      // Abandoned after a 201: the attempt marker makes the redelivery's 409 count as placed.
      if (marked === ABORTED) return { kind: "abandoned" };
      const receivedAt = request.source?.received_at ? Date.parse(request.source.received_at) : Number.NaN;
      if (Number.isFinite(receivedAt)) deps.metrics.webhookToCall.observe(Math.max(0, (now().getTime() - receivedAt) / 1000));
      return finished(request, now, calls, { outcome: "placed", call });
    }

    async function deadLettered(
      letter: Omit<DeadLetter, "attempts" | "firstAttemptAt" | "campaignId"> & { message: string },
    ): Promise<Verdict> {
      // Every attempt was answered and none placed the call: a replay of this letter must not
      // read a later 409 as its own (a 5xx or timeout among them keeps the marker).
      if (!ambiguous && (await ledger(() => deps.ledger.clearAttempted(key))) === ABORTED) return { kind: "abandoned" };
      const full: DeadLetter = { ...letter, attempts: calls, firstAttemptAt, campaignId: request.campaign_id };
      const verdict: Finished = finished(request, now, calls, {
        outcome: "dead_lettered",
        reason: letter.reason,
        error_message: letter.message,
        ...(letter.httpStatus === undefined ? {} : { http_status: letter.httpStatus }),
        ...(letter.errorCode === undefined ? {} : { error_code: letter.errorCode }),
      });
      return { ...verdict, deadLetter: full };
    }
  } finally {
    await deps.ledger.release(key, deps.owner).catch(() => undefined);
  }
}

/** One API call with its metrics. */
async function timedCall(
  request: CallRequest,
  allowDuplicates: boolean,
  deps: ProcessorDeps,
  signal: AbortSignal,
): Promise<CreateCampaignCallResponse> {
  const started = performance.now();
  deps.metrics.inFlightCalls.inc();
  try {
    const response = await deps.client.createCampaignCall(
      request.campaign_id,
      {
        to: request.to,
        payload: request.payload,
        context: request.context,
        is_testing: request.is_testing,
        allow_duplicates: allowDuplicates,
      },
      { signal },
    );
    deps.metrics.apiResponses.inc({ status: "201" });
    deps.metrics.apiDuration.observe({ status_class: "2xx" }, (performance.now() - started) / 1000);
    return response;
  } catch (error) {
    const { status, kind } = error as { status?: number; kind?: string };
    const label = status === undefined ? (kind ?? "error") : String(status);
    deps.metrics.apiResponses.inc({ status: label });
    deps.metrics.apiDuration.observe(
      { status_class: status === undefined ? label : `${Math.floor(status / 100)}xx` },
      (performance.now() - started) / 1000,
    );
    throw error;
  } finally {
    deps.metrics.inFlightCalls.dec();
  }
}

type Outcome =
  | { outcome: "placed"; call: CampaignCall }
  | { outcome: "duplicate"; existing_call: NonNullable<Extract<CallResult, { outcome: "duplicate" }>["existing_call"]> }
  | { outcome: "dead_lettered"; reason: DeadLetter["reason"]; error_message: string; http_status?: number; error_code?: string }
  | { outcome: "already_placed"; call_id?: string };

function finished(request: CallRequest, now: () => Date, attempts: number, outcome: Outcome): Finished {
  const result = {
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
    ...outcome,
  } as CallResult;
  return { kind: "finished", result };
}

const ABORTED = Symbol("aborted");

/**
 * Ledger calls retried while Redis is unreachable: calling without the ledger could call a
 * person twice, so the request waits instead. Gives up only when `signal` aborts.
 */
function retryingLedger(log: Logger, signal: AbortSignal) {
  return async <T>(operation: () => Promise<T>): Promise<T | typeof ABORTED> => {
    for (let failures = 0; ; failures++) {
      if (signal.aborted) return ABORTED;
      try {
        return await operation();
      } catch (error) {
        if (failures === 0) log.warn({ err: error }, "idempotency ledger unavailable; waiting before calling");
        if (!(await sleep(Math.min(5_000, 100 * 2 ** failures), signal))) return ABORTED;
      }
    }
  };
}
