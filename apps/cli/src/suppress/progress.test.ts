import { describe, expect, it } from "vitest";
import { PROGRESS_EVERY_MS, ProgressLine } from "./progress.js";

/** A progress line over a clock the test moves, and what it wrote. */
function setup(interactive: boolean) {
  let now = 1_000_000;
  let count = 0;
  const written: string[] = [];
  const line = new ProgressLine({ write: (text) => written.push(text), interactive, nowMs: () => now }, () => `${count} read`);
  return {
    line,
    written,
    advance: (ms: number, read: number) => {
      now += ms;
      count = read;
      line.tick();
    },
  };
}

describe("ProgressLine on a terminal", () => {
  it("redraws one line in place, no oftener than every 250 ms", () => {
    const { written, advance } = setup(true);
    advance(100, 1);
    advance(100, 2);
    expect(written).toEqual([]);
    advance(PROGRESS_EVERY_MS.terminal - 200, 3);
    advance(10, 4);
    advance(PROGRESS_EVERY_MS.terminal, 5);
    expect(written).toEqual(["\r3 read\u001b[K", "\r5 read\u001b[K"]);
  });

  it("clear() erases the line once, so other output starts on a clean line", () => {
    const { line, written, advance } = setup(true);
    line.clear();
    expect(written).toEqual([]);
    advance(PROGRESS_EVERY_MS.terminal, 1);
    line.clear();
    line.clear();
    expect(written).toEqual(["\r1 read\u001b[K", "\r\u001b[K"]);
  });
});

describe("ProgressLine in a pipe or a file", () => {
  it("writes whole lines, every 5 s at most, and nothing to erase", () => {
    const { line, written, advance } = setup(false);
    advance(PROGRESS_EVERY_MS.terminal, 1);
    expect(written).toEqual([]);
    advance(PROGRESS_EVERY_MS.log, 2);
    advance(1_000, 3);
    advance(PROGRESS_EVERY_MS.log, 4);
    line.clear();
    expect(written).toEqual(["2 read\n", "4 read\n"]);
  });
});
