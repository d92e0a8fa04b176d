import type { Logger } from "@callbridge/observability";
import {
  type CallRequest,
  type CallResult,
  type CampaignCall,
  type ExistingCall,
  maskPhoneNumber,
  maskPhoneNumbersIn,
} from "@callbridge/schemas";
import { isTalkoverError, type TalkoverClient } from "@callbridge/talkover-client";
import type { ClaimKeeper } from "../claims/claim-keeper.js";
import type { DeadLetter } from "../delivery/records.js";
import type { BeginResult, Finish } from "../ledger/ledger.js";
import { LimiterAbortedError } from "../limiter/errors.js";
import type { WorkerMetrics } from "../metrics.js";
import type { ThrottledLog } from "../throttled-log.js";
import type { AuthCircuit } from "./circuit.js";
import { type AttemptOutcome, type AttemptState, decide, initialAttemptState, type NextStep, type OutcomePolicy } from "./decide.js";
import { type RequestLog, requestLog } from "./request-log.js";
import { sleep } from "./sleep.js";

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
type Finished = { kind: "finished"; result: CallResult; deadLetter?: DeadLetter };
export type RequestEnd = Finished | { kind: "abandoned" };

const ABANDONED: RequestEnd = { kind: "abandoned" };
const ABORTED = Symbol("aborted");
const CLAIM_LOST = Symbol("claim lost");
const LEDGER_DOWN = Symbol("ledger down");
/** How often to look again while another replica holds the key, ms. */
const HELD_ELSEWHERE_POLL_MS = 500;

/**
 * Places one call request: the I/O around `decide`. The claim first (atomically: placed
 * before? held elsewhere? else ours, with whether an earlier attempt may have landed), then
 * turns through the limiter, each ending in an attempt outcome that `decide` turns into the
 * next step, until one is final. Right before each request, inside the limiter slot, the
 * claim is confirmed (and the first attempt recorded) and the 401 circuit is checked.
 */
export function processRequest(request: CallRequest, deps: ProcessorDeps, signals: ProcessSignals): Promise<RequestEnd> {
  return new RequestRun(request, deps, signals).run();
}

/** One request's way through its attempts; what `processRequest` runs. */
class RequestRun {
  private readonly key: string;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly log: RequestLog;
  // Before a call: give up at the first shutdown step. Once the API may have acted, recording it must not.
  private readonly beforeCall: Retrying;
  private readonly afterCall: Retrying;
  /** An earlier process's unanswered attempt cannot be older than the request itself. */
  private readonly requestSince: string | undefined;
  private state: AttemptState = initialAttemptState(false);
  private attemptRecorded = false;
  private lastFailure: string | undefined;
  private ended = false;

  constructor(
    private readonly request: CallRequest,
    private readonly deps: ProcessorDeps,
    private readonly signals: ProcessSignals,
  ) {
    this.key = request.idempotency_key;
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
    this.log = requestLog(deps.logger, () => ({
      component: "processor",
      campaign: request.campaign_id,
      key: this.key,
      to: maskPhoneNumber(request.to),
    }));
    this.beforeCall = retrying(deps.warnings, signals.stop);
    this.afterCall = retrying(deps.warnings, signals.hard);
    this.requestSince = request.source?.received_at ?? request.requested_at;
  }

  async run(): Promise<RequestEnd> {
    const begun = await this.claimOrPlaced();
    if (begun === ABORTED) return ABANDONED;
    if (begun.kind === "placed") {
      this.log.debug("already placed; not calling again", { callId: begun.entry.callId });
      return finished(this.request, this.now, 0, { outcome: "already_placed", call_id: begun.entry.callId });
    }
    this.state = initialAttemptState(begun.attempted, this.requestSince);
    try {
      return await this.attemptUntilDone();
    } finally {
      if (!this.ended) await this.deps.claims.release(this.key);
    }
  }

  private async attemptUntilDone(): Promise<RequestEnd> {
    for (let ledgerFailures = 0; ; ) {
      await this.deps.circuit.waitClosed(this.signals.stop);
      if (this.signals.stop.aborted) return ABANDONED;
      let outcome: Awaited<ReturnType<RequestRun["attempt"]>>;
      try {
        outcome = await this.attempt();
      } catch (error) {
        if (error instanceof LimiterAbortedError) return ABANDONED;
        throw error;
      }
      if (outcome === LEDGER_DOWN) {
        if (!(await sleep(Math.min(5_000, 100 * 2 ** ledgerFailures++), this.signals.stop))) return ABANDONED;
        continue;
      }
      if (outcome === CLAIM_LOST) {
        const taken = await this.claimAgain();
        if (taken) return taken;
        continue;
      }
      const failure = outcome.kind === "failed" ? outcome.error.message : outcome.kind === "crashed" ? outcome.message : undefined;
      this.lastFailure = failure === undefined ? undefined : maskPhoneNumbersIn(failure);
      const decision = decide(this.state, outcome, this.deps.policy, this.random());
      this.state = decision.state;
      this.log.debug("attempt finished", { attempt: this.state.calls, outcome: describe(outcome), next: decision.step.kind });
      const end = await this.carryOut(decision.step);
      if (end) return end;
    }
  }

