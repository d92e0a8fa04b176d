import { uniqueName } from "@callbridge/test-infra";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { InMemoryLedger, type Ledger } from "./ledger.js";
import { RedisLedger } from "./redis-ledger.js";

// The same behaviour from the in-process ledger and from the one in a real Redis.

const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.quit());

const entry = { callId: "call-1", placedAt: "2026-11-29T10:00:00.000Z" };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keys = (...names: string[]) => names.map((key) => ({ key }));
const record = (offset: number, partition = 0) => ({ topic: "requests", partition, offset: String(offset) });

describe.each<[string, () => Ledger]>([
  ["InMemoryLedger", () => new InMemoryLedger(60_000, 1_000)],
  ["RedisLedger", () => new RedisLedger(redis, 60, "group", `${uniqueName("ledger")}:`)],
])("%s", (_name, make) => {
  it("claims a new key, renews it for its owner and refuses it to another", async () => {
    const ledger = make();
    expect(await ledger.begin(keys("k"), "a", 60_000)).toEqual([{ kind: "claimed", attempted: false }]);
    expect(await ledger.begin(keys("k"), "a", 60_000)).toEqual([{ kind: "claimed", attempted: false }]);
    expect(await ledger.begin(keys("k"), "b", 60_000)).toEqual([{ kind: "held_elsewhere" }]);
  });

  it("hands a lapsed claim to the next owner, with the attempt its holder recorded", async () => {
    const ledger = make();
    await ledger.begin(keys("k"), "a", 50);
    expect(await ledger.confirm([{ key: "k", markAttempted: true }], "a", 50)).toEqual([true]);
    await pause(120);
    expect(await ledger.begin(keys("k"), "b", 60_000)).toEqual([{ kind: "claimed", attempted: true }]);
    expect(await ledger.confirm([{ key: "k", markAttempted: false }], "a", 50)).toEqual([false]);
    expect(await ledger.renew(["k"], "a", 60_000)).toEqual(["taken"]);
    expect(await ledger.renew(["k"], "b", 60_000)).toEqual(["renewed"]);
  });

  it("takes back a lapsed claim nobody else took (as after Redis lost it), unless the request was placed meanwhile", async () => {
    const ledger = make();
    await ledger.begin(keys("free", "done"), "a", 50);
    await pause(120);
    expect(await ledger.renew(["free", "done"], "a", 60_000)).toEqual(["gone", "gone"]);
    await ledger.begin(keys("done"), "b", 60_000);
    await ledger.finish([{ key: "done", outcome: { kind: "placed", entry } }], "b");
    expect(
      await ledger.confirm(
        [
          { key: "free", markAttempted: true },
          { key: "done", markAttempted: true },
        ],
        "a",
        60_000,
      ),
    ).toEqual([true, false]);
    expect(await ledger.begin(keys("free"), "c", 60_000)).toEqual([{ kind: "held_elsewhere" }]);
  });

  it("remembers a placed call and forgets its attempt", async () => {
    const ledger = make();
    await ledger.begin(keys("k"), "a", 60_000);
    await ledger.confirm([{ key: "k", markAttempted: true }], "a", 60_000);
    await ledger.finish([{ key: "k", outcome: { kind: "placed", entry } }], "a");
    await ledger.release(["k"], "a");
    expect(await ledger.begin(keys("k"), "b", 60_000)).toEqual([{ kind: "placed", entry }]);
  });

  it("keeps the claim after the end is recorded, until the outputs are written; then knows the record as settled", async () => {
    const ledger = make();
    await ledger.begin([{ key: "k", record: record(5) }], "a", 60_000);
    await ledger.finish([{ key: "k", outcome: { kind: "placed", entry } }], "a");
    // A rebalance handed the record to b while a writes the result: b waits rather than answer "already placed".
    expect(await ledger.begin([{ key: "k", record: record(5) }], "b", 60_000)).toEqual([{ kind: "held_elsewhere" }]);
    await ledger.settle([{ key: "k", record: record(5) }], "a");
    expect(await ledger.begin([{ key: "k", record: record(5) }], "b", 60_000)).toEqual([{ kind: "settled" }]);
    // Another record of the same key (a replay, a second copy) is not this one: it finds the call placed.
    expect(await ledger.begin([{ key: "k", record: record(6) }], "b", 60_000)).toEqual([{ kind: "placed", entry }]);
    expect(await ledger.begin([{ key: "k", record: record(5, 1) }], "b", 60_000)).toEqual([{ kind: "placed", entry }]);
  });

  it("records an end whose claim another owner took meanwhile, and says so: that owner reports the request", async () => {
    const ledger = make();
    await ledger.begin(keys("k"), "a", 50);
    await ledger.confirm([{ key: "k", markAttempted: true }], "a", 50);
    await pause(120);
    expect(await ledger.begin(keys("k"), "b", 60_000)).toEqual([{ kind: "claimed", attempted: true }]);
    // a's call came back 201 after its claim lapsed and b took the request.
    expect(await ledger.finish([{ key: "k", outcome: { kind: "placed", entry } }], "a")).toEqual([false]);
    expect(await ledger.finish([{ key: "k", outcome: { kind: "placed", entry } }], "b")).toEqual([true]);
    await ledger.settle([{ key: "k", record: record(1) }], "b");
    expect(await ledger.begin(keys("k"), "c", 60_000)).toEqual([{ kind: "placed", entry }]);
  });

  it("knows a settled record that ended without a call, and forgets the marks below a committed offset", async () => {
    const ledger = make();
    for (const offset of [5, 7]) {
      await ledger.begin([{ key: `k${offset}`, record: record(offset) }], "a", 60_000);
      await ledger.finish([{ key: `k${offset}`, outcome: { kind: "not_placed", proven: true } }], "a");
      await ledger.settle([{ key: `k${offset}`, record: record(offset) }], "a");
    }
    await ledger.forgetSettled([{ topic: "requests", partition: 0, below: "6" }]);
    expect(
      await ledger.begin(
        [
          { key: "k5", record: record(5) },
          { key: "k7", record: record(7) },
        ],
        "b",
        60_000,
      ),
    ).toEqual([{ kind: "claimed", attempted: false }, { kind: "settled" }]);
  });

  it("forgets an attempt that answers proved placed nothing, and keeps one that may have landed", async () => {
    const ledger = make();
    await ledger.begin(keys("proven", "unknown"), "a", 60_000);
    await ledger.confirm(
      [
        { key: "proven", markAttempted: true },
        { key: "unknown", markAttempted: true },
      ],
      "a",
      60_000,
    );
    await ledger.finish(
      [
        { key: "proven", outcome: { kind: "not_placed", proven: true } },
        { key: "unknown", outcome: { kind: "not_placed", proven: false } },
      ],
      "a",
    );
    await ledger.release(["proven", "unknown"], "a");
    expect(await ledger.begin(keys("proven", "unknown"), "b", 60_000)).toEqual([
      { kind: "claimed", attempted: false },
      { kind: "claimed", attempted: true },
    ]);
  });

  it("answers many keys at once, in order", async () => {
    const ledger = make();
    await ledger.begin(keys("held"), "other", 60_000);
    await ledger.begin(keys("done"), "other", 60_000);
    await ledger.finish([{ key: "done", outcome: { kind: "placed", entry } }], "other");
    await ledger.settle([{ key: "done", record: record(1) }], "other");
    expect(await ledger.begin(keys("fresh", "held", "done"), "a", 60_000)).toEqual([
      { kind: "claimed", attempted: false },
      { kind: "held_elsewhere" },
      { kind: "placed", entry },
    ]);
    expect(
      await ledger.confirm(
        [
          { key: "fresh", markAttempted: false },
          { key: "held", markAttempted: true },
        ],
        "a",
        60_000,
      ),
    ).toEqual([true, false]);
  });

  it("lets only the owner release a claim", async () => {
    const ledger = make();
    await ledger.begin(keys("k"), "a", 60_000);
    await ledger.release(["k"], "b");
    expect(await ledger.begin(keys("k"), "b", 60_000)).toEqual([{ kind: "held_elsewhere" }]);
    await ledger.release(["k"], "a");
    expect(await ledger.begin(keys("k"), "b", 60_000)).toEqual([{ kind: "claimed", attempted: false }]);
  });
});

