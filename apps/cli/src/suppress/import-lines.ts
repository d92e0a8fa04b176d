import { cleanPhoneText, SuppressionEntry, type SuppressionListReason } from "@callbridge/schemas";
import { checkNumber, maskedInput } from "./numbers.js";

/**
 * Where a header line put the columns `suppress export` writes besides the number (always the
 * first column): an import of an export restores each entry's reason, source and added_at.
 */
export interface ImportColumns {
  readonly reason?: number;
  readonly source?: number;
  readonly addedAt?: number;
}

/** What the reader knows between lines: whether a line with something on it came yet, and the header's columns. */
export interface ImportState {
  readonly seenContent: boolean;
  readonly columns: ImportColumns;
}

export const INITIAL_IMPORT_STATE: ImportState = { seenContent: false, columns: {} };

/** What a line becomes when the file does not say otherwise. */
export interface ImportDefaults {
  readonly reason: SuppressionListReason;
  readonly defaultCountry: string | undefined;
}

/**
 * One line of the file:
 * - `blank`: nothing on it (whitespace and invisible marks only), skipped silently;
 * - `header`: the first line with content, when its first column is not number-like
 *   (`text`: the line's cells, masked and clipped, to show what was taken as the header);
 * - `entry`: a number read like a routed one, with the reason, source and added_at of its
 *   columns when the header named them (`undefined` where the file says nothing). A reason is
 *   read as `reasonOf` reads it. A cell the list cannot take (a reason it does not know, a
 *   source over 200 characters, a time that is not ISO 8601 with an offset) is named in
 *   `ignored` and the default used: the number is what protects the person, so a stray column
 *   never keeps it off the list;
 * - `bad`: `text` is the first column masked, `problem` says why (no number in it).
 */
export type LineOutcome =
  | { readonly kind: "blank" }
  | { readonly kind: "header"; readonly text: string }
  | {
      readonly kind: "entry";
      readonly e164: string;
      readonly reason: SuppressionListReason;
      readonly source: string | undefined;
      readonly addedAt: string | undefined;
      readonly ignored: readonly ("reason" | "source" | "added_at")[];
    }
  | { readonly kind: "bad"; readonly text: string; readonly problem: string };

/**
 * Decides what one CSV record (its cells, as the parser split them) is, given what came before.
 * Pure: the caller keeps the returned state for the next line.
 */
export function classifyLine(
  state: ImportState,
  cells: readonly string[],
  defaults: ImportDefaults,
): { state: ImportState; outcome: LineOutcome } {
  if (cells.every((cell) => cleanPhoneText(cell) === "")) return { state, outcome: { kind: "blank" } };
  if (!state.seenContent && isHeader(cells)) {
    return {
      state: { seenContent: true, columns: headerColumns(cells) },
      outcome: { kind: "header", text: maskedInput(cells.join(",")) },
    };
  }
  const next = state.seenContent ? state : { ...state, seenContent: true };
  return { state: next, outcome: entryOutcome(cells, next.columns, defaults) };
}

function entryOutcome(cells: readonly string[], columns: ImportColumns, defaults: ImportDefaults): LineOutcome {
  const first = cells[0] ?? "";
  if (cleanPhoneText(first) === "") return { kind: "bad", text: "", problem: emptyFirstColumn(cells) };
  const number = checkNumber(first, defaults.defaultCountry);
  if (!number.ok) return { kind: "bad", text: maskedInput(first), problem: number.problem };
  const cell = (at: number | undefined) => (at === undefined ? "" : (cells[at] ?? "").trim());
  const ignored: ("reason" | "source" | "added_at")[] = [];
  const taken = <T>(name: "reason" | "source" | "added_at", text: string, parsed: T | undefined): T | undefined => {
    if (text !== "" && parsed === undefined) ignored.push(name);
    return parsed;
  };
  const reasonText = cell(columns.reason);
  const sourceText = cell(columns.source);
  const addedAtText = cell(columns.addedAt);
  return {
    kind: "entry",
    e164: number.e164,
    reason: taken("reason", reasonText, reasonOf(reasonText)) ?? defaults.reason,
    source: taken("source", sourceText, parsedOr(SuppressionEntry.shape.source.safeParse(sourceText))),
    addedAt: taken("added_at", addedAtText, parsedOr(SuppressionEntry.shape.added_at.safeParse(addedAtText))),
    ignored,
  };
}

function parsedOr<T>(parsed: { success: true; data: T } | { success: false }): T | undefined {
  return parsed.success ? parsed.data : undefined;
}

