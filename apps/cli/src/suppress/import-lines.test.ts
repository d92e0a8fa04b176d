import { describe, expect, it } from "vitest";
import {
  classifyLine,
  defaultedText,
  headerColumns,
  type ImportState,
  INITIAL_IMPORT_STATE,
  isNumberLike,
  type LineOutcome,
  reasonOf,
} from "./import-lines.js";

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
      [entry("+14155550123"), { kind: "bad", text: "", problem: "the first column is empty (a line starting with a separator)" }],
    ],
    [
      "a line starting with a tab, its number in the second column",
      [["+14155550123"], ["", "+14155550124"]],
      [
        entry("+14155550123"),
        {
          kind: "bad",
          text: "",
          problem: "the first column is empty (a line starting with a separator); the number (column 2) must be in the first column",
        },
      ],
    ],
    [
      "a first line starting with a tab is a misplaced number, not a header",
      [["", "+14155550123"], ["+14155550124"]],
      [
        {
          kind: "bad",
          text: "",
          problem: "the first column is empty (a line starting with a separator); the number (column 2) must be in the first column",
        },
        entry("+14155550124"),
      ],
    ],
    [
      "a header with an empty first cell (a spreadsheet's corner) is still a header",
      [
        ["", "name", "phone"],
        ["+14155550123", "Jane"],
      ],
      [{ kind: "header", text: ",name,phone" }, entry("+14155550123")],
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

  it("reads a reason as people write it", () => {
    expect(
      classifyAll([
        ["number", "reason"],
        ["+14155550123", "opt-out"],
        ["+14155550124", " Opt Out "],
        ["+14155550125", "DNC"],
        ["+14155550126", "do-not-call"],
        ["+14155550127", "opted out"],
      ]),
    ).toEqual([
      { kind: "header", text: "number,reason" },
      entry("+14155550123", { reason: "opt_out" }),
      entry("+14155550124", { reason: "opt_out" }),
      entry("+14155550125", { reason: "do_not_call" }),
      entry("+14155550126", { reason: "do_not_call" }),
      entry("+14155550127", { ignored: ["reason"] }),
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

describe("reasonOf", () => {
  it.each([
    ["opt_out", "opt_out"],
    ["opt-out", "opt_out"],
    ["opt out", "opt_out"],
    ["Opt-Out", "opt_out"],
    ["optout", "opt_out"],
    [" OPTOUT ", "opt_out"],
    ["opt__out", "opt_out"],
    ["do_not_call", "do_not_call"],
    ["do-not-call", "do_not_call"],
    ["Do Not Call", "do_not_call"],
    ["donotcall", "do_not_call"],
    ["dnc", "do_not_call"],
    ["DNC", "do_not_call"],
    ["", undefined],
    ["opted out", undefined],
    ["unsubscribed", undefined],
    ["no", undefined],
    ["constructor", undefined],
  ])("%j -> %s", (text, reason) => {
    expect(reasonOf(text)).toBe(reason);
  });
});

describe("defaultedText", () => {
  const defaults = { reason: "do_not_call", source: "import" };
  it.each([
    [
      "reason",
      [3],
      "the reason of line 3 was not understood (the list takes do_not_call or opt_out; opt-out, optout, do-not-call and dnc are read as those); it took --reason do_not_call",
    ],
    [
      "reason",
      [3, 7, 12],
      "the reason of lines 3, 7 and 12 was not understood (the list takes do_not_call or opt_out; opt-out, optout, do-not-call and dnc are read as those); they took --reason do_not_call",
    ],
    [
      "source",
      Array.from({ length: 12 }, (_, i) => i + 2),
      "the source of lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ... (12 lines) is longer than the list takes (200 characters); they took source import",
    ],
    ["added_at", [5], "the added_at of line 5 is not an ISO 8601 time with an offset; it took the time of the import"],
  ] as const)("%s %j", (column, lines, text) => {
    expect(defaultedText(column, lines, defaults)).toBe(text);
  });
});