describe("RedisLedger settled marks", () => {
  it("are per consumer group: another deployment reading the same topic keeps its own", async () => {
    const prefix = `${uniqueName("ledger")}:`;
    const one = new RedisLedger(redis, 60, "group-one", prefix);
    const two = new RedisLedger(redis, 60, "group-two", prefix);
    await one.settle([{ key: "k", record: record(3) }], "a");
    expect(await one.begin([{ key: "k", record: record(3) }], "b", 60_000)).toEqual([{ kind: "settled" }]);
    expect(await two.begin([{ key: "k", record: record(3) }], "b", 60_000)).toEqual([{ kind: "claimed", attempted: false }]);
  });
});

describe("InMemoryLedger bounds", () => {
  it("remembers at most maxEntries placed calls, dropping the oldest, and forgets them after the TTL", async () => {
    let now = 0;
    const ledger = new InMemoryLedger(1_000, 3, () => now);
    for (const key of ["a", "b", "c", "d"]) await ledger.finish([{ key, outcome: { kind: "placed", entry } }], "w");
    expect(ledger.size).toBe(3);
    expect((await ledger.begin(keys("a", "d"), "w", 10)).map((r) => r.kind)).toEqual(["claimed", "placed"]);
    now = 1_001;
    expect((await ledger.begin(keys("d"), "w", 10)).map((r) => r.kind)).toEqual(["claimed"]);
  });
});
