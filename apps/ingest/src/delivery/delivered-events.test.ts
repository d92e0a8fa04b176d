import { once } from "node:events";
import { type RedisServerProcess, redisServerAvailable, startRedisServer } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InMemoryDeliveredEvents, RedisDeliveredEvents } from "./delivered-events.js";

describe("InMemoryDeliveredEvents", () => {
  let nowMs = 1_700_000_000_000;
  const clock = () => nowMs;
  beforeEach(() => {
    nowMs = 1_700_000_000_000;
  });

  it("knows nothing at first", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 100, clock);
    expect(await delivered.delivered(["crm:e1:r"])).toEqual(new Set());
  });

  it("answers only for the keys it remembered", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 100, clock);
    await delivered.remember(["crm:e1:r", "crm:e2:r"]);
    expect(await delivered.delivered(["crm:e1:r", "crm:e3:r", "crm:e2:r"])).toEqual(new Set(["crm:e1:r", "crm:e2:r"]));
  });

  it("forgets a key once its TTL has passed", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 100, clock);
    await delivered.remember(["crm:e1:r"]);
    nowMs += 59_999;
    expect(await delivered.delivered(["crm:e1:r"])).toEqual(new Set(["crm:e1:r"]));
    nowMs += 1;
    expect(await delivered.delivered(["crm:e1:r"])).toEqual(new Set());
  });

  it("refreshes the TTL of a key remembered again", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 100, clock);
    await delivered.remember(["crm:e1:r"]);
    nowMs += 50_000;
    await delivered.remember(["crm:e1:r"]);
    nowMs += 50_000;
    expect(await delivered.delivered(["crm:e1:r"])).toEqual(new Set(["crm:e1:r"]));
    nowMs += 10_000;
    expect(await delivered.delivered(["crm:e1:r"])).toEqual(new Set());
  });

  it("drops the oldest keys beyond its size limit", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 3, clock);
    await delivered.remember(["k1", "k2"]);
    await delivered.remember(["k3", "k4", "k5"]);
    expect(await delivered.delivered(["k1", "k2", "k3", "k4", "k5"])).toEqual(new Set(["k3", "k4", "k5"]));
  });

  it("counts a re-remembered key as the newest when evicting", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 3, clock);
    await delivered.remember(["k1", "k2", "k3"]);
    await delivered.remember(["k1"]);
    await delivered.remember(["k4"]);
    expect(await delivered.delivered(["k1", "k2", "k3", "k4"])).toEqual(new Set(["k1", "k3", "k4"]));
  });

  it("closes without losing what it knows", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 100, clock);
    await delivered.remember(["k1"]);
    await delivered.close();
    expect(await delivered.delivered(["k1"])).toEqual(new Set(["k1"]));
  });
});

