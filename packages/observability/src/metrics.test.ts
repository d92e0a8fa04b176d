import { describe, expect, it } from "vitest";
import { Counter, createRegistry, startMetricsServer } from "./metrics.js";

describe("startMetricsServer", () => {
  it("serves the registry in Prometheus text format and nothing else", async () => {
    const registry = createRegistry();
    new Counter({ name: "callbridge_test_things_total", help: "Things.", registers: [registry] }).inc(3);
    const server = await startMetricsServer(registry, { port: 0 });
    try {
      const res = await fetch(server.url);
      expect(res.headers.get("content-type")).toContain("text/plain");
      expect(await res.text()).toContain("callbridge_test_things_total 3");
      expect((await fetch(server.url.replace("/metrics", "/other"))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
