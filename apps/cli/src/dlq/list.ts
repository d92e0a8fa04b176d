import type { CliContext } from "../context.js";
import { interruptedError } from "../errors.js";
import { age, cellText } from "../output/table.js";
import { buildFilter, type FilterOptions } from "./filters.js";
import { type Letter, maskPhonesIn } from "./letter.js";
import { type Listing, streamingJson, streamingTable, tail } from "./listing.js";
import { forEachLetter } from "./read-letters.js";

const HEADERS = ["ID", "AGE", "REASON", "CODE", "STATUS", "CAMPAIGN", "SOURCE", "ATTEMPTS", "REPLAYS", "KEY"];

/**
 * Prints the matching letters as they are read, so memory does not grow with the topic; with
 * `--limit n` only the last n are kept, and printed at the end.
 */
export async function listLetters(context: CliContext, options: FilterOptions & { limit?: number }): Promise<void> {
  const filter = buildFilter(options, context.nowMs());
  const now = context.nowMs();
  const row = (l: Letter) => [
    l.id,
    age(l.failedAtMs, now),
    l.reason,
    l.code ?? "-",
    l.httpStatus ?? "-",
    l.campaign ?? "-",
    l.source ?? "-",
    l.attempts ?? "-",
    String(l.replayCount),
    cellText(l.maskedKey),
  ];
  const output: Listing<Letter> = context.json ? streamingJson(context.out, listRow) : streamingTable(context.out, HEADERS, row);
  const shown = options.limit === undefined ? output : tail(options.limit, output);
  let matching = 0;
  const end = await forEachLetter(context, (letters) => {
    for (const letter of letters) {
      if (!filter.matches(letter)) continue;
      matching += 1;
      shown.add(letter);
    }
    return "more";
  });
  const printed = shown.end();
  if (!context.json) context.out(printed === 0 ? "no dead letters match" : `\n${printed} of ${matching} matching letters`);
  if (end === "aborted") throw interruptedError(context.signal, `listed ${printed} letters before stopping; the list is incomplete`);
}

/** The JSON form of a letter: every header fact, the key and message masked. */
export function listRow(letter: Letter): Record<string, unknown> {
  return {
    id: letter.id,
    partition: letter.partition,
    offset: letter.offset,
    failed_at: new Date(letter.failedAtMs).toISOString(),
    reason: letter.reason,
    error_code: letter.code ?? null,
    http_status: letter.httpStatus === undefined ? null : Number(letter.httpStatus),
    error_message: letter.message === undefined ? null : maskPhonesIn(letter.message),
    campaign_id: letter.campaign ?? null,
    source_kind: letter.source ?? null,
    route: letter.route ?? null,
    attempts: letter.attempts === undefined ? null : Number(letter.attempts),
    replay_count: letter.replayCount,
    key: letter.maskedKey,
  };
}
