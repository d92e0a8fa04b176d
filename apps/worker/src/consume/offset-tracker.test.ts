import { describe, expect, it } from "vitest";
import { OffsetTracker } from "./offset-tracker.js";

describe("OffsetTracker", () => {
  it("commits only up to the lowest unfinished offset", () => {
    const tracker = new OffsetTracker();
    for (const offset of ["10", "11", "12", "13"]) tracker.add(offset);
    expect(tracker.committable()).toBe("10");
    tracker.done("12");
    tracker.done("13");
    expect(tracker.committable()).toBe("10");
    tracker.done("10");
    expect(tracker.committable()).toBe("11");
    tracker.done("11");
    expect(tracker.committable()).toBe("14");
  });

  it("says nothing new until the position moves past the last commit", () => {
    const tracker = new OffsetTracker();
    tracker.add("0");
    tracker.done("0");
    expect(tracker.committable()).toBe("1");
    tracker.committed("1");
    expect(tracker.committable()).toBeUndefined();
    tracker.add("1");
    expect(tracker.committable()).toBeUndefined();
    tracker.done("1");
    expect(tracker.committable()).toBe("2");
  });

  it("refuses offsets it has seen, as when a rebalance redelivers records still in flight", () => {
    const tracker = new OffsetTracker();
    expect(tracker.add("5")).toBe(true);
    expect(tracker.add("6")).toBe(true);
    expect(tracker.add("5")).toBe(false);
    expect(tracker.inFlight).toBe(2);
  });

  it("handles offsets beyond 2^53", () => {
    const tracker = new OffsetTracker();
    tracker.add("9007199254740993");
    tracker.done("9007199254740993");
    expect(tracker.committable()).toBe("9007199254740994");
  });
});
