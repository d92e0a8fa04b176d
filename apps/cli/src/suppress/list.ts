import { maskPhoneNumber, SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import type { CliContext } from "../context.js";
import { interruptedError } from "../errors.js";
import { cellText } from "../output/table.js";
import { type Listed, openSuppressionList, type RedisTarget, redisFailure, scanList } from "./store.js";

export interface ListOptions {
  /** Whole numbers instead of masked ones. */
  readonly reveal: boolean;
  readonly redis: RedisTarget;
}

/** Column widths of the streamed table: the longest E.164 (16), the longest reason, an ISO time with ms. */
const WIDTHS = { number: 16, reason: 11, addedAt: 24 } as const;

/**
 * `suppress list`: every number on the list with its reason, source and added_at, printed page
 * by page as HSCAN returns them (in no particular order), then the count. Numbers are masked
 * unless `reveal`. With --json one JSON document, `{"key", "entries": [...], "count": n}`, still
 * written as it is read (an entry per line). An entry this CLI cannot read shows as such: its
 * number is still on the list. Exit 1 when Redis fails, 130/143 when stopped (nothing is changed).
 */
export async function listSuppressed(context: CliContext, options: ListOptions): Promise<void> {
  const redis = await openSuppressionList(options.redis, "list");
  const show = options.reveal ? (number: string) => number : maskPhoneNumber;
  let count = 0;
  try {
    context.out(context.json ? `{"key": ${JSON.stringify(SUPPRESSION_LIST_KEY)}, "entries": [` : header());
    for await (const page of scanList(redis, context.signal)) {
      const lines = page.map((listed, i) => (context.json ? jsonLine(listed, show, count + i === 0) : row(listed, show)));
      count += page.length;
      context.out(lines.join("\n"));
    }
  } catch (error) {
    throw redisFailure(error, "reading the list", `${count} entries were printed`);
  } finally {
    redis.disconnect();
  }
  if (context.signal.aborted) throw interruptedError(context.signal, `${count} entries were printed; the list was not read to the end`);
  if (context.json) context.out(`], "count": ${count}}`);
  else context.out(`\n${count} number${count === 1 ? "" : "s"} on the do-not-call list (${SUPPRESSION_LIST_KEY})`);
}

function header(): string {
  return ["NUMBER".padEnd(WIDTHS.number), "REASON".padEnd(WIDTHS.reason), "ADDED AT".padEnd(WIDTHS.addedAt), "SOURCE"].join("  ");
}

function row({ number, entry }: Listed, show: (number: string) => string): string {
  const cells =
    entry === undefined
      ? [show(cellText(number, WIDTHS.number)), "?", "?", "(an entry this CLI cannot read; the number is listed)"]
      : [show(number), entry.reason, entry.added_at, cellText(entry.source)];
  const widths = [WIDTHS.number, WIDTHS.reason, WIDTHS.addedAt, 0];
  return cells
    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
    .join("  ")
    .trimEnd();
}

/** One entry of the JSON document's array, the first without the comma that separates it from the one before. */
function jsonLine({ number, entry }: Listed, show: (number: string) => string, first: boolean): string {
  const json = JSON.stringify({
    number: show(number),
    reason: entry?.reason ?? null,
    source: entry?.source ?? null,
    added_at: entry?.added_at ?? null,
  });
  return `${first ? "  " : ", "}${json}`;
}
