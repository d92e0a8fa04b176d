import { describe, expect, it } from "vitest";
import { KeyQueue } from "./key-queue.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("KeyQueue", () => {
  it("runs one key in order and different keys side by side", async () => {
    const log: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const queue = new KeyQueue<string>(async (item) => {
      log.push(`start ${item}`);
      const gate = deferred();
      gates.set(item, gate);
      await gate.promise;
      log.push(`end ${item}`);
    });
    queue.push("a", "a1");
    queue.push("a", "a2");
    queue.push("b", "b1");
    await Promise.resolve();
    expect(log).toEqual(["start a1", "start b1"]);
    gates.get("b1")?.resolve();
    gates.get("a1")?.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(["start a1", "start b1", "end b1", "end a1", "start a2"]);
    gates.get("a2")?.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(queue.activeKeys).toBe(0);
  });

  it("keeps going with the next item when one fails", async () => {
    const done: string[] = [];
    const queue = new KeyQueue<string>(async (item) => {
      if (item === "bad") throw new Error("boom");
      done.push(item);
    });
    queue.push("k", "bad");
    queue.push("k", "good");
    await new Promise((r) => setTimeout(r, 0));
    expect(done).toEqual(["good"]);
  });
});
