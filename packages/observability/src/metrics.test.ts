import { describe, expect, it } from "vitest";
import { Counter, childByLabel, createRegistry } from "./metrics.js";

describe("childByLabel", () => {
  it("makes each label value's child once and hands the same one back, counting into the labelled series", async () => {
    const registry = createRegistry();
    const counter = new Counter({ name: "t_events_total", help: "t", labelNames: ["source"], registers: [registry] });
    let made = 0;
    const of = childByLabel((source) => {
      made += 1;
      return counter.labels({ source });
    });
    of("hubspot").inc();
    of("hubspot").inc(2);
    of("pipedrive").inc();
    expect(made).toBe(2);
    expect(of("hubspot")).toBe(of("hubspot"));
    const values = (await counter.get()).values.map(({ labels, value }) => [labels.source, value]);
    expect(values).toEqual([
      ["hubspot", 3],
      ["pipedrive", 1],
    ]);
  });
});
