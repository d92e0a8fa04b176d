import { finished } from "node:stream/promises";
import { maskPhoneNumbersIn } from "@callbridge/schemas";
import { parse } from "csv-parse";

/** One CSV record: its cells, and the lines of the file it starts and ends on (from 1; a quoted cell may hold line breaks). */
export interface CsvRecord {
  readonly line: number;
  readonly endLine: number;
  readonly cells: string[];
}

/** The file is not CSV past `line` (an unclosed quote, a record over 1 MiB): the records before it were read. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = "CsvSyntaxError";
  }
}

/** A quoted field left open swallows the rest of the file; past this it is reported, not buffered. */
const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * The records of a CSV text as it streams in, a chunk's worth at a time, each with the line it
 * starts on (a quoted cell may hold line breaks, so a record can span lines). RFC 4180 quoting
 * by csv-parse; separators `,` `;` or tab (spreadsheets export all three); line ends `\n`,
 * `\r\n` or `\r`, mixed; a UTF-8 BOM skipped; a stray quote inside an unquoted cell is kept as
 * text; rows may have any number of cells; empty lines come as one empty cell (the caller
 * skips them, and counts them in the line numbers).
 *
 * Throws CsvSyntaxError after yielding every record before the fault.
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<CsvRecord[]> {
  const ready: CsvRecord[] = [];
  let endLine = 0;
  let failure: Error | undefined;
  const parser = parse({
    bom: true,
    delimiter: [",", ";", "\t"],
    record_delimiter: ["\r\n", "\n", "\r"],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
    // Records are taken here, as each is parsed, rather than read from the stream: the stream
    // side would drop the records of a chunk that ends in an error.
    on_record: (cells: string[]) => {
      const line = endLine + 1;
      endLine = line + lineBreaks(cells);
      ready.push({ line, endLine, cells });
      return null;
    },
  });
  parser.on("error", (error: Error) => {
    failure ??= error;
  });
  parser.resume();
  try {
    for await (const chunk of chunks) {
      parser.write(chunk);
      if (ready.length > 0) yield ready.splice(0);
      if (failure) throw syntaxError(failure, endLine + 1);
    }
    parser.end();
    // The error, if any, is in `failure` already; this waits for the parse of the last bytes.
    await finished(parser).catch(() => undefined);
    if (ready.length > 0) yield ready.splice(0);
    if (failure) throw syntaxError(failure, endLine + 1);
  } finally {
    parser.destroy();
  }
}

/**
 * The line breaks inside a record's cells (only a quoted cell can hold one), `\r\n` as one: the
 * record ends that many lines after it starts. Counted here because csv-parse's own line count
 * takes a `\r\n` inside quotes for two when `\r` alone also ends a record.
 */
function lineBreaks(cells: readonly string[]): number {
  let breaks = 0;
  for (const cell of cells) {
    if (cell.includes("\n") || cell.includes("\r")) breaks += cell.match(/\r\n|\n|\r/g)?.length ?? 0;
  }
  return breaks;
}

function syntaxError(error: Error, line: number): CsvSyntaxError {
  const code = (error as { code?: unknown }).code;
  if (code === "CSV_QUOTE_NOT_CLOSED") return new CsvSyntaxError(line, "a quote opened on this line is never closed");
  if (code === "CSV_MAX_RECORD_SIZE") return new CsvSyntaxError(line, "a record over 1 MiB (a quote that is never closed?)");
  return new CsvSyntaxError(line, maskPhoneNumbersIn(error.message.split("\n")[0] ?? ""));
}
