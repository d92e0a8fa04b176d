import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { SUPPRESSION_LIST_KEY, type SuppressionListReason } from "@callbridge/schemas";
import type { Redis } from "ioredis";
import type { CliContext } from "../context.js";
import { CliError, interruptedError } from "../errors.js";
import { type CsvRecord, CsvSyntaxError, csvRecords } from "./csv-records.js";
import { fileProblem } from "./export.js";
import {
  classifyLine,
  type DefaultedColumn,
  defaultedText,
  type ImportDefaults,
  type ImportState,
  INITIAL_IMPORT_STATE,
} from "./import-lines.js";
import { parseDefaultCountry } from "./numbers.js";
import { ProgressLine } from "./progress.js";
import { addIfAbsent, type NewEntry, openSuppressionList, type RedisTarget, redisFailure } from "./store.js";

/** Who `suppress import` says put a number on the list, unless the file's source column says. */
const IMPORT_SOURCE = "import";

/** HSETNX commands per pipelined round trip. */
const IMPORT_BATCH = 1_000;

export interface ImportOptions {
  readonly reason: SuppressionListReason;
  readonly defaultCountry: string | undefined;
  readonly redis: RedisTarget;
}

/** Where progress goes: stderr, and whether it is a terminal. */
export interface ProgressIo {
  readonly err: (text: string) => void;
  readonly interactive: boolean;
}

/** A line that was skipped: its number (from 1), its first column masked, and why. */
interface BadLine {
  readonly line: number;
  readonly text: string;
  readonly problem: string;
}

/**
 * `suppress import FILE`: one number per line in the first column of a CSV file (see
 * csvRecords for the dialect; an optional header line, see classifyLine), each read like a
 * routed number and written with `reason` (or the file's reason column), source `import` (or
 * its source column) and added_at now (or its added_at column), in pipelined batches of
 * IMPORT_BATCH. A number listed already keeps its entry (HSETNX), so importing a file again
 * changes nothing and counts it "already listed". Bad lines are reported with their line number
 * and skipped; repeats in the file are counted. Progress on stderr while it runs, the summary
 * on stdout. Fails (exit 1) after writing the rest when any line was bad, or when the file
 * cannot be read (missing, a directory, not CSV past some line); exit 2 for a bad
 * --default-country or no Redis URL; 130/143 when stopped (the batch in hand is written first).
 */
export async function importList(context: CliContext, io: ProgressIo, file: string, options: ImportOptions): Promise<void> {
  const defaults: ImportDefaults = { reason: options.reason, defaultCountry: parseDefaultCountry(options.defaultCountry) };
  const input = await openInput(file);
  try {
    const redis = await openSuppressionList(options.redis, "import");
    try {
      const run = new ImportRun(context, io, file, defaults, redis);
      await run.readAll(input.createReadStream({ highWaterMark: 256 * 1024, autoClose: false }));
      run.report();
    } finally {
      redis.disconnect();
    }
  } finally {
    await input.close();
  }
}