/** Why a line has no number: its first cell is empty, and when it has others, it starts with a separator. */
function emptyFirstColumn(cells: readonly string[]): string {
  if (cells.length < 2) return "the first column is empty";
  const numberAt = cells.findIndex((cell, i) => i > 0 && isNumberLike(cell));
  const moved = numberAt === -1 ? "" : `; the number (column ${numberAt + 1}) must be in the first column`;
  return `the first column is empty (a line starting with a separator)${moved}`;
}

/** A reason cell, written as people write it: a word of the list's reasons in any case and with spaces or hyphens. */
const REASON_WORDS = new Map<string, SuppressionListReason>([
  ["do_not_call", "do_not_call"],
  ["donotcall", "do_not_call"],
  ["dnc", "do_not_call"],
  ["opt_out", "opt_out"],
  ["optout", "opt_out"],
]);

/**
 * The reason a cell means: `do_not_call` or `opt_out` in any case, with spaces, hyphens or
 * underscores between the words or none (`opt-out`, `Opt Out`, `optout`, `do-not-call`), or
 * `dnc`; undefined for anything else.
 */
export function reasonOf(text: string): SuppressionListReason | undefined {
  return REASON_WORDS.get(
    text
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, "_"),
  );
}

/**
 * The first line with content is the header when its first cell is a word (not number-like),
 * or is empty while no other cell is number-like (`,name,phone` from a spreadsheet). A first
 * line such as `<tab>+14155550123` is a line whose number is in the wrong column, reported.
 */
function isHeader(cells: readonly string[]): boolean {
  const first = cells[0] ?? "";
  if (cleanPhoneText(first) !== "") return !isNumberLike(first);
  return !cells.some((cell) => isNumberLike(cell));
}

/** A trailing extension (`ext. 12`, `x12`, `#12`) people write after a number. */
const EXTENSION = /\s*(?:ext\.?|extension|x|#)\s*\d+$/i;
/** Digits with the punctuation numbers are written with, and at least one digit. */
const NUMBER_CHARACTERS = /^[+\d\s().\-/]*\d[+\d\s().\-/]*$/;

/**
 * Whether a first column looks like a number, right or wrong: digits and the punctuation
 * numbers are written with (after the ingest's clean-up: invisible marks, other scripts'
 * digits, `tel:`), an extension allowed. A first line whose first column is not number-like
 * is the header ("phone", "E.164", "Mobile number"); one that is, a number even when invalid
 * (so a bad first number is reported, not silently taken for a header).
 */
export function isNumberLike(text: string): boolean {
  return NUMBER_CHARACTERS.test(cleanPhoneText(text).replace(EXTENSION, ""));
}

/** The columns a header names (case and spaces ignored): `reason`, `source`, `added_at` (or `added at`). */
export function headerColumns(cells: readonly string[]): ImportColumns {
  const at = (...names: string[]) => {
    const index = cells.findIndex((cell, i) => i > 0 && names.includes(cell.trim().toLowerCase()));
    return index === -1 ? undefined : index;
  };
  const columns: { reason?: number; source?: number; addedAt?: number } = {};
  const reason = at("reason");
  const source = at("source");
  const addedAt = at("added_at", "added at", "added-at");
  if (reason !== undefined) columns.reason = reason;
  if (source !== undefined) columns.source = source;
  if (addedAt !== undefined) columns.addedAt = addedAt;
  return columns;
}

/** A column of the file whose cell the list could not take, so the default was used. */
export type DefaultedColumn = "reason" | "source" | "added_at";

/**
 * The summary line for the lines whose `column` was not taken: which lines (at most 10
 * named), why, and what they took instead.
 */
export function defaultedText(column: DefaultedColumn, lines: readonly number[], defaults: { reason: string; source: string }): string {
  const named =
    lines.length <= 10
      ? listText(lines.map(String))
      : `${lines.slice(0, 10).join(", ")}, ... (${lines.length.toLocaleString("en-US")} lines)`;
  const which = `line${lines.length === 1 ? "" : "s"} ${named}`;
  const took = lines.length === 1 ? "it took" : "they took";
  switch (column) {
    case "reason":
      return `the reason of ${which} was not understood (the list takes do_not_call or opt_out; opt-out, optout, do-not-call and dnc are read as those); ${took} --reason ${defaults.reason}`;
    case "source":
      return `the source of ${which} is longer than the list takes (200 characters); ${took} source ${defaults.source}`;
    case "added_at":
      return `the added_at of ${which} is not an ISO 8601 time with an offset; ${took} the time of the import`;
  }
}

function listText(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
