import type { CallResult } from "@callbridge/schemas";
import type { RunningSimulator } from "./simulator.js";
import type { AcceptedWebhook } from "./webhook-load.js";

/** A call the simulator accepted, by the lead its route put in `context.lead`. */
export interface CallAtSimulator {
  readonly lead: string;
  readonly createdAtMs: number;
}

/** Read in-process: the API's `created_at` has whole seconds, too coarse for a rate measured per second. */
export function callsAt(sim: RunningSimulator): CallAtSimulator[] {
  const times = sim.sim.state.calls.acceptedTimes();
  return sim.sim.state.calls.list().map((call, i) => ({
    lead: typeof call.context.lead === "string" ? call.context.lead : "(none)",
    createdAtMs: times[i] as number,
  }));
}

/** The outcomes that end a request (`deferred` and `parked` say more is to come). */
const FINAL = new Set<CallResult["outcome"]>(["placed", "already_placed", "duplicate", "dead_lettered", "suppressed"]);

/**
 * How far a call's arrival at the simulator may lag its admission by the limiter on this
 * machine (9 processes on 2 cores: event-loop stalls of this order are common). Calls admitted
 * over 1 s + this can arrive within 1 s, so the bound is also judged on windows this much shorter.
 */
const DELIVERY_JITTER_MS = 100;

/** Calls in the busiest window of `windowMs` (sliding, by the simulator's clock). */
function busiest(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/**
 * What a churn run shows, from the webhooks accepted, the simulator's calls and the results
 * topic: who was called twice or never, the busiest second, each request's final events, and
 * how long the requests waiting on a SIGKILLed worker's partitions waited after the kill.
 */
export function churnFigures(run: {
  readonly accepted: ReadonlyMap<string, AcceptedWebhook>;
  readonly calls: readonly CallAtSimulator[];
  readonly results: readonly CallResult[];
  readonly killedAtMs: number;
}) {
  const callsPerLead = new Map<string, number[]>();
  for (const call of run.calls) callsPerLead.set(call.lead, [...(callsPerLead.get(call.lead) ?? []), call.createdAtMs]);
  const finals = new Map<string, CallResult[]>();
  for (const result of run.results) {
    const lead = typeof result.context?.lead === "string" ? result.context.lead : "(none)";
    if (FINAL.has(result.outcome)) finals.set(lead, [...(finals.get(lead) ?? []), result]);
  }
  const latencies: number[] = [];
  let retriedAfterKillMs = 0;
  let backlogAfterKillMs = 0;
  for (const [lead, webhook] of run.accepted) {
    const first = Math.min(...(callsPerLead.get(lead) ?? [Number.NaN]));
    if (Number.isNaN(first)) continue;
    latencies.push(first - webhook.acceptedAtMs);
    // Not yet called when the worker died, or arriving in the second after: the first of its
    // partitions' requests, called when a live member has taken them over.
    if (first > run.killedAtMs && webhook.acceptedAtMs < run.killedAtMs + 1_000) {
      retriedAfterKillMs = Math.max(retriedAfterKillMs, first - run.killedAtMs);
    }
    // Also those that came in while its partitions had no owner, queued behind them until the backlog drained.
    if (first > run.killedAtMs && webhook.acceptedAtMs < run.killedAtMs + 15_000) {
      backlogAfterKillMs = Math.max(backlogAfterKillMs, first - Math.max(webhook.acceptedAtMs, run.killedAtMs));
    }
  }
  latencies.sort((a, b) => a - b);
  const afterKill = run.calls
    .map((call) => call.createdAtMs)
    .filter((at) => at >= run.killedAtMs && at < run.killedAtMs + 20_000)
    .sort((a, b) => a - b);
  const gaps = afterKill.map((at, i) => at - (afterKill[i - 1] ?? run.killedAtMs));
  const notOne = [...run.accepted.keys()].filter((lead) => finals.get(lead)?.length !== 1);
  const byKill = notOne.filter((lead) => repeatedByTheKill(finals.get(lead) ?? [], run.killedAtMs));
  const show = (lead: string) => `${lead}: ${(finals.get(lead) ?? []).map((result) => result.outcome).join("+") || "none"}`;
  return {
    calls: run.calls.length,
    calledTwice: [...callsPerLead].filter(([, times]) => times.length > 1).map(([lead]) => lead),
    notCalled: [...run.accepted.keys()].filter((lead) => !callsPerLead.has(lead)),
    calledUnasked: [...callsPerLead.keys()].filter((lead) => !run.accepted.has(lead)),
    maxCallsInOneSecond: busiest(
      run.calls.map((call) => call.createdAtMs),
      1_000,
    ),
    maxCallsInOneSecondLessJitter: busiest(
      run.calls.map((call) => call.createdAtMs),
      1_000 - DELIVERY_JITTER_MS,
    ),
    webhookToCallMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    /** The spec's recovery bound: a SIGKILLed worker's requests are called again within 10 s (those pending at the kill, or arriving in the second after it). */
    retriedAfterKillMs,
    /** The longest wait of a request that arrived while the dead worker's partitions had no owner, backlog included (depends on the rate's headroom over the load). */
    backlogAfterKillMs,
    longestPauseAfterKillMs: Math.max(0, ...gaps),
    finalEvents: {
      /** Requests without exactly one final event, but for those the SIGKILL's window explains. */
      notOne: notOne.filter((lead) => !byKill.includes(lead)).map(show),
      repeatedByTheKill: byKill.map(show),
      outcomes: countBy([...finals.values()].map((results) => results.map((result) => result.outcome).join("+"))),
    },
  };
}

/**
 * The one case docs/worker.md leaves open: a worker SIGKILLed between writing a request's
 * outputs and marking its record settled. Its successor finds the call placed and says
 * `already_placed` again. So: one `placed`, decided by the killed worker in the second before
 * the kill, and nothing else but `already_placed`.
 */
function repeatedByTheKill(results: readonly CallResult[], killedAtMs: number): boolean {
  const placed = results.filter((result) => result.outcome === "placed");
  const decidedAtMs = Date.parse(placed[0]?.decided_at ?? "");
  return (
    placed.length === 1 &&
    results.every((result) => result.outcome === "placed" || result.outcome === "already_placed") &&
    decidedAtMs <= killedAtMs &&
    decidedAtMs > killedAtMs - 1_000
  );
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
