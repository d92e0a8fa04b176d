import { describe, expect, it } from "vitest";
import { countCall, InProcessRecipientStore, RECIPIENT_CALLS_KEPT_MS, type RecipientCheck } from "./recipient-store.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-07T12:00:00Z");
const check = (key: string, extra: Partial<RecipientCheck> = {}): RecipientCheck => ({
  number: "+14155550100",
  key,
  count: true,
  cap: { maxCalls: 3, periodMs: 24 * HOUR },
  cooldownMs: 0,
  ...extra,
});

describe("countCall (the rule the Redis script mirrors)", () => {
  const rows: [string, [string, number][], RecipientCheck, ReturnType<typeof countCall>][] = [
    ["no calls yet: counted", [], check("d"), { kind: "counted" }],
    [
      "two in the period: the third counted",
      [
        ["a", T0 - HOUR],
        ["b", T0 - 2 * HOUR],
      ],
      check("d"),
      { kind: "counted" },
    ],
    [
      "three in the period: capped until the oldest leaves it",
      [
        ["a", T0 - 3 * HOUR],
        ["b", T0 - 2 * HOUR],
        ["c", T0 - HOUR],
      ],
      check("d"),
      { kind: "capped", untilMs: T0 - 3 * HOUR + 24 * HOUR },
    ],
    [
      "the same request again (a redelivery): counted, not capped",
      [
        ["a", T0 - 3 * HOUR],
        ["b", T0 - 2 * HOUR],
        ["c", T0 - HOUR],
      ],
      check("c"),
      { kind: "counted" },
    ],
    [
      "calls older than the period do not count",
      [
        ["a", T0 - 30 * HOUR],
        ["b", T0 - 25 * HOUR],
        ["c", T0 - HOUR],
      ],
      check("d"),
      { kind: "counted" },
    ],
    [
      "cap 1: capped until the one call leaves",
      [["a", T0 - HOUR]],
      check("d", { cap: { maxCalls: 1, periodMs: 24 * HOUR } }),
      { kind: "capped", untilMs: T0 + 23 * HOUR },
    ],
    [
      "no cap: counted however many",
      [
        ["a", T0 - 1],
        ["b", T0 - 2],
        ["c", T0 - 3],
        ["e", T0 - 4],
      ],
      check("d", { cap: undefined }),
      { kind: "counted" },
    ],
    [
      "within the cooldown of the latest call: cooling",
      [["a", T0 - 5 * 60_000]],
      check("d", { cooldownMs: 30 * 60_000 }),
      { kind: "cooling", untilMs: T0 + 25 * 60_000 },
    ],
    ["past the cooldown: counted", [["a", T0 - 31 * 60_000]], check("d", { cooldownMs: 30 * 60_000 }), { kind: "counted" }],
  ];
  it.each(rows)("%s", (_name, calls, question, expected) => {
    expect(countCall(new Map(calls), question, T0)).toEqual(expected);
  });

  it("counting records the call; calls older than the longest period are forgotten", () => {
    const calls = new Map([["old", T0 - RECIPIENT_CALLS_KEPT_MS - 1]]);
    countCall(calls, check("d"), T0);
    expect([...calls.keys()]).toEqual(["d"]);
  });
});

describe("InProcessRecipientStore", () => {
  it("asks nothing of a request that is not counted, counts across campaigns by number, and forgets an uncounted call", async () => {
    let now = T0;
    const store = new InProcessRecipientStore(() => now);
    expect(await store.check([check("a", { count: false })])).toEqual([{ kind: "clear" }]);
    expect(await store.check([check("a"), check("b"), check("c"), check("d")])).toEqual([
      { kind: "counted" },
      { kind: "counted" },
      { kind: "counted" },
      { kind: "capped", untilMs: T0 + 24 * HOUR },
    ]);
    await store.uncount([{ number: "+14155550100", key: "b" }]);
    now += 1;
    expect(await store.check([check("d")])).toEqual([{ kind: "counted" }]);
    expect(await store.check([check("x", { number: "+14155550101" })])).toEqual([{ kind: "counted" }]);
  });
});
