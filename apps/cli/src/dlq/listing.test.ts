import { describe, expect, it } from "vitest";
import { table } from "../output/table.js";
import { streamingJson, streamingTable, tail } from "./listing.js";

function collect() {
  const lines: string[] = [];
  return { lines, out: (text: string) => lines.push(text) };
}

describe("streaming listings", () => {
  const rows = [
    ["0:1", "http_4xx", "campaign-a"],
    ["0:2", "invalid_phone", "c"],
    ["1:10", "retries_exhausted", "campaign-long-name"],
  ];

  it.each([0, 1, 3])("prints %s rows as table() does", (n) => {
    const { lines, out } = collect();
    const listing = streamingTable<string[]>(out, ["ID", "REASON", "CAMPAIGN"], (r) => r);
    for (const row of rows.slice(0, n)) listing.add(row);
    expect(listing.end()).toBe(n);
    expect(lines.join("\n")).toBe(n === 0 ? "" : table(["ID", "REASON", "CAMPAIGN"], rows.slice(0, n)));
  });

  it.each([0, 1, 3])("prints %s items as JSON.stringify(array, null, 2) does", (n) => {
    const { lines, out } = collect();
    const listing = streamingJson<string[]>(out, (r) => ({ id: r[0], reason: r[1] }));
    for (const row of rows.slice(0, n)) listing.add(row);
    listing.end();
    expect(lines.join("\n")).toBe(
      JSON.stringify(
        rows.slice(0, n).map((r) => ({ id: r[0], reason: r[1] })),
        null,
        2,
      ),
    );
  });

  it.each([
    [1, 5, [4]],
    [3, 5, [2, 3, 4]],
    [5, 5, [0, 1, 2, 3, 4]],
    [10, 5, [0, 1, 2, 3, 4]],
    [3, 0, []],
  ])("keeps the last %s of %s in order", (limit, count, kept) => {
    const got: number[] = [];
    const listing = tail<number>(limit, { add: (n) => got.push(n), end: () => got.length });
    for (let i = 0; i < count; i++) listing.add(i);
    expect(listing.end()).toBe(kept.length);
    expect(got).toEqual(kept);
  });
});
