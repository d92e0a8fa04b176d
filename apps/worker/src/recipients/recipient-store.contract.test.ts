import { SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import { uniqueName } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { InProcessRecipientStore, type RecipientCheck, type RecipientStore } from "./recipient-store.js";
import { RedisRecipientStore } from "./redis-recipient-store.js";

// The same counting from the in-process store and from the script in a real Redis (on its clock).

const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.quit());

const HOUR = 3_600_000;
let numbers = 0;
/** A number no other test (or earlier run on the same Redis) has counted. */
const freshNumber = () => `+1415${String(Date.now() % 1_000_000).padStart(6, "0")}${String(numbers++ % 10)}`;

describe.each<[string, () => RecipientStore]>([
  ["InProcessRecipientStore", () => new InProcessRecipientStore()],
  ["RedisRecipientStore", () => new RedisRecipientStore(redis)],
])("%s", (_name, make) => {
  const ask = (number: string, key: string, extra: Partial<RecipientCheck> = {}): RecipientCheck => ({
    number,
    key,
    count: true,
    cap: { maxCalls: 3, periodMs: 24 * HOUR },
    cooldownMs: 0,
    ...extra,
  });

  it("counts three, caps the fourth until the first leaves the period, lets a counted request through again, and frees an uncounted call", async () => {
    const store = make();
    const number = freshNumber();
    const before = Date.now();
    const answers = await store.check([ask(number, "a"), ask(number, "b"), ask(number, "c"), ask(number, "d")]);
    expect(answers.slice(0, 3)).toEqual([{ kind: "counted" }, { kind: "counted" }, { kind: "counted" }]);
    expect(answers[3]).toMatchObject({ kind: "capped" });
    const until = (answers[3] as { untilMs: number }).untilMs;
    expect(until).toBeGreaterThanOrEqual(before + 24 * HOUR - 1_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 24 * HOUR + 1_000);
    expect(await store.check([ask(number, "b")])).toEqual([{ kind: "counted" }]);
    await store.uncount([{ number, key: "a" }]);
    expect(await store.check([ask(number, "d")])).toEqual([{ kind: "counted" }]);
    expect(await store.check([ask(freshNumber(), "d")])).toEqual([{ kind: "counted" }]);
  });

  it("answers clear without counting when asked only about the list, and cools down after a call", async () => {
    const store = make();
    const number = freshNumber();
    expect(await store.check([ask(number, "a", { count: false, cap: { maxCalls: 1, periodMs: HOUR } })])).toEqual([{ kind: "clear" }]);
    expect(await store.check([ask(number, "a", { cooldownMs: HOUR })])).toEqual([{ kind: "counted" }]);
    const [cooling] = await store.check([ask(number, "b", { cooldownMs: HOUR })]);
    expect(cooling).toMatchObject({ kind: "cooling" });
    expect((cooling as { untilMs: number }).untilMs).toBeGreaterThan(Date.now() + HOUR - 2_000);
  });
});

describe("RedisRecipientStore and the do-not-call list", () => {
  it("answers listed with the entry, counted or not, and counts nothing for a listed number", async () => {
    const store = new RedisRecipientStore(redis);
    const number = freshNumber();
    const entry = { reason: "opt_out", source: "route:hubspot-opt-out", added_at: "2026-12-06T10:00:00.000Z" };
    await redis.hset(SUPPRESSION_LIST_KEY, number, JSON.stringify(entry));
    const key = uniqueName("req");
    expect(
      await store.check([
        { number, key, count: true, cooldownMs: 0 },
        { number, key, count: false, cooldownMs: 0 },
      ]),
    ).toEqual([
      { kind: "listed", entry },
      { kind: "listed", entry },
    ]);
    expect(await redis.exists(`callbridge:recipient-calls:${number}`)).toBe(0);
    // An entry written by hand that is not our JSON still suppresses.
    await redis.hset(SUPPRESSION_LIST_KEY, number, "yes");
    expect(await store.check([{ number, key, count: true, cooldownMs: 0 }])).toMatchObject([
      { kind: "listed", entry: { reason: "do_not_call" } },
    ]);
    expect(await store.listed([number, freshNumber()])).toEqual([
      { reason: "do_not_call", source: "unreadable entry", added_at: new Date(0).toISOString() },
      undefined,
    ]);
    await redis.hdel(SUPPRESSION_LIST_KEY, number);
    expect(await store.listed([number])).toEqual([undefined]);
  });
});
