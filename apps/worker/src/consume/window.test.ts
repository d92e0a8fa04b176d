import { describe, expect, it } from "vitest";
import { mayTake, partitionShare, shouldPause, type WindowState } from "./window.js";

const window = (over: Partial<WindowState> = {}): WindowState => ({
  maxInFlight: 500,
  total: 0,
  assignedPartitions: 6,
  blocked: false,
  ...over,
});

describe("the in-flight window, shared by partitions", () => {
  it.each([
    ["six partitions share 500", window(), 83],
    ["one partition has it all", window({ assignedPartitions: 1 }), 500],
    ["before the first assignment", window({ assignedPartitions: 0 }), 500],
    ["more partitions than records: one each", window({ maxInFlight: 4, assignedPartitions: 12 }), 1],
  ])("%s", (_name, state, share) => {
    expect(partitionShare(state)).toBe(share);
  });

  it.each([
    // [what, window, partition in flight, paused before, may take, pause]
    ["room: take, fetch", window({ total: 100 }), 10, false, true, false],
    ["its share is full", window({ total: 100 }), 83, false, false, true],
    ["paused, not yet half free", window({ total: 100 }), 42, true, true, true],
    ["paused, half free: fetch again", window({ total: 100 }), 41, true, true, false],
    ["the whole window is full", window({ maxInFlight: 4, assignedPartitions: 12, total: 4 }), 0, false, false, true],
    ["draining or the circuit is open", window({ blocked: true }), 0, false, false, true],
  ])("%s", (_name, state, inFlight, paused, take, pause) => {
    expect(mayTake(state, inFlight)).toBe(take);
    expect(shouldPause(state, inFlight, paused)).toBe(pause);
  });
});
