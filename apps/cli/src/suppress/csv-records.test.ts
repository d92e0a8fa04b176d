import { describe, expect, it } from "vitest";
import { type CsvRecord, CsvSyntaxError, csvRecords } from "./csv-records.js";

/** Every record of `text`, fed `chunkSize` characters at a time (records cut across chunks must not change). */
async function records(text: string, chunkSize = text.length || 1): Promise<CsvRecord[]> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize));
  const all: CsvRecord[] = [];
  for await (const batch of csvRecords(chunks)) all.push(...batch);
  return all;
}

const SAMPLE = [
  "\uFEFFphone,name", // 1, BOM
  "", // 2
  '"+1 (415) 555-0101","Doe, Jane"', // 3, quoted cells, a comma inside
  "+14155550102;semicolon", // 4
  "+14155550103\ttab", // 5
  '"+14155550104","a note', // 6, a cell that runs on to line 7
  'over two lines"', // 7
  'a"quote,inside', // 8, a stray quote in an unquoted cell
  "+14155550105", // 9
].join("\r\n");

const EXPECTED: CsvRecord[] = [
  { line: 1, endLine: 1, cells: ["phone", "name"] },
  { line: 2, endLine: 2, cells: [""] },
  { line: 3, endLine: 3, cells: ["+1 (415) 555-0101", "Doe, Jane"] },
  { line: 4, endLine: 4, cells: ["+14155550102", "semicolon"] },
  { line: 5, endLine: 5, cells: ["+14155550103", "tab"] },
  { line: 6, endLine: 7, cells: ["+14155550104", "a note\r\nover two lines"] },
  { line: 8, endLine: 8, cells: ['a"quote', "inside"] },
  { line: 9, endLine: 9, cells: ["+14155550105"] },
];

describe("csvRecords", () => {
  it("splits cells as CSV does and numbers each record by the line it starts on", async () => {
    expect(await records(SAMPLE)).toEqual(EXPECTED);
  });

  it.each([1, 2, 7, 64])("gives the same records however the text is cut (%i characters a chunk)", async (size) => {
    expect(await records(SAMPLE, size)).toEqual(EXPECTED);
  });

  it("takes \\n, \\r\\n and \\r line ends mixed in one file, and a last line without one", async () => {
    expect((await records("a\nb\r\nc\rd")).map((r) => [r.line, r.cells[0]])).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "c"],
      [4, "d"],
    ]);
  });

  it("a final line break makes no empty record", async () => {
    expect(await records("+14155550101\n")).toEqual([{ line: 1, endLine: 1, cells: ["+14155550101"] }]);
  });

  it("a quote never closed is a CsvSyntaxError naming the line it opens on, after every record before it", async () => {
    const seen: CsvRecord[] = [];
    const read = async () => {
      for await (const batch of csvRecords(["+14155550101\n+14155550102\n", '"+1415555\n+14155550104\n'])) seen.push(...batch);
    };
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(3);
    expect((error as Error).message).toBe("line 3: a quote opened on this line is never closed");
    expect(seen.map((r) => r.cells[0])).toEqual(["+14155550101", "+14155550102"]);
  });
});