  /** Placed before, or claimed by us (never "held elsewhere": that is waited out here). */
  private async claimOrPlaced(): Promise<Exclude<BeginResult, { kind: "held_elsewhere" }> | typeof ABORTED> {
    for (;;) {
      const begun = await this.beforeCall(() => this.deps.claims.begin(this.key));
      if (begun === ABORTED || begun.kind !== "held_elsewhere") return begun;
      this.log.debug("another replica holds the request; waiting for it");
      if (!(await sleep(HELD_ELSEWHERE_POLL_MS, this.signals.stop))) return ABORTED;
    }
  }

  /** The claim lapsed and another replica took the request: wait for it; an end if it placed the call. */
  private async claimAgain(): Promise<RequestEnd | undefined> {
    this.log.info("the claim lapsed and another replica took the request; waiting for it");
    const again = await this.claimOrPlaced();
    if (again === ABORTED) return ABANDONED;
    if (again.kind === "placed") {
      this.ended = true;
      return finished(this.request, this.now, this.state.calls, { outcome: "already_placed", call_id: again.entry.callId });
    }
    // Another replica's unanswered attempt may be older than any of ours: widen the bound to the request's time.
    if (again.attempted) {
      const unknown = this.state.ambiguous && this.state.ambiguousSince === undefined;
      this.state = { ...this.state, ambiguous: true, ambiguousSince: unknown ? undefined : this.requestSince };
    }
    return undefined;
  }

  private attempt() {
    const { deps, request } = this;
    return deps.gate.run(
      request.campaign_id,
      async (): Promise<AttemptOutcome | typeof CLAIM_LOST | typeof LEDGER_DOWN> => {
        if (deps.circuit.isOpen) return { kind: "circuit_open" };
        try {
          if (!(await deps.claims.confirm(this.key, !this.attemptRecorded))) return CLAIM_LOST;
        } catch (error) {
          deps.warnings.warn("idempotency ledger unavailable; not calling without it", { err: error });
          return LEDGER_DOWN;
        }
        this.attemptRecorded = true;
        // Checked again right before the request: a 401 may have opened it while this one waited.
        if (deps.circuit.isOpen) return { kind: "circuit_open" };
        // After an ambiguous attempt, ask without allow_duplicates: if ours landed, the API's
        // duplicate guard answers 409 (counted as placed) instead of calling twice.
        return send(request, request.allow_duplicates && !this.state.ambiguous, deps, this.signals.hard, this.now);
      },
      this.signals.stop,
      // An earlier attempt may have landed: its 409 tells us so only while that call is queued or active.
      this.state.ambiguous,
    );
  }

  /** Records how the request ended in the ledger, then ends it (abandoned if shutdown cut the record short). */
  private async end(outcome: Finish, end: Finished): Promise<RequestEnd> {
    if ((await this.afterCall(() => this.deps.claims.finish(this.key, outcome))) === ABORTED) return ABANDONED;
    this.ended = true;
    return end;
  }

  /** Performs one step; an end ends the request, undefined goes round again. */
  private async carryOut(step: NextStep): Promise<RequestEnd | undefined> {
    const { deps, state } = this;
    switch (step.kind) {
      case "place": {
        const { call } = step;
        // Abandoned after a 201: the attempt marker makes the redelivery's 409 count as placed.
        const end = await this.end(
          { kind: "placed", entry: { callId: call.id, placedAt: this.now().toISOString() } },
          finished(this.request, this.now, state.calls, { outcome: "placed", call }),
        );
        if (end.kind === "finished") this.observeWebhookToCall();
        return end;
      }
      case "duplicate":
        return this.end(
          { kind: "not_placed", proven: !state.ambiguous },
          finished(this.request, this.now, state.calls, { outcome: "duplicate", existing_call: step.existingCall }),
        );
      case "dead_letter":
        return this.deadLetter(step.letter);
      case "retry":
        deps.metrics.retries.inc({ reason: step.reason });
        if (step.reason !== "rate_limited") {
          deps.warnings.warn(`Talkover attempts fail (${step.reason}); retrying with backoff`, {
            detail: this.lastFailure,
            attempt: state.calls,
          });
        }
        if (step.throttle) deps.gate.throttled(step.throttle.retryAfterMs);
        return (await sleep(step.waitMs, this.signals.stop)) ? undefined : ABANDONED;
      case "await_circuit":
        if (step.open) {
          deps.metrics.retries.inc({ reason: "unauthorized" });
          deps.circuit.open();
        }
        return undefined;
      case "abandon":
        return ABANDONED;
    }
  }

