import { describe, expect, it } from "vitest";
import { classifyLine, headerColumns, type ImportState, INITIAL_IMPORT_STATE, isNumberLike, type LineOutcome } from "./import-lines.js";

const defaults = { reason: "do_not_call", defaultCountry: "US" } as const;

describe("isNumberLike: what a first line's first column must look like to be a number rather than a header", () => {
  it.each([
    ["+14155550123", true],
    ["(415) 555-0123", true],
    ["415.555.0123", true],
    ["+1 415 555 0123 ext. 12", true],
    ["+1 415 555 01", true], // a bad number, reported as one, not taken for a header
    ["\u202A+1 415 555 0123\u202C", true],
    ["٤١٥٥٥٥٠١٢٣", true], // Arabic-Indic digits
    ["tel:+14155550123", true],
    ["phone", false],
    ["Phone Number", false],
    ["E.164", false],
    ["mobile_1", false],
    ["number", false],
    ["", false],
    ["+", false],
    ["415-555-CALL", false],
  ])("%s -> %s", (text, expected) => {
    expect(isNumberLike(text)).toBe(expected);
  });
});

describe("headerColumns", () => {
  it.each([
    [["number", "reason", "source", "added_at"], { reason: 1, source: 2, addedAt: 3 }],
    [["Phone", " Reason ", "Added at"], { reason: 1, addedAt: 2 }],
    [["phone", "name"], {}],
    // The first column is always the number, whatever it is called.
    [["reason", "source"], { source: 1 }],
  ])("%j -> %j", (cells, columns) => {
    expect(headerColumns(cells)).toEqual(columns);
  });
});

/** Classifies lines in order, as the import does, and answers each outcome. */
function classifyAll(lines: readonly (readonly string[])[]): LineOutcome[] {
  let state: ImportState = INITIAL_IMPORT_STATE;
  return lines.map((cells) => {
    const result = classifyLine(state, cells, defaults);
    state = result.state;
    return result.outcome;
  });
}

const entry = (e164: string, extra: Partial<Extract<LineOutcome, { kind: "entry" }>> = {}) => ({
  kind: "entry",
  e164,
  reason: "do_not_call",
  source: undefined,
  addedAt: undefined,
  ignored: [],
  ...extra,
});

describe("classifyLine", () => {
  it.each<[string, string[][], unknown[]]>([
    ["no header: the first line is a number", [["+14155550123"], ["4155550124"]], [entry("+14155550123"), entry("+14155550124")]],
    [
      "a header, then numbers",
      [
        ["phone", "name"],
        ["+14155550123", "Jane"],
      ],
      [{ kind: "header", text: "phone,name" }, entry("+14155550123")],
    ],
    [
      "blank lines before the header do not make it a number",
      [[""], ["  "], ["phone"], ["+14155550123"]],
      [{ kind: "blank" }, { kind: "blank" }, { kind: "header", text: "phone" }, entry("+14155550123")],
    ],
    [
      "a line of invisible marks and empty cells is blank",
      [["+14155550123"], ["\u200B", " ", ""]],
      [entry("+14155550123"), { kind: "blank" }],
    ],
    [
      "only the first line with content can be a header",
      [["+14155550123"], ["phone"]],
      [entry("+14155550123"), { kind: "bad", text: "phone", problem: "not a phone number" }],
    ],
    [
      "a bad first number is reported, not taken for a header",
      [["+1 415 555 01"]],
      [{ kind: "bad", text: "+1 415 *** 01", problem: "too short for its country" }],
    ],
    [
      "an empty first column with other cells",
      [["+14155550123"], ["", "Jane"]],
      [entry("+14155550123"), { kind: "bad", text: "", problem: "the first column is empty" }],
    ],
    [
      "the bad number is masked",
      [["+1 999 555 0123"]],
      [{ kind: "bad", text: "+1 999 *** **23", problem: "not a valid number in its country (no such number range)" }],
    ],
  ])("%s", (_name, lines, outcomes) => {
    expect(classifyAll(lines)).toEqual(outcomes);
  });

  it("an export's columns are read back: reason, source, added_at", () => {
    expect(
      classifyAll([
        ["number", "reason", "source", "added_at"],
        ["+14155550123", "opt_out", "route:hubspot", "2025-01-02T03:04:05.000Z"],
        ["+14155550124", "", "", ""],
      ]),
    ).toEqual([
      { kind: "header", text: "number,reason,source,added_at" },
      entry("+14155550123", { reason: "opt_out", source: "route:hubspot", addedAt: "2025-01-02T03:04:05.000Z" }),
      entry("+14155550124"),
    ]);
  });

  it("a cell the list cannot take is named and the default used: the number still goes on the list", () => {
    expect(
      classifyAll([
        ["number", "reason", "source", "added_at"],
        ["+14155550123", "customer asked", "x".repeat(201), "yesterday"],
      ]),
    ).toEqual([
      { kind: "header", text: "number,reason,source,added_at" },
      entry("+14155550123", { ignored: ["reason", "source", "added_at"] }),
    ]);
  });

  it("without a header, the other columns mean nothing", () => {
    expect(classifyAll([["+14155550123", "opt_out", "x"]])).toEqual([entry("+14155550123")]);
  });
});
