import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";
import { ShutdownManager } from "./shutdown.js";

const logger = createLogger({ name: "t", level: "silent" });

describe("ShutdownManager", () => {
  it("runs steps in order and keeps going past a failing one", async () => {
    const order: string[] = [];
    const manager = new ShutdownManager(logger, 5_000)
      .add("a", () => {
        order.push("a");
      })
      .add("b", () => {
        throw new Error("boom");
      })
      .add("c", async () => {
        order.push("c");
      });
    expect(await manager.run("test")).toBe(false);
    expect(order).toEqual(["a", "c"]);
  });

  it("moves on from a step that outlives the deadline", async () => {
    const order: string[] = [];
    const manager = new ShutdownManager(logger, 50)
      .add("stuck", () => new Promise(() => {}))
      .add("after", () => {
        order.push("after");
      });
    expect(await manager.run("test")).toBe(false);
    expect(order).toEqual(["after"]);
  });

  it("runs once however often it is asked", async () => {
    let runs = 0;
    const manager = new ShutdownManager(logger, 1_000).add("count", () => {
      runs += 1;
    });
    const [first, second] = await Promise.all([manager.run("SIGTERM"), manager.run("SIGINT")]);
    expect([first, second, runs, manager.started]).toEqual([true, true, 1, true]);
  });
});