describe.skipIf(!redisServerAvailable())("RedisDeliveredEvents (real redis-server)", () => {
  let server: RedisServerProcess;
  let inspect: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    inspect = new Redis(server.url);
  });

  afterAll(async () => {
    await inspect?.quit();
    await server?.stop();
  });

  beforeEach(async () => {
    await inspect.flushall();
  });

  it("answers only for the keys it remembered", async () => {
    const delivered = new RedisDeliveredEvents(new Redis(server.url), 600);
    await delivered.remember(["crm:e1:r", "crm:e2:r"]);
    expect(await delivered.delivered(["crm:e1:r", "crm:e3:r", "crm:e2:r"])).toEqual(new Set(["crm:e1:r", "crm:e2:r"]));
    await delivered.close();
  });

  it("is shared between replicas through Redis", async () => {
    const one = new RedisDeliveredEvents(new Redis(server.url), 600);
    const two = new RedisDeliveredEvents(new Redis(server.url), 600);
    await one.remember(["crm:e1:r"]);
    expect(await two.delivered(["crm:e1:r"])).toEqual(new Set(["crm:e1:r"]));
    await one.close();
    await two.close();
  });

  it("stores keys under its prefix with the configured TTL", async () => {
    const delivered = new RedisDeliveredEvents(new Redis(server.url), 600);
    await delivered.remember(["crm:e1:r"]);
    expect(await inspect.keys("*")).toEqual(["callbridge:ingest:delivered:crm:e1:r"]);
    expect(await inspect.get("callbridge:ingest:delivered:crm:e1:r")).toBe("1");
    const ttl = await inspect.ttl("callbridge:ingest:delivered:crm:e1:r");
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    await delivered.close();
  });

  it("uses a custom prefix, so deployments sharing a Redis do not see each other's keys", async () => {
    const staging = new RedisDeliveredEvents(new Redis(server.url), 600, "staging:delivered:");
    const production = new RedisDeliveredEvents(new Redis(server.url), 600);
    await staging.remember(["crm:e1:r"]);
    expect(await inspect.keys("*")).toEqual(["staging:delivered:crm:e1:r"]);
    expect(await production.delivered(["crm:e1:r"])).toEqual(new Set());
    await staging.close();
    await production.close();
  });

  it("refreshes the TTL of a key remembered again", async () => {
    const delivered = new RedisDeliveredEvents(new Redis(server.url), 600);
    await delivered.remember(["crm:e1:r"]);
    await inspect.expire("callbridge:ingest:delivered:crm:e1:r", 5);
    await delivered.remember(["crm:e1:r"]);
    expect(await inspect.ttl("callbridge:ingest:delivered:crm:e1:r")).toBeGreaterThan(590);
    await delivered.close();
  });

  it("forgets a key once Redis expires it", async () => {
    const delivered = new RedisDeliveredEvents(new Redis(server.url), 600);
    await delivered.remember(["crm:e1:r"]);
    // Move its expiry into the past rather than waiting out the TTL.
    await inspect.pexpireat("callbridge:ingest:delivered:crm:e1:r", 1);
    expect(await delivered.delivered(["crm:e1:r"])).toEqual(new Set());
    await delivered.close();
  });

  it("answers an empty question without a round trip and remembers nothing for no keys", async () => {
    const client = new Redis(server.url, { lazyConnect: true });
    const delivered = new RedisDeliveredEvents(client, 600);
    expect(await delivered.delivered([])).toEqual(new Set());
    await delivered.remember([]);
    expect(client.status).toBe("wait");
    expect(await inspect.dbsize()).toBe(0);
    await delivered.close();
  });

  it("rejects when Redis refuses a write, so the caller knows the keys were not remembered", async () => {
    // Redis refuses SET ... EX 0 ("invalid expire time"), which stands in for any failed write.
    const refused = new RedisDeliveredEvents(new Redis(server.url), 0);
    await expect(refused.remember(["crm:e1:r"])).rejects.toThrow(/expire time/i);
    expect(await refused.delivered(["crm:e1:r"])).toEqual(new Set());
    await refused.close();
  });

  it("closes its connection", async () => {
    const client = new Redis(server.url);
    const delivered = new RedisDeliveredEvents(client, 600);
    await delivered.remember(["crm:e1:r"]);
    const ended = once(client, "end");
    await delivered.close();
    await ended;
    expect(client.status).toBe("end");
    await expect(client.ping()).rejects.toThrow(/closed/i);
  });
});

describe.skipIf(!redisServerAvailable())("RedisDeliveredEvents when Redis has gone away", () => {
  let server: RedisServerProcess;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("still closes, so shutdown does not hang", async () => {
    const client = new Redis(server.url);
    client.on("error", () => {});
    const delivered = new RedisDeliveredEvents(client, 600);
    await delivered.remember(["crm:e1:r"]);
    await server.kill();
    // Fails by timing out if QUIT waits for a Redis that is not coming back.
    await expect(delivered.close()).resolves.toBeUndefined();
  });
});
