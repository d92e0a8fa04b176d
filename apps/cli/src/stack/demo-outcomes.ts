import { type CallResult, maskPhoneNumber } from "@callbridge/schemas";
import type { DemoRequest } from "./demo-webhooks.js";

/**
 * How far before the demo's start a result's request may have been received and still be the
 * demo's: room for the ingest's clock to lag the CLI's. Runs share a number only ~167 s apart
 * (see demoNumbers), so an earlier run's requests stay out.
 */
const CLOCK_SLACK_MS = 30_000;

/** A demo request and its latest word from the results topic (none yet: `result` absent). */
export interface RequestOutcome {
  readonly request: DemoRequest;
  readonly result?: CallResult;
}

/** Outcomes after which the request is done; `deferred` and `parked` are followed by another result. */
const FINAL: ReadonlySet<CallResult["outcome"]> = new Set(["placed", "duplicate", "dead_lettered", "already_placed", "suppressed"]);

/** Outcomes with which the demo did what it should: the call was placed, or the guard said why not and until when. */
const EXPECTED: ReadonlySet<CallResult["outcome"]> = new Set(["placed", "deferred", "suppressed"]);

/**
 * The result of each request among `results`: one for the same number whose request reached the
 * ingest after the demo began (`sinceMs`, less CLOCK_SLACK_MS). The numbers differ within a run,
 * and the ingest's event ids differ by source kind, so the number and the time are what match.
 * Of several (deferred, then placed), a final one wins, then the latest decided.
 */
export function matchOutcomes(requests: readonly DemoRequest[], results: readonly CallResult[], sinceMs: number): RequestOutcome[] {
  return requests.map((request) => {
    const mine = results.filter((r) => r.to === request.to && receivedAtMs(r) >= sinceMs - CLOCK_SLACK_MS);
    const result = mine.reduce<CallResult | undefined>((best, r) => (best === undefined || outranks(r, best) ? r : best), undefined);
    return result === undefined ? { request } : { request, result };
  });
}

/** When the request's webhook reached the ingest; results of other producers fall back to their request or decision time. */
function receivedAtMs(result: CallResult): number {
  return Date.parse(result.source?.received_at ?? result.requested_at ?? result.decided_at);
}

function outranks(a: CallResult, b: CallResult): boolean {
  const finalA = FINAL.has(a.outcome);
  if (finalA !== FINAL.has(b.outcome)) return finalA;
  return Date.parse(a.decided_at) >= Date.parse(b.decided_at);
}

/**
 * Whether waiting longer can change what the demo shows: not once every request has a final
 * result, or is deferred or parked past `deadlineMs` (a deferral due before it may yet be placed).
 */
export function allSettled(outcomes: readonly RequestOutcome[], deadlineMs: number): boolean {
  return outcomes.every(({ result }) => {
    if (result === undefined) return false;
    if (result.outcome === "deferred") return Date.parse(result.not_before) > deadlineMs;
    return true;
  });
}

export type DemoVerdict = { ok: true; summary: string } | { ok: false; problem: string };

/**
 * Exit 0 when every request was placed, or deferred or suppressed with its reason: the pipeline
 * did its job and said so. Otherwise say what is missing or went wrong.
 */
export function demoVerdict(outcomes: readonly RequestOutcome[], waitSeconds: number): DemoVerdict {
  const missing = outcomes.filter((o) => o.result === undefined);
  if (missing.length > 0) {
    const which = missing.map((o) => `${o.request.route} ${maskPhoneNumber(o.request.to)}`).join(", ");
    return {
      ok: false,
      problem:
        `no result for ${missing.length} of ${outcomes.length} requests within ${waitSeconds} s (${which}): ` +
        "is the worker running? (`callbridge stack` starts it; a longer --wait gives a slow one more time)",
    };
  }
  const counts = countOutcomes(outcomes);
  const unexpected = [...counts].filter(([outcome]) => !EXPECTED.has(outcome as CallResult["outcome"]));
  if (unexpected.length > 0) {
    const which = unexpected.map(([outcome, n]) => `${n} ${outcome}`).join(", ");
    return {
      ok: false,
      problem: `${which} of ${outcomes.length} requests: the demo's calls should be placed or held by the guard (see the table)`,
    };
  }
  return { ok: true, summary: `every request has a result: ${[...counts].map(([outcome, n]) => `${n} ${outcome}`).join(", ")}` };
}

/** How many requests ended in each outcome, in the order first seen. */
function countOutcomes(outcomes: readonly RequestOutcome[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { result } of outcomes) if (result) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
  return counts;
}
