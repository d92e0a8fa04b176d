import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { containerRuntimeAvailable } from "./container-runtime.js";
import { provideKafka } from "./kafka-provider.js";
import { provideRedis } from "./redis-provider.js";
import { redisServerAvailable, startRedisServer } from "./redis-server.js";

/** Sends one inline Redis command and returns the raw reply. */
function redis(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`${command}\r\n`));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once("error", reject);
  });
}

describe("providers", () => {
  it("use KAFKA_BROKERS and REDIS_URL when set, starting nothing", async () => {
    const kafka = await provideKafka({ KAFKA_BROKERS: "10.0.0.1:9092" });
    expect(kafka).toMatchObject({ brokers: "10.0.0.1:9092", source: "env" });
    const redisFromEnv = await provideRedis({ REDIS_URL: "redis://10.0.0.2:6379" });
    expect(redisFromEnv).toMatchObject({ url: "redis://10.0.0.2:6379", source: "env" });
  });

  it("skip the container probe when CALLBRIDGE_CONTAINERS=off", async () => {
    expect(await containerRuntimeAvailable({ CALLBRIDGE_CONTAINERS: "off" })).toBe(false);
  });
});

describe.skipIf(!redisServerAvailable())("redis-server process", () => {
  it("answers on its port, forgets everything when killed, and comes back on the same port", async () => {
    const server = await startRedisServer();
    try {
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(await redis(server.port, "SET k v")).toBe("+OK\r\n");
      expect(await redis(server.port, "GET k")).toBe("$1\r\nv\r\n");
      await server.kill();
      await expect(redis(server.port, "PING")).rejects.toThrow(/ECONNREFUSED/);
      await server.start();
      expect(await redis(server.port, "GET k")).toBe("$-1\r\n");
    } finally {
      await server.stop();
    }
    await expect(redis(server.port, "PING")).rejects.toThrow(/ECONNREFUSED/);
  });
});
