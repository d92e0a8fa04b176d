// When the load does what: simulator faults from 30% of the run, a Kafka stall at 50% (only
// for a broker the run started), a batch of direct records every 50 webhooks unless the broker
// is stalled, and one webhook per 100 ms. Pure: the load loop performs the steps it returns.

/** How long the broker is stopped: longer than the ingest's PRODUCE_TIMEOUT_MS (4 s), so it answers 503. */
export const STALL_SECONDS = 6;

export interface LoadPlan {
  readonly loadSeconds: number;
  readonly faultsAt: number;
  /** Undefined when the run may not stall the broker (it did not start it). */
  readonly stallAt: number | undefined;
}

export function loadPlan(loadSeconds: number, canStallKafka: boolean): LoadPlan {
  return {
    loadSeconds,
    faultsAt: Math.round(loadSeconds * 0.3),
    stallAt: canStallKafka ? Math.round(loadSeconds * 0.5) : undefined,
  };
}

export interface LoadState {
  readonly faultsOn: boolean;
  readonly stall: "pending" | "stalled" | "done";
  /** Webhooks sent so far; the next one is the k-th. */
  readonly sent: number;
}

export function initialLoadState(plan: LoadPlan): LoadState {
  return { faultsOn: false, stall: plan.stallAt === undefined ? "done" : "pending", sent: 0 };
}

export type LoadStep = "faults-on" | "stall-kafka" | "resume-kafka" | "direct-batch" | "send-webhook";

/** The steps of one tick at `elapsedSeconds` into the load (undefined: the load is over) and the state after them. */
export function nextLoadSteps(
  plan: LoadPlan,
  state: LoadState,
  elapsedSeconds: number,
): { steps: LoadStep[]; state: LoadState } | undefined {
  if (elapsedSeconds >= plan.loadSeconds) return undefined;
  const steps: LoadStep[] = [];
  let { faultsOn, stall } = state;
  if (!faultsOn && elapsedSeconds >= plan.faultsAt) {
    steps.push("faults-on");
    faultsOn = true;
  }
  if (plan.stallAt !== undefined) {
    if (stall === "pending" && elapsedSeconds >= plan.stallAt) {
      steps.push("stall-kafka");
      stall = "stalled";
    }
    if (stall === "stalled" && elapsedSeconds >= plan.stallAt + STALL_SECONDS) {
      steps.push("resume-kafka");
      stall = "done";
    }
  }
  if (state.sent % 50 === 0 && stall !== "stalled") steps.push("direct-batch");
  steps.push("send-webhook");
  return { steps, state: { faultsOn, stall, sent: state.sent + 1 } };
}
