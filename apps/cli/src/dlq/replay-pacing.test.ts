import { describe, expect, it, vi } from "vitest";
import { batchSizeFor, dueAtMs, progressLine, sleep } from "./replay-pacing.js";

describe("replay pacing", () => {
  it.each([
    [0, 500],
    [1, 1],
    [9, 1],
    [10, 1],
    [50, 5],
    [0.5, 1],
    [1_000, 100],
    [100_000, 500],
  ])("at --rate %s sends %s letters per produce request", (rate, size) => {
    expect(batchSizeFor(rate)).toBe(size);
  });

  it.each([
    [0, 50, 1_000],
    [5, 50, 1_100],
    [50, 50, 2_000],
    [1, 0.5, 3_000],
    [500, 0, 1_000],
  ])("letter %s at --rate %s may go at %s", (sent, rate, due) => {
    expect(dueAtMs(1_000, sent, rate)).toBe(due);
  });

  it("keeps any one second within the rate plus one batch", () => {
    for (const rate of [1, 7, 50, 333]) {
      const size = batchSizeFor(rate);
      const sends = Array.from({ length: 200 }, (_, batch) => dueAtMs(0, batch * size, rate));
      for (const start of sends) {
        const inWindow = sends.filter((at) => at >= start && at < start + 1_000).length * size;
        expect(inWindow, `rate ${rate}`).toBeLessThanOrEqual(rate + size);
      }
    }
  });

  it.each([
    [0, 100, 0, 0, "[------------------------------] 0/100  0.0/s  ETA 0s"],
    [0, 100, 0, 4, "[------------------------------] 0/100  0.0/s  ETA 25s"],
    [45, 100, 3_750, 0, "[##############----------------] 45/100  12.0/s  ETA 5s"],
    [100, 100, 2_000, 0, "[##############################] 100/100  50.0/s  ETA 0s"],
    [50, 100, 1_000, 0, "[###############---------------] 50/100  50.0/s  ETA 1s"],
    // The first batch went at once: 2 done in 0.25 s is 8/s, but --rate 4 holds the rest to 4/s.
    [2, 12, 250, 4, "[#####-------------------------] 2/12  8.0/s  ETA 3s"],
    // Slower than the cap (a slow broker): the achieved rate sets the ETA.
    [10, 20, 5_000, 4, "[###############---------------] 10/20  2.0/s  ETA 5s"],
  ])("progress at %s of %s after %sms (--rate %s)", (done, total, elapsed, cap, line) => {
    expect(progressLine(done, total, elapsed, cap)).toBe(`\r${line}`);
  });

  it("sleeps no longer once the signal aborts", async () => {
    vi.useFakeTimers();
    try {
      const stop = new AbortController();
      let woke = false;
      void sleep(10_000, stop.signal).then(() => {
        woke = true;
      });
      await vi.advanceTimersByTimeAsync(20);
      expect(woke).toBe(false);
      stop.abort("SIGINT");
      await vi.advanceTimersByTimeAsync(0);
      expect(woke).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
