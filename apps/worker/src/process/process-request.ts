import { context } from "@callbridge/observability";
import { type CallRequest, maskPhoneNumber, maskPhoneNumbersIn } from "@callbridge/schemas";
import { parkVerdict } from "../campaigns/park-verdict.js";
import type { Deferral } from "../deferral/deferral-record.js";
import type { BeginResult, Finish, RecordRef } from "../ledger/ledger.js";
import { LimiterAbortedError } from "../limiter/errors.js";
import { type AttemptOutcome, type AttemptState, decide, initialAttemptState, type NextStep } from "./decide.js";
import { ABANDONED, type Deferred, type Finished, finished, observeWebhookToCall, type RequestEnd, SETTLED } from "./finished.js";
import { ABORTED, type Retrying, retrying } from "./ledger-retry.js";
import { type DeadLetterDraft, letterEnd } from "./letters.js";
import type { ProcessorDeps, ProcessSignals } from "./processor-deps.js";
import { type RequestLog, requestLog } from "./request-log.js";
import { answerEvent, attemptSpan, kindOf, limiterWait } from "./request-spans.js";
import { describe, send } from "./send-attempt.js";
import { sleep } from "./sleep.js";
import { deferredEnd, notActiveLetter, parkedEnd, resumedState, type Waiting, type WaitReason } from "./waiting-ends.js";

export type { RequestEnd } from "./finished.js";
export type { CallGate, ProcessorDeps, ProcessSignals } from "./processor-deps.js";

const CLAIM_LOST = Symbol("claim lost");
const LEDGER_DOWN = Symbol("ledger down");
/** While the request waited for the limiter, its window closed or its number was listed. */
const GUARD_CHANGED = Symbol("guard changed");
/** How often to look again while another replica holds the key, ms. */
const HELD_ELSEWHERE_POLL_MS = 500;

/**
 * Places one call request: the I/O around `decide`. The claim first (atomically: placed
 * before? held elsewhere? else ours, with whether an earlier attempt may have landed), then
 * turns through the limiter, each ending in an attempt outcome that `decide` turns into the
 * next step, until one is final. Right before each request, inside the limiter slot, the
 * claim is confirmed (and the first attempt recorded) and the 401 circuit is checked.
 */
