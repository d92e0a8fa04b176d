import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import type { CliContext } from "../context.js";
import { CliError, interruptedError } from "../errors.js";
import { type Listed, openSuppressionList, type RedisTarget, redisFailure, scanList } from "./store.js";

export interface ExportOptions {
  /** The file to write; stdout when undefined. */
  readonly out: string | undefined;
  readonly redis: RedisTarget;
}

/** The header of an export, which `suppress import` reads back (reason, source and added_at restored). */
const EXPORT_HEADER = "number,reason,source,added_at";

/**
 * `suppress export`: the whole list as CSV (EXPORT_HEADER, then one line per number, whole
 * E.164: an export is the operator's data, not a log), read page by page with HSCAN and written
 * as it is read. With `out` the file appears whole or not at all (written beside it, then
 * renamed); the count goes to stdout. Without, the CSV goes to stdout and the count to
 * `note` (stderr). An entry this CLI cannot read is exported with empty reason, source and
 * added_at (an import gives it the defaults). Exit 1 when Redis fails or the file cannot be
 * written, 130/143 when stopped (no file is left).
 */
export async function exportList(context: CliContext, note: (text: string) => void, options: ExportOptions): Promise<void> {
  const sink = options.out === undefined ? stdoutSink(context) : await fileSink(options.out);
  const redis = await openSuppressionList(options.redis, "export").catch(async (error: unknown) => {
    await sink.abandon();
    throw error;
  });
  let count = 0;
  try {
    await sink.write(`${EXPORT_HEADER}\n`);
    for await (const page of scanList(redis, context.signal)) {
      await sink.write(page.map(csvLine).join(""));
      count += page.length;
    }
    if (context.signal.aborted)
      throw interruptedError(context.signal, `the export was not finished${options.out ? "; no file was written" : ""}`);
    await sink.close();
  } catch (error) {
    await sink.abandon();
    if (error instanceof CliError) throw error;
    throw redisFailure(error, "exporting the list", options.out === undefined ? "the CSV printed is not whole" : "no file was written");
  } finally {
    redis.disconnect();
  }
  const summary = `${count} number${count === 1 ? "" : "s"} exported from ${SUPPRESSION_LIST_KEY}${options.out ? ` to ${options.out}` : ""}`;
  if (options.out === undefined) note(`${summary}\n`);
  else context.out(summary);
}

function csvLine({ number, entry }: Listed): string {
  return `${[number, entry?.reason ?? "", entry?.source ?? "", entry?.added_at ?? ""].map(csvCell).join(",")}\n`;
}

/** RFC 4180 quoting, also for the `;` and tab an import takes as separators, and for edge spaces an import would trim. */
export function csvCell(text: string): string {
  return /[",;\t\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

interface Sink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
  abandon(): Promise<void>;
}

function stdoutSink(context: CliContext): Sink {
  return {
    write: async (text) => {
      // context.out ends each piece with a line break; the pieces end with one already.
      context.out(text.endsWith("\n") ? text.slice(0, -1) : text);
    },
    close: async () => {},
    abandon: async () => {},
  };
}

/** Writes beside `path` and renames at the end, so a failed export never leaves half a file under the name asked for. */
async function fileSink(path: string): Promise<Sink> {
  const partial = `${path}.partial`;
  const stream: WriteStream = createWriteStream(partial);
  try {
    await once(stream, "open");
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${fileProblem(error)}`);
  }
  let failure: unknown;
  stream.on("error", (error) => {
    failure ??= error;
  });
  const fail = () => new CliError(`cannot write ${path}: ${fileProblem(failure)}`);
  return {
    write: async (text) => {
      if (failure !== undefined) throw fail();
      // `once` rejects on an error event; the error is in `failure` then.
      if (!stream.write(text)) await once(stream, "drain").catch(() => undefined);
      if (failure !== undefined) throw fail();
    },
    close: async () => {
      stream.end();
      await finished(stream).catch(() => undefined);
      if (failure !== undefined) throw fail();
      await rename(partial, path).catch((error: unknown) => {
        throw new CliError(`cannot write ${path}: ${fileProblem(error)}`);
      });
    },
    abandon: async () => {
      stream.destroy();
      await rm(partial, { force: true });
    },
  };
}

/** An fs error in a few words: its code's meaning, never a stack. */
export function fileProblem(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  }
}
