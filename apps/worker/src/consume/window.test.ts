import { describe, expect, it } from "vitest";
import { partitionShare, room, shouldPause, type WindowState } from "./window.js";

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
    // [what, window, partition in flight, paused before, room, pause]
    ["room: take, fetch", window({ total: 100 }), 10, false, 73, false],
    ["its share is full", window({ total: 100 }), 83, false, 0, true],
    ["paused, not yet half free", window({ total: 100 }), 42, true, 41, true],
    ["paused, half free: fetch again", window({ total: 100 }), 41, true, 42, false],
    ["the whole window nearly full", window({ total: 495 }), 10, false, 5, false],
    ["the whole window is full", window({ maxInFlight: 4, assignedPartitions: 12, total: 4 }), 0, false, 0, true],
    ["draining or the circuit is open", window({ blocked: true }), 0, false, 0, true],
  ])("%s", (_name, state, inFlight, paused, take, pause) => {
    expect(room(state, inFlight)).toBe(take);
    expect(shouldPause(state, inFlight, paused)).toBe(pause);
  });
});