/** The file, opened for reading; a clear one-line error (exit 1) when it cannot be. */
async function openInput(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${fileProblem(error)}`);
  }
  const stat = await handle.stat();
  if (!stat.isFile() && !stat.isFIFO()) {
    await handle.close();
    throw new CliError(`cannot read ${file}: ${stat.isDirectory() ? "it is a directory" : "not a file"}`);
  }
  return handle;
}

/** One import's state: counts, the numbers seen, the batch not yet written, the reader's state. */
class ImportRun {
  private state: ImportState = INITIAL_IMPORT_STATE;
  private readonly seen = new Set<string>();
  private batch: NewEntry[] = [];
  private readonly bad: BadLine[] = [];
  private readonly startedMs: number;
  private readonly progress: ProgressLine;
  private lines = 0;
  private added = 0;
  private alreadyListed = 0;
  private duplicates = 0;
  private defaulted = 0;
  /** The lines whose cell of each column the list could not take (the default was used). */
  private readonly defaultedLines: Record<DefaultedColumn, number[]> = { reason: [], source: [], added_at: [] };

  constructor(
    private readonly context: CliContext,
    io: ProgressIo,
    private readonly file: string,
    private readonly defaults: ImportDefaults,
    private readonly redis: Redis,
  ) {
    this.startedMs = context.nowMs();
    this.progress = new ProgressLine({ write: io.err, interactive: io.interactive, nowMs: context.nowMs }, () => this.progressText());
  }

  /** Reads every record, writing as batches fill; the last batch is written before returning or failing. */
  async readAll(chunks: AsyncIterable<Buffer | string>): Promise<void> {
    try {
      for await (const records of csvRecords(chunks)) {
        for (const record of records) await this.take(record);
        this.progress.tick();
        if (this.context.signal.aborted) break;
      }
      await this.flush();
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      await this.flush();
      throw new CliError(
        `${this.file}: ${error.message}; nothing from there on was imported, the ${this.added} numbers added before it are listed`,
      );
    } finally {
      this.progress.clear();
    }
    if (this.context.signal.aborted) {
      throw interruptedError(
        this.context.signal,
        `${this.file} was read up to line ${this.lines} (${this.added} added); run the import again to finish: numbers listed already are kept`,
      );
    }
  }

  private async take(record: CsvRecord): Promise<void> {
    this.lines = record.endLine;
    const { state, outcome } = classifyLine(this.state, record.cells, this.defaults);
    this.state = state;
    switch (outcome.kind) {
      case "blank":
        return;
      case "header":
        if (!this.context.json) this.say(`line ${record.line} is the header ("${outcome.text}")`);
        return;
      case "bad":
        this.bad.push({ line: record.line, text: outcome.text, problem: outcome.problem });
        if (!this.context.json) this.say(`line ${record.line}${outcome.text ? ` ("${outcome.text}")` : ""}: ${outcome.problem}; skipped`);
        return;
      case "entry": {
        if (this.seen.has(outcome.e164)) {
          this.duplicates += 1;
          return;
        }
        this.seen.add(outcome.e164);
        if (outcome.ignored.length > 0) this.defaulted += 1;
        for (const column of outcome.ignored) this.defaultedLines[column].push(record.line);
        const entry = {
          reason: outcome.reason,
          source: outcome.source ?? IMPORT_SOURCE,
          added_at: outcome.addedAt ?? new Date(this.context.nowMs()).toISOString(),
        };
        this.batch.push({ e164: outcome.e164, entry });
        if (this.batch.length >= IMPORT_BATCH) await this.flush();
        return;
      }
    }
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    let wasAdded: boolean[];
    try {
      wasAdded = await addIfAbsent(this.redis, batch);
    } catch (error) {
      throw redisFailure(
        error,
        `importing ${this.file} (near line ${this.lines})`,
        `${this.added} numbers were added before; run the import again: numbers listed already are kept`,
      );
    }
    for (const added of wasAdded) {
      if (added) this.added += 1;
      else this.alreadyListed += 1;
    }
    this.progress.tick();
  }

  private say(text: string): void {
    this.progress.clear();
    this.context.out(text);
  }

  private progressText(): string {
    return `importing ${this.file}: ${n(this.lines)} lines read, ${n(this.added)} added, ${n(this.alreadyListed)} already listed, ${n(this.bad.length)} bad`;
  }

  /** The summary (stdout); fails (exit 1) when a line was bad, after saying what was done. */
  report(): void {
    const seconds = Math.round((this.context.nowMs() - this.startedMs) / 100) / 10;
    if (this.context.json) {
      this.context.out(
        JSON.stringify(
          {
            file: this.file,
            key: SUPPRESSION_LIST_KEY,
            lines: this.lines,
            added: this.added,
            already_listed: this.alreadyListed,
            duplicates: this.duplicates,
            bad_lines: this.bad,
            defaulted: this.defaulted,
            defaulted_lines: this.defaultedLines,
            seconds,
          },
          null,
          2,
        ),
      );
    } else {
      this.context.out(
        `imported ${this.file} into ${SUPPRESSION_LIST_KEY} in ${seconds} s: ${n(this.lines)} line${this.lines === 1 ? "" : "s"}, ${n(this.added)} added, ${n(this.alreadyListed)} already listed (kept as they were), ${n(this.duplicates)} repeated in the file, ${n(this.bad.length)} bad lines skipped`,
      );
      for (const [column, lines] of Object.entries(this.defaultedLines) as [DefaultedColumn, number[]][]) {
        if (lines.length > 0) this.context.out(defaultedText(column, lines, { reason: this.defaults.reason, source: IMPORT_SOURCE }));
      }
    }
    if (this.bad.length > 0) {
      const lines = this.bad.length === 1 ? "1 bad line" : `${n(this.bad.length)} bad lines`;
      throw new CliError(
        `${lines} of ${this.file} skipped (${this.context.json ? "bad_lines above" : "named above"}); every other number is on the list`,
      );
    }
  }
}

function n(count: number): string {
  return count.toLocaleString("en-US");
}
