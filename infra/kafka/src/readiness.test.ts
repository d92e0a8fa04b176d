import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { freePort } from "@callbridge/ports";
import { afterEach, describe, expect, it } from "vitest";
import { serverProperties } from "./config-files.js";
import { brokerAnswers, waitForKafka } from "./readiness.js";

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A TCP server that answers any request with a Metadata v4 response listing `brokers` brokers. */
async function fakeBroker(brokers: number): Promise<number> {
  const server = createServer((socket) => {
    socket.once("data", (request) => {
      const body = Buffer.alloc(12);
      body.writeInt32BE(request.readInt32BE(8), 0); // echo the correlation id
      body.writeInt32BE(0, 4); // throttle time
      body.writeInt32BE(brokers, 8);
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length, 0);
      socket.end(Buffer.concat([size, body]));
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as { port: number }).port;
}

describe("brokerAnswers", () => {
  it("is ready when metadata lists a broker", async () => {
    expect(await brokerAnswers(`127.0.0.1:${await fakeBroker(1)}`)).toEqual({ ok: true, brokers: 1 });
  });

  it("is not ready while metadata lists no broker", async () => {
    expect(await brokerAnswers(`127.0.0.1:${await fakeBroker(0)}`)).toEqual({ ok: false, reason: "metadata lists no broker yet" });
  });

  it("is not ready, and does not throw, when nothing listens", async () => {
    const result = await brokerAnswers(`127.0.0.1:${await freePort()}`);
    expect(result.ok).toBe(false);
  });

  it("gives up after its timeout, naming the last reason", async () => {
    await expect(waitForKafka(`127.0.0.1:${await freePort()}`, { timeoutMs: 300 })).rejects.toThrow(
      /was not ready within 300 ms \(.*ECONNREFUSED/,
    );
  });

  it("stops waiting as soon as the broker process is gone", async () => {
    await expect(waitForKafka(`127.0.0.1:${await freePort()}`, { timeoutMs: 10_000, isAlive: () => false })).rejects.toThrow(
      "the broker process exited during start-up",
    );
  });
});

describe("serverProperties", () => {
  it("points clients at the broker listener and keeps the controller on its own port", () => {
    const text = serverProperties({ port: 19092, controllerPort: 19093 }, "/data");
    expect(text).toContain("listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093\n");
    expect(text).toContain("advertised.listeners=PLAINTEXT://127.0.0.1:19092\n");
    expect(text).toContain("controller.quorum.voters=1@127.0.0.1:19093\n");
    expect(text).toContain("offsets.topic.replication.factor=1\n");
    expect(text).toContain("group.initial.rebalance.delay.ms=0\n");
  });
});
