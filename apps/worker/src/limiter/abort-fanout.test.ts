import { describe, expect, it } from "vitest";
import { AbortFanout } from "./abort-fanout.js";

describe("AbortFanout", () => {
  it("tells every waiter on a signal when it aborts, with one listener, and none that left", () => {
    const fanout = new AbortFanout<{ onAbort(): void }>();
    const controller = new AbortController();
    const told: string[] = [];
    const waiter = (name: string) => ({ onAbort: () => told.push(name) });
    const [a, b, c] = [waiter("a"), waiter("b"), waiter("c")];
    let adds = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      adds += 1;
      add(...args);
    }) as typeof add;
    fanout.add(controller.signal, a);
    fanout.add(controller.signal, b);
    fanout.add(controller.signal, c);
    fanout.remove(controller.signal, b);
    controller.abort();
    expect(told).toEqual(["a", "c"]);
    expect(adds).toBe(1);
  });

  it("drops its listener once the last waiter leaves, and adds a new one for the next", () => {
    const fanout = new AbortFanout<{ onAbort(): void }>();
    const controller = new AbortController();
    const told: string[] = [];
    const first = { onAbort: () => told.push("first") };
    fanout.add(controller.signal, first);
    fanout.remove(controller.signal, first);
    const second = { onAbort: () => told.push("second") };
    fanout.add(controller.signal, second);
    controller.abort();
    expect(told).toEqual(["second"]);
  });
});
