import { describe, expect, it } from "vitest";
import { type ArgumentCounts, refusedSummary } from "./summary.js";

const listed = "already listed (kept as it was)";
const add = (counts: Omit<ArgumentCounts, "verb" | "done">, added: number, kept: number): ArgumentCounts => ({
  ...counts,
  verb: "added",
  done: [
    [added, "added"],
    [kept, kept === 1 ? listed : "already listed (kept as they were)"],
  ],
});

describe("refusedSummary: what became of every argument", () => {
  it.each<[string, ArgumentCounts, string]>([
    [
      "some added, some listed already",
      add({ total: 5, refused: 2, withoutCountry: 0, repeated: 0 }, 2, 1),
      `2 of 5 arguments were refused (named above); of the other 3: 2 added, 1 ${listed}`,
    ],
    [
      "none added, all the others listed already",
      add({ total: 3, refused: 1, withoutCountry: 0, repeated: 0 }, 0, 2),
      "1 of 3 arguments was refused (named above); of the other 2: 2 already listed (kept as they were)",
    ],
    [
      "a repeated number counted once as added, once as repeated",
      add({ total: 4, refused: 1, withoutCountry: 0, repeated: 1 }, 2, 0),
      "1 of 4 arguments was refused (named above); of the other 3: 2 added, 1 repeated",
    ],
    [
      "all refused",
      add({ total: 3, refused: 3, withoutCountry: 0, repeated: 0 }, 0, 0),
      "3 of 3 arguments were refused (named above); nothing was added",
    ],
    [
      "one refused for lacking a country code",
      add({ total: 3, refused: 1, withoutCountry: 1, repeated: 0 }, 2, 0),
      "1 of 3 arguments was refused (named above); of the other 2: 2 added (it is written without +country code: give --default-country, such as --default-country US)",
    ],
    [
      "several refused, one for lacking a country code",
      add({ total: 5, refused: 2, withoutCountry: 1, repeated: 0 }, 3, 0),
      "2 of 5 arguments were refused (named above); of the other 3: 3 added (one is written without +country code: give --default-country, such as --default-country US)",
    ],
    [
      "all refused for lacking a country code",
      add({ total: 2, refused: 2, withoutCountry: 2, repeated: 0 }, 0, 0),
      "2 of 2 arguments were refused (named above); nothing was added (2 are written without +country code: give --default-country, such as --default-country US)",
    ],
    [
      "the only argument, a national number",
      add({ total: 1, refused: 1, withoutCountry: 1, repeated: 0 }, 0, 0),
      "the argument was refused (named above); nothing was added (it is written without +country code: give --default-country, such as --default-country US)",
    ],
    [
      "the only argument, not a number",
      add({ total: 1, refused: 1, withoutCountry: 0, repeated: 0 }, 0, 0),
      "the argument was refused (named above); nothing was added",
    ],
    [
      "remove: removed and not listed",
      {
        total: 4,
        refused: 1,
        withoutCountry: 0,
        repeated: 0,
        verb: "removed",
        done: [
          [1, "removed"],
          [2, "not listed"],
        ],
      },
      "1 of 4 arguments was refused (named above); of the other 3: 1 removed, 2 not listed",
    ],
  ])("%s", (_why, counts, summary) => {
    expect(refusedSummary(counts)).toBe(summary);
  });
});
