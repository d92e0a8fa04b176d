import { once } from "node:events";
import { type RedisServerProcess, redisServerAvailable, startRedisServer } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claimEvents } from "./claim-events.js";
import { type DeliveredEvents, InMemoryDeliveredEvents, RedisDeliveredEvents } from "./delivered-events.js";

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

  it("keeps exactly the newest keys through many drops and refreshes", async () => {
    const delivered = new InMemoryDeliveredEvents(60_000, 100, clock);
    // The model: keys in remembered order, a refreshed key moved to the end, the oldest dropped.
    let model: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const key = i % 7 === 0 && model.length > 50 ? (model[model.length - 40] as string) : `k${i}`;
      await delivered.remember([key]);
      model = [...model.filter((k) => k !== key), key].slice(-100);
    }
    const candidates = Array.from({ length: 5_000 }, (_, i) => `k${i}`);
    expect([...(await delivered.delivered(candidates))].sort()).toEqual([...model].sort());
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

/** The claim rules, the same for both stores; `lapse` ends a claim's lease early. */
function claimRules(name: string, make: () => { store: DeliveredEvents; lapse: (key: string) => Promise<void> }) {
  describe(`${name}: claims`, () => {
    it("a key nobody holds is claimed; the same writer may claim it again", async () => {
      const { store } = make();
      expect(await store.claim(["k1"], "a", 5_000)).toEqual({ claimed: new Set(["k1"]), delivered: new Set() });
      expect(await store.claim(["k1"], "a", 5_000)).toEqual({ claimed: new Set(["k1"]), delivered: new Set() });
    });

    it("a key another writer holds is neither claimed nor delivered", async () => {
      const { store } = make();
      await store.claim(["k1", "k2"], "a", 5_000);
      expect(await store.claim(["k1", "k3"], "b", 5_000)).toEqual({ claimed: new Set(["k3"]), delivered: new Set() });
    });

    it("a delivered key is reported delivered, and remembering ends the claim", async () => {
      const { store } = make();
      await store.claim(["k1"], "a", 5_000);
      await store.remember(["k1"]);
      expect(await store.claim(["k1"], "b", 5_000)).toEqual({ claimed: new Set(), delivered: new Set(["k1"]) });
      expect(await store.delivered(["k1"])).toEqual(new Set(["k1"]));
    });

    it("a claim held but not delivered is not reported delivered", async () => {
      const { store } = make();
      await store.claim(["k1"], "a", 5_000);
      expect(await store.delivered(["k1"])).toEqual(new Set());
    });

    it("a released claim may be taken by another writer; releasing someone else's does nothing", async () => {
      const { store } = make();
      await store.claim(["k1", "k2"], "a", 5_000);
      await store.release(["k1"], "a");
      await store.release(["k2"], "b");
      expect(await store.claim(["k1", "k2"], "b", 5_000)).toEqual({ claimed: new Set(["k1"]), delivered: new Set() });
    });

    it("a claim whose writer died lapses by itself", async () => {
      const { store, lapse } = make();
      await store.claim(["k1"], "a", 5_000);
      await lapse("k1");
      expect(await store.claim(["k1"], "b", 5_000)).toEqual({ claimed: new Set(["k1"]), delivered: new Set() });
    });

    it("claimEvents waits for another writer's write: delivered when it lands, taken over when it fails", async () => {
      const { store } = make();
      await store.claim(["k1", "k2"], "a", 5_000);
      setTimeout(() => {
        void store.remember(["k1"]);
        void store.release(["k2"], "a");
      }, 100);
      const result = await claimEvents(store, ["k1", "k2", "k3"], "b", { ttlMs: 5_000, waitMs: 3_000, pollMs: 10 });
      expect({ ...result, claimed: [...result.claimed].sort() }).toEqual({ claimed: ["k2", "k3"], delivered: ["k1"], busy: [] });
    });

    it("claimEvents reports as busy what another writer still holds after the wait", async () => {
      const { store } = make();
      await store.claim(["k1"], "a", 5_000);
      expect(await claimEvents(store, ["k1", "k2"], "b", { ttlMs: 5_000, waitMs: 50, pollMs: 10 })).toEqual({
        claimed: ["k2"],
        delivered: [],
        busy: ["k1"],
      });
    });
  });
}

{
  let nowMs = 1_700_000_000_000;
  claimRules("InMemoryDeliveredEvents", () => {
    const store = new InMemoryDeliveredEvents(60_000, 100, () => nowMs);
    return {
      store,
      lapse: async () => {
        nowMs += 5_001;
      },
    };
  });
}

describe.skipIf(!redisServerAvailable())("RedisDeliveredEvents claims (real redis-server)", () => {
  let server: RedisServerProcess;
  let inspect: Redis;
  const opened: RedisDeliveredEvents[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    inspect = new Redis(server.url);
  });
  afterAll(async () => {
    for (const store of opened) await store.close();
    await inspect?.quit();
    await server?.stop();
  });
  beforeEach(async () => {
    await inspect.flushall();
  });
  claimRules("RedisDeliveredEvents", () => {
    const store = new RedisDeliveredEvents(new Redis(server.url), 600);
    opened.push(store);
    return { store, lapse: async (key) => void (await inspect.pexpireat(`callbridge:ingest:delivered:${key}`, 1)) };
  });
});
