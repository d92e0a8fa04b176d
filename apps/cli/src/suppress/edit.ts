import { maskPhoneNumber, SUPPRESSION_LIST_KEY, type SuppressionListReason } from "@callbridge/schemas";
import type { Redis } from "ioredis";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { checkNumber, checkNumberToRemove, maskedInput, type NumberCheck, parseDefaultCountry } from "./numbers.js";
import { addIfAbsent, type ListedValue, openSuppressionList, type RedisTarget, readEntries, redisFailure, removeNumbers } from "./store.js";
import { refusedSummary } from "./summary.js";

/** Who `suppress add` says put a number on the list. */
const CLI_SOURCE = "cli";

export interface AddOptions {
  readonly reason: SuppressionListReason;
  /** ISO 3166 alpha-2, for numbers written without a country code. */
  readonly defaultCountry: string | undefined;
  readonly redis: RedisTarget;
}

/** An argument that is not a number, by its position on the command line (from 1), masked. */
interface BadArgument {
  readonly argument: number;
  readonly text: string;
  readonly problem: string;
}

/**
 * `suppress add`: puts each number (read like a routed one) on the list with `reason`, source
 * `cli` and added_at now. A number listed already keeps its entry (reason, source, added_at):
 * the list's history is not rewritten; remove it first to change it. Every number is reported,
 * masked. An argument that is not a number is named with why, the others are added all the
 * same, and the command then fails (CliError, exit 1) with a line counting what became of
 * every argument. Exit 2 for a bad --default-country or no Redis URL, exit 1 when Redis fails.
 */
export async function addNumbers(context: CliContext, texts: readonly string[], options: AddOptions): Promise<void> {
  const defaultCountry = parseDefaultCountry(options.defaultCountry);
  const read = readArguments(texts, (text) => checkNumber(text, defaultCountry));
  const { numbers, bad } = read;
  const entry = { reason: options.reason, source: CLI_SOURCE, added_at: new Date(context.nowMs()).toISOString() };
  const { added, kept } =
    numbers.length === 0
      ? { added: [], kept: [] }
      : await withList(options.redis, "add", "adding numbers", "run it again: numbers listed already are kept", async (redis) => {
          const wasAdded = await addIfAbsent(
            redis,
            numbers.map((e164) => ({ e164, entry })),
          );
          const keptNumbers = numbers.filter((_, i) => !wasAdded[i]);
          const entries = await readEntries(redis, keptNumbers);
          return { added: numbers.filter((_, i) => wasAdded[i]), kept: keptNumbers.map((number, i) => ({ number, entry: entries[i] })) };
        });
  if (context.json) {
    context.out(
      JSON.stringify(
        {
          key: SUPPRESSION_LIST_KEY,
          added: added.map((number) => ({ number: maskPhoneNumber(number), reason: options.reason })),
          already_listed: kept.map(({ number, entry: listed }) => ({ number: maskPhoneNumber(number), ...entryJson(listed) })),
          bad,
        },
        null,
        2,
      ),
    );
  } else {
    for (const number of added) context.out(`${maskPhoneNumber(number)} added (${options.reason})`);
    for (const { number, entry: listed } of kept)
      context.out(`${maskPhoneNumber(number)} already listed, kept as it was (${describe(listed)})`);
    for (const b of bad) context.out(badLine(b, "not added"));
  }
  if (bad.length > 0) {
    const listed = kept.length === 1 ? "already listed (kept as it was)" : "already listed (kept as they were)";
    throw new CliError(
      refusedSummary({
        ...read.counts,
        verb: "added",
        done: [
          [added.length, "added"],
          [kept.length, listed],
        ],
      }),
    );
  }
}

export interface RemoveOptions {
  readonly defaultCountry: string | undefined;
  readonly redis: RedisTarget;
}

/**
 * `suppress remove`: takes each number off the list (read like a routed one; an E.164 text is
 * also taken as it is). Says which were removed and which were not listed, masked. An argument
 * that is not a number is named and the command fails (exit 1) after removing the others.
 */
export async function removeFromList(context: CliContext, texts: readonly string[], options: RemoveOptions): Promise<void> {
  const defaultCountry = parseDefaultCountry(options.defaultCountry);
  const read = readArguments(texts, (text) => checkNumberToRemove(text, defaultCountry));
  const { numbers, bad } = read;
  const wasListed =
    numbers.length === 0
      ? []
      : await withList(options.redis, "remove", "removing numbers", "run it again to remove the rest", (redis) =>
          removeNumbers(redis, numbers),
        );
  const removed = numbers.filter((_, i) => wasListed[i]);
  const notListed = numbers.filter((_, i) => !wasListed[i]);
  if (context.json) {
    const masked = (list: string[]) => list.map(maskPhoneNumber);
    context.out(JSON.stringify({ key: SUPPRESSION_LIST_KEY, removed: masked(removed), not_listed: masked(notListed), bad }, null, 2));
  } else {
    for (const number of removed) context.out(`${maskPhoneNumber(number)} removed`);
    for (const number of notListed) context.out(`${maskPhoneNumber(number)} was not listed`);
    for (const b of bad) context.out(badLine(b, "not removed"));
  }
  if (bad.length > 0) {
    const done = [
      [removed.length, "removed"],
      [notListed.length, "not listed"],
    ] as const;
    throw new CliError(refusedSummary({ ...read.counts, verb: "removed", done }));
  }
}

/** How the arguments were read, for the summary: every one refused, repeated or a distinct number. */
interface ReadCounts {
  readonly total: number;
  readonly refused: number;
  readonly withoutCountry: number;
  readonly repeated: number;
}

/** The arguments read: the distinct numbers in the order given, the ones that are not numbers, and counts. */
function readArguments(
  texts: readonly string[],
  check: (text: string) => NumberCheck,
): { numbers: string[]; bad: BadArgument[]; counts: ReadCounts } {
  const numbers = new Set<string>();
  const bad: BadArgument[] = [];
  let withoutCountry = 0;
  let repeated = 0;
  texts.forEach((text, i) => {
    const checked = check(text);
    if (checked.ok) {
      if (numbers.has(checked.e164)) repeated += 1;
      numbers.add(checked.e164);
      return;
    }
    if (checked.needsCountry) withoutCountry += 1;
    bad.push({ argument: i + 1, text: maskedInput(text), problem: checked.problem });
  });
  return { numbers: [...numbers], bad, counts: { total: texts.length, refused: bad.length, withoutCountry, repeated } };
}

/** Runs `work` with a client of the list's Redis; a Redis failure on the way is one line saying what to do. */
async function withList<T>(
  target: RedisTarget,
  command: string,
  doing: string,
  advice: string,
  work: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = await openSuppressionList(target, command);
  try {
    return await work(redis);
  } catch (error) {
    throw redisFailure(error, doing, advice);
  } finally {
    redis.disconnect();
  }
}

function badLine(b: BadArgument, what: string): string {
  return `argument ${b.argument} ("${b.text}"): ${b.problem}; ${what}`;
}

function describe(entry: ListedValue): string {
  return entry === undefined ? "an entry this CLI cannot read" : `${entry.reason}, source ${entry.source}, added ${entry.added_at}`;
}

function entryJson(entry: ListedValue): Record<string, string | null> {
  return entry === undefined
    ? { reason: null, source: null, added_at: null }
    : { reason: entry.reason, source: entry.source, added_at: entry.added_at };
}
