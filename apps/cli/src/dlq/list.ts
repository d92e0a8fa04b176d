import type { CliContext } from "../context.js";
import { age, table } from "../output/table.js";
import { buildFilter, type FilterOptions } from "./filters.js";
import type { Letter } from "./letter.js";
import { readLetters } from "./read-letters.js";

export async function listLetters(context: CliContext, options: FilterOptions & { limit?: number }): Promise<void> {
  const filter = buildFilter(options, context.nowMs());
  const letters = (await readLetters(context)).filter((letter) => filter.matches(letter));
  const shown = options.limit === undefined ? letters : letters.slice(-options.limit);
  if (context.json) {
    context.out(JSON.stringify(shown.map(summary), null, 2));
    return;
  }
  if (shown.length === 0) {
    context.out("no dead letters match");
    return;
  }
  const now = context.nowMs();
  context.out(
    table(
      ["ID", "AGE", "REASON", "CODE", "STATUS", "CAMPAIGN", "SOURCE", "ATTEMPTS", "REPLAYS", "KEY"],
      shown.map((l) => [
        l.id,
        age(l.failedAtMs, now),
        l.reason,
        l.code ?? "-",
        l.httpStatus ?? "-",
        l.campaign ?? "-",
        l.source ?? "-",
        l.attempts ?? "-",
        String(l.replayCount),
        l.maskedKey,
      ]),
    ),
  );
  context.out(`\n${shown.length} of ${letters.length} matching letters`);
}

/** The JSON form of a letter: every header fact, the key masked. */
export function summary(letter: Letter): Record<string, unknown> {
  return {
    id: letter.id,
    partition: letter.partition,
    offset: letter.offset,
    failed_at: new Date(letter.failedAtMs).toISOString(),
    reason: letter.reason,
    error_code: letter.code ?? null,
    http_status: letter.httpStatus === undefined ? null : Number(letter.httpStatus),
    error_message: letter.message ?? null,
    campaign_id: letter.campaign ?? null,
    source_kind: letter.source ?? null,
    route: letter.route ?? null,
    attempts: letter.attempts === undefined ? null : Number(letter.attempts),
    replay_count: letter.replayCount,
    key: letter.maskedKey,
  };
}
