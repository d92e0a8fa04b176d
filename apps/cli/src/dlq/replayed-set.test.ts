import { describe, expect, it } from "vitest";
import { ReplayedSet } from "./replayed-set.js";

describe("ReplayedSet", () => {
  const make = () =>
    new ReplayedSet("dlq", [
      { partition: 0, low: "10", high: "30" },
      { partition: 2, low: "0", high: "1" },
    ]);

  it.each([
    ["a replayed letter", [["dlq:0:12", true]], 0, "12", true],
    ["the first offset of a range", [["dlq:0:10", true]], 0, "10", true],
    ["the last offset of a range", [["dlq:0:29", true]], 0, "29", true],
    ["a letter never replayed", [["dlq:0:12", true]], 0, "13", false],
    [
      "a replay then a tombstone",
      [
        ["dlq:0:12", true],
        ["dlq:0:12", false],
      ],
      0,
      "12",
      false,
    ],
    [
      "a tombstone then a replay",
      [
        ["dlq:0:12", false],
        ["dlq:0:12", true],
      ],
      0,
      "12",
      true,
    ],
    ["another dead-letter topic's letter", [["dlq-other:0:12", true]], 0, "12", false],
    ["a topic whose name starts the same", [["dlq2:0:12", true]], 0, "12", false],
    ["a letter before the range (gone)", [["dlq:0:9", true]], 0, "9", false],
    ["a letter past the range (written later)", [["dlq:0:30", true]], 0, "30", false],
    ["a partition without letters", [["dlq:1:0", true]], 1, "0", false],
    ["a one-letter partition", [["dlq:2:0", true]], 2, "0", true],
    ["a malformed key", [["dlq:0:x", true]], 0, "12", false],
  ] as const)("%s", (_name, records, partition, offset, replayed) => {
    const set = make();
    for (const [key, value] of records) set.apply(key, value);
    expect(set.has(partition, offset)).toBe(replayed);
  });

  it("keeps neighbouring bits apart", () => {
    const set = make();
    for (let offset = 10; offset < 30; offset += 2) set.set(0, String(offset), true);
    for (let offset = 10; offset < 30; offset++) expect(set.has(0, String(offset))).toBe(offset % 2 === 0);
  });
});
