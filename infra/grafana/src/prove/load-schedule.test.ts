import { describe, expect, it } from "vitest";
import { initialLoadState, type LoadPlan, type LoadState, loadPlan, nextLoadSteps } from "./load-schedule.js";

const plan = loadPlan(70, true);
const state = (over: Partial<LoadState> = {}): LoadState => ({ ...initialLoadState(plan), sent: 1, ...over });

describe("the load schedule", () => {
  it("puts faults at 30% and the stall at 50% of the run, and no stall for a broker the run did not start", () => {
    expect(plan).toEqual({ loadSeconds: 70, faultsAt: 21, stallAt: 35 });
    expect(loadPlan(70, false).stallAt).toBeUndefined();
    expect(initialLoadState(loadPlan(70, false)).stall).toBe("done");
  });

  it.each<[string, LoadPlan, LoadState, number, string[] | undefined, Partial<LoadState>]>([
    ["first tick: a direct batch, then a webhook", plan, state({ sent: 0 }), 0, ["direct-batch", "send-webhook"], { sent: 1 }],
    ["an ordinary tick", plan, state(), 5, ["send-webhook"], { sent: 2 }],
    ["faults once", plan, state(), 21, ["faults-on", "send-webhook"], { faultsOn: true }],
    ["faults already on", plan, state({ faultsOn: true }), 22, ["send-webhook"], {}],
    ["the stall", plan, state({ faultsOn: true }), 35, ["stall-kafka", "send-webhook"], { stall: "stalled" }],
    ["no direct batch while stalled", plan, state({ faultsOn: true, stall: "stalled", sent: 400 }), 40, ["send-webhook"], {}],
    ["resume after 6 s", plan, state({ faultsOn: true, stall: "stalled" }), 41, ["resume-kafka", "send-webhook"], { stall: "done" }],
    ["never stalls a broker it may not", loadPlan(70, false), state({ stall: "done", faultsOn: true }), 35, ["send-webhook"], {}],
    ["over after the load seconds", plan, state(), 70, undefined, {}],
  ])("%s", (_name, p, before, elapsed, steps, after) => {
    const tick = nextLoadSteps(p, before, elapsed);
    expect(tick?.steps).toEqual(steps);
    if (tick) expect(tick.state).toEqual({ ...before, sent: before.sent + 1, ...after });
  });
});