export function processRequest(
  request: CallRequest,
  deps: ProcessorDeps,
  signals: ProcessSignals,
  deferral?: Deferral,
  record?: RecordRef,
): Promise<RequestEnd> {
  return new RequestRun(request, deps, signals, deferral, record).run();
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
    /** Set when the request comes back from waiting durably. */
    private readonly deferral: Deferral | undefined,
    /** The record the request came in: a redelivery of one already settled writes nothing. */
    private readonly record: RecordRef | undefined,
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
    // A parked request looks at its campaign before anything else: most wakes end parked again.
    if (this.deferral?.reason === "campaign_not_active") {
      const parked = await this.parkedOrOn(false);
      if (parked) return parked;
      this.deps.metrics.redrives.inc();
    }
    const begun = await answerEvent("ledger begin", "callbridge.ledger.answer", () => this.claimOrPlaced(), kindOf);
    if (begun === ABORTED) return ABANDONED;
    if (begun.kind === "settled") return SETTLED;
    if (begun.kind === "placed") {
      this.log.debug("already placed; not calling again", { callId: begun.entry.callId });
      return finished(this.request, this.now, this.deferral?.attempts?.calls ?? 0, {
        outcome: "already_placed",
        call_id: begun.entry.callId,
      });
    }
    this.state = resumedState(this.deferral?.attempts, begun.attempted, this.requestSince);
    try {
      return (await this.guarded()) ?? (await this.attemptUntilDone());
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
      if (outcome === GUARD_CHANGED) {
        const end = await this.guarded();
        if (end) return end;
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

  /** Settled, placed before, or claimed by us (never "held elsewhere": that is waited out here). */
  private async claimOrPlaced(): Promise<Exclude<BeginResult, { kind: "held_elsewhere" }> | typeof ABORTED> {
    for (;;) {
      const begun = await this.beforeCall(() => this.deps.claims.begin(this.key, this.record));
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
    if (again.kind === "settled") {
      this.ended = true;
      return SETTLED;
    }
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

  /** One turn through the limiter, in a `call attempt` span (with how long the limiter held it). */
  private attempt() {
    return attemptSpan(this.state.calls + 1, () => this.attemptInSlot(), describe);
  }

  private attemptInSlot() {
    const { deps, request } = this;
    const slotTaken = limiterWait();
    // The limiter runs tasks from its own queue: the task is bound to this request's trace context.
    const task = context.bind(
      context.active(),
      async (): Promise<AttemptOutcome | typeof CLAIM_LOST | typeof LEDGER_DOWN | typeof GUARD_CHANGED> => {
        slotTaken();
        if (deps.circuit.isOpen) return { kind: "circuit_open" };
        try {
          // A long wait for the limiter may have outlasted the window, or met an opt-out.
          if (!(await deps.guard.stillClear(request, this.state.ambiguous))) return GUARD_CHANGED;
          if (!(await deps.claims.confirm(this.key, !this.attemptRecorded))) return CLAIM_LOST;
        } catch (error) {
          deps.warnings.warn("Redis (the idempotency ledger or the do-not-call list) unavailable; not calling without it", { err: error });
          return LEDGER_DOWN;
        }
        this.attemptRecorded = true;
        // Checked again right before the request: a 401 may have opened it while this one waited.
        if (deps.circuit.isOpen) return { kind: "circuit_open" };
        // After an ambiguous attempt, ask without allow_duplicates: if ours landed, the API's
        // duplicate guard answers 409 (counted as placed) instead of calling twice.
        return send(request, request.allow_duplicates && !this.state.ambiguous, deps, this.signals.hard, this.now);
      },
    );
    return deps.gate.run(
      request.campaign_id,
      task,
      this.signals.stop,
      // An earlier attempt may have landed: its 409 tells us so only while that call is queued or active.
      this.state.ambiguous,
    );
  }

  /** Records how the request ended in the ledger, then ends it (abandoned if shutdown cut the record short). */
  private async end(outcome: Finish, end: Finished | Deferred): Promise<RequestEnd> {
    const finish = () => this.afterCall(() => this.deps.claims.finish(this.key, outcome));
    const ours = await answerEvent("ledger finish", "callbridge.ledger.ours", finish, (answer) => String(answer));
    if (ours === ABORTED) return ABANDONED;
    this.ended = true;
    if (!ours) {
      // Our claim lapsed while the call was out (this process stalled, or Redis did) and
      // another replica holds the request now: its end is the one reported, not ours too.
      this.log.info("another replica took the request while its call was at the API; it reports the outcome");
      return SETTLED;
    }
    // Ended without a call: it no longer counts against the recipient's cap.
    if (end.kind === "finished" && (end.result.outcome === "duplicate" || end.result.outcome === "dead_lettered")) {
      await this.deps.guard.uncount(this.request).catch(() => undefined);
    }
    return end;
  }

  /** The recipient guard's verdict: undefined to go on to the call; else the end (deferred or suppressed). */
  private async guarded(): Promise<RequestEnd | undefined> {
    const { deps, request } = this;
    const verdict = await answerEvent(
      "recipient guard",
      "callbridge.guard.verdict",
      () => this.beforeCall(() => deps.guard.check(request, this.state.ambiguous)),
      (answer) => (answer === ABORTED || answer.kind === "place" ? kindOf(answer) : `${answer.kind}: ${answer.reason}`),
    );
    if (verdict === ABORTED) return ABANDONED;
    if (verdict.kind === "place") {
      if (this.deferral?.reason === "calling_window") deps.metrics.windowOpenings.inc();
      return undefined;
    }
    if (verdict.kind === "defer") {
      deps.metrics.recipientDeferrals.inc({ reason: verdict.reason });
      deps.metrics.recipientDeferralWait.observe(
        { reason: verdict.reason },
        Math.max(0, verdict.notBeforeMs - this.now().getTime()) / 1000,
      );
      return this.leaveToWait(this.deferUntil(verdict.notBeforeMs, verdict.reason));
    }
    deps.metrics.recipientSuppressions.inc({ reason: verdict.reason });
    this.log.debug("suppressed by the recipient guard; not calling", { reason: verdict.reason });
    const result = finished(request, this.now, this.state.calls, { outcome: "suppressed", reason: verdict.reason, detail: verdict.detail });
    return this.end({ kind: "not_placed", proven: !this.state.ambiguous }, result);
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
        if (end.kind === "finished") observeWebhookToCall(this.request, this.now(), deps.metrics);
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
      case "defer":
        deps.metrics.retries.inc({ reason: step.reason });
        if (step.throttle) deps.gate.throttled(step.throttle.retryAfterMs);
        return this.leaveToWait(this.deferUntil(this.now().getTime() + step.waitMs, step.reason));
      case "campaign_not_active":
        return (await this.parkedOrOn(true, step.letter)) ?? undefined;
      case "abandon":
        return ABANDONED;
    }
  }

  /**
   * Hands the claim back before the request waits. Every attempt answered: the ledger forgets
   * the attempt marker too, so the request's next turn does not read its own answered attempt
   * as one that may have landed (a 409 for another request's call would then count as placed).
   */
  private leaveToWait(end: Deferred): Promise<RequestEnd> {
    return this.end({ kind: "not_placed", proven: !this.state.ambiguous }, end);
  }

  /** Leaves memory for a tier topic until `notBeforeMs`, the attempts so far kept (docs/deferral.md). */
  private deferUntil(notBeforeMs: number, reason: WaitReason): Deferred {
    this.log.debug("deferred durably", { reason, notBefore: new Date(notBeforeMs).toISOString() });
    return deferredEnd(this.waiting(), notBeforeMs, reason);
  }

  private waiting(): Waiting {
    return { request: this.request, now: this.now, state: this.state, previous: this.deferral };
  }

  /**
   * The parking rule (parkVerdict) for this request: undefined to go on to the call; else the
   * end — parked (again), or dead-lettered. `refused`: the API just answered CAMPAIGN_NOT_ACTIVE
   * (with `letter`, the letter for a campaign that will never run).
   */
  private async parkedOrOn(refused: boolean, letter?: DeadLetterDraft): Promise<RequestEnd | undefined> {
    const { deps, request } = this;
    const campaign = request.campaign_id;
    let seen = await deps.watch.status(campaign, this.signals.stop);
    if (this.signals.stop.aborted) return ABANDONED;
    if (refused && seen.status === "active") {
      // What we read before the campaign was paused: read it again.
      await deps.watch.forget(campaign).catch(() => undefined);
      seen = await deps.watch.status(campaign, this.signals.stop);
    }
    const nowMs = this.now().getTime();
    const parkedAtMs = this.deferral?.parkedAt ? Date.parse(this.deferral.parkedAt) : nowMs;
    const verdict = parkVerdict(
      { seen, parkedAtMs, nowMs, dropBeforeMs: deps.droppedBefore?.(campaign), refusedJustNow: refused, jitter: this.random() },
      deps.park,
    );
    const status = seen.status === "unknown" ? undefined : seen.status;
    if (verdict.kind === "call") return undefined;
    if (verdict.kind === "park") {
      const parked = this.park(verdict.notBeforeMs, parkedAtMs, status);
      // Only a request that called here holds a claim and may have left an attempt marker.
      return refused ? this.leaveToWait(parked) : parked;
    }
    const draft: DeadLetterDraft =
      verdict.reason === "not_active"
        ? { ...(letter ?? notActiveLetter()), campaignStatus: status }
        : {
            reason: verdict.reason,
            message:
              verdict.reason === "parked_expired"
                ? `parked longer than PARK_MAX_AGE_MS (${deps.park.maxAgeMs} ms); the campaign was last seen ${seen.status}`
                : "parked, and dropped by an operator (callbridge parked drop)",
            errorCode: "CAMPAIGN_NOT_ACTIVE",
            campaignStatus: status,
          };
    // Only a request that called here went through the ledger's claim.
    return refused ? this.deadLetter(draft) : this.letterWithoutLedger(draft);
  }

  private park(notBeforeMs: number, parkedAtMs: number, status: Deferral["campaignStatus"]): Deferred {
    const end = parkedEnd(this.waiting(), notBeforeMs, parkedAtMs, status);
    if (end.result) {
      this.deps.metrics.parkings.inc({ campaign_status: status ?? "unknown" });
      this.deps.warnings.warn("requests parked: their campaign is not active; they are placed when it is", {
        campaign: this.request.campaign_id,
        status: status ?? "unknown",
      });
    }
    return end;
  }

  /** A dead letter decided before any claim was taken (a parked request that will not be called): nothing to record. */
  private letterWithoutLedger(draft: DeadLetterDraft): RequestEnd {
    this.ended = true;
    return this.letterEnd(draft);
  }

  private deadLetter(draft: DeadLetterDraft): Promise<RequestEnd> {
    // Every attempt answered and none placed: a replay of this letter must not read a later 409 as its own.
    return this.end({ kind: "not_placed", proven: !this.state.ambiguous }, this.letterEnd(draft));
  }

  private letterEnd(draft: DeadLetterDraft): Finished {
    return letterEnd(this.request, this.state, this.deferral, draft, this.now, this.deps.warnings);
  }
}
