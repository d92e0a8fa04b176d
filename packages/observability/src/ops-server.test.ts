import { describe, expect, it } from "vitest";
import { Counter, createRegistry } from "./metrics.js";
import { startOpsServer } from "./ops-server.js";

describe("startOpsServer", () => {
  it("serves health, readiness and the registry in Prometheus text format, and nothing else", async () => {
    const registry = createRegistry();
    new Counter({ name: "callbridge_test_things_total", help: "Things.", registers: [registry] }).inc(3);
    let ready = false;
    const server = await startOpsServer({ registry, port: 0, readiness: () => ({ ready, kafka: ready ? "reachable" : "unreachable" }) });
    try {
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.headers.get("content-type")).toContain("text/plain");
      expect(await metrics.text()).toContain("callbridge_test_things_total 3");
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${server.url}/readyz`);
      expect([notReady.status, await notReady.json()]).toEqual([503, { ready: false, kafka: "unreachable" }]);
      ready = true;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${server.url}/other`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it("answers /readyz 200 when no readiness is given", async () => {
    const server = await startOpsServer({ registry: createRegistry(), port: 0 });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
