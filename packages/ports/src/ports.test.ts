import { once } from "node:events";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, portFree } from "./ports.js";

describe("ports", () => {
  it("finds a free loopback port, and tells a taken one from a free one", async () => {
    const port = await freePort();
    expect(await portFree(port)).toBe(true);
    const server = createServer().listen(port, "127.0.0.1");
    await once(server, "listening");
    try {
      expect(await portFree(port)).toBe(false);
    } finally {
      server.close();
    }
  });
});