  private deadLetter(draft: Extract<NextStep, { kind: "dead_letter" }>["letter"]): Promise<RequestEnd> {
    const { state, request } = this;
    const letter: DeadLetter = { ...draft, attempts: state.calls, firstAttemptAt: state.firstAttemptAt, campaignId: request.campaign_id };
    const result = finished(request, this.now, state.calls, {
      outcome: "dead_lettered",
      reason: letter.reason,
      error_message: letter.message,
      ...(letter.httpStatus === undefined ? {} : { http_status: letter.httpStatus }),
      ...(letter.errorCode === undefined ? {} : { error_code: letter.errorCode }),
      ...(letter.existingCall === undefined ? {} : { existing_call: letter.existingCall }),
    });
    this.deps.warnings.warn(`requests dead-lettered: ${letter.reason}`, {
      code: letter.errorCode,
      status: letter.httpStatus,
      message: maskPhoneNumbersIn(letter.message),
      campaign: request.campaign_id,
    });
    // Every attempt answered and none placed: a replay of this letter must not read a later 409 as its own.
    return this.end({ kind: "not_placed", proven: !state.ambiguous }, { ...result, deadLetter: letter });
  }

  private observeWebhookToCall(): void {
    const receivedAt = this.request.source?.received_at ? Date.parse(this.request.source.received_at) : Number.NaN;
    if (Number.isFinite(receivedAt)) this.deps.metrics.webhookToCall.observe(Math.max(0, (this.now().getTime() - receivedAt) / 1000));
  }
}

/** One request to the API, with its metrics; never throws. */
async function send(
  request: CallRequest,
  allowDuplicates: boolean,
  deps: ProcessorDeps,
  signal: AbortSignal,
  now: () => Date,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const sentAt = now().toISOString();
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
    deps.metrics.apiResponse("201").inc();
    deps.metrics.apiDurationOf("2xx").observe((performance.now() - started) / 1000);
    return { kind: "created", call: response.campaign_call, at: now().toISOString() };
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    if (!isTalkoverError(error)) {
      deps.metrics.apiResponse("error").inc();
      return { kind: "crashed", message: String(error), sentAt, at: now().toISOString() };
    }
    const label = error.status === undefined ? error.kind : String(error.status);
    deps.metrics.apiResponse(label).inc();
    deps.metrics.apiDurationOf(error.status === undefined ? label : `${Math.floor(error.status / 100)}xx`).observe(seconds);
    return { kind: "failed", error, sentAt, at: now().toISOString() };
  } finally {
    deps.metrics.inFlightCalls.dec();
  }
}

function describe(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case "created":
      return "201";
    case "failed":
      return outcome.error.status === undefined ? outcome.error.kind : `${outcome.error.status} ${outcome.error.code}`;
    case "crashed":
      return "internal error";
    case "circuit_open":
      return "not sent: circuit open";
  }
}

type Outcome =
  | { outcome: "placed"; call: CampaignCall }
  | { outcome: "duplicate"; existing_call: ExistingCall }
  | {
      outcome: "dead_lettered";
      reason: DeadLetter["reason"];
      error_message: string;
      http_status?: number;
      error_code?: string;
      existing_call?: ExistingCall;
    }
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

/**
 * Ledger steps retried while Redis is unreachable: calling without the ledger could call a
 * person twice, so the request waits instead. Gives up only when `signal` aborts.
 */
type Retrying = <T>(operation: () => Promise<T>) => Promise<T | typeof ABORTED>;

function retrying(warnings: ThrottledLog, signal: AbortSignal): Retrying {
  return async <T>(operation: () => Promise<T>): Promise<T | typeof ABORTED> => {
    for (let failures = 0; ; failures++) {
      if (signal.aborted) return ABORTED;
      try {
        return await operation();
      } catch (error) {
        if (failures === 0) warnings.warn("idempotency ledger unavailable; waiting before going on", { err: error });
        if (!(await sleep(Math.min(5_000, 100 * 2 ** failures), signal))) return ABORTED;
      }
    }
  };
}
