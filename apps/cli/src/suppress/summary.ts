/** What became of the arguments of `suppress add` or `suppress remove`: every argument is counted once. */
export interface ArgumentCounts {
  readonly total: number;
  /** Arguments that are not numbers (or lack a country code), named above the summary. */
  readonly refused: number;
  /** Of the refused, those written without a country code when no --default-country was given. */
  readonly withoutCountry: number;
  /** Arguments naming a number given earlier on the same command line. */
  readonly repeated: number;
  /** What the command does to a number: "added", "removed". */
  readonly verb: string;
  /** What was done with the rest, in order, e.g. `[[2, "added"], [1, "already listed (kept as it was)"]]`. */
  readonly done: readonly (readonly [count: number, what: string])[];
}

/**
 * The line a command that refused some arguments fails with, counting what became of each:
 * `2 of 5 arguments were refused (named above); of the other 3: 1 added, 1 already listed
 * (kept as it was), 1 repeated`, with a hint when a refused one lacks a country code.
 */
export function refusedSummary(counts: ArgumentCounts): string {
  const others = counts.total - counts.refused;
  const done = [...counts.done, [counts.repeated, "repeated"] as const].filter(([count]) => count > 0);
  const head =
    counts.total === 1
      ? "the argument was refused (named above)"
      : `${counts.refused} of ${counts.total} arguments ${counts.refused === 1 ? "was" : "were"} refused (named above)`;
  const rest =
    others > 0 ? `; of the other ${others}: ${done.map(([count, what]) => `${count} ${what}`).join(", ")}` : `; nothing was ${counts.verb}`;
  return `${head}${rest}${countryHint(counts.withoutCountry, counts.refused)}`;
}

function countryHint(withoutCountry: number, refused: number): string {
  if (withoutCountry === 0) return "";
  const which = refused === 1 ? "it is" : withoutCountry === 1 ? "one is" : `${withoutCountry} are`;
  return ` (${which} written without +country code: give --default-country, such as --default-country US)`;
}
