import { SUPPRESSION_LIST_KEY, SuppressionEntry } from "@callbridge/schemas";
import type { Redis } from "ioredis";
import { CliError, usageError } from "../errors.js";
import { checkRedisUrl, connectRedis, type RedisUrlSource } from "../parked/redis.js";

/** `--redis` or REDIS_URL as given (`url` undefined when neither is), and which one it was. */
export interface RedisTarget {
  readonly url: string | undefined;
  readonly source: RedisUrlSource;
}

/**
 * A client of the Redis that holds the list, connected as `parked` connects (one 3 s attempt,
 * no retries). Exit 2 (usage) without a URL or with one that is not Redis's; exit 1 when Redis
 * does not answer, naming host:port and where the URL came from, never the password.
 */
export async function openSuppressionList(target: RedisTarget, command: string): Promise<Redis> {
  if (target.url === undefined || target.url === "") {
    throw usageError(
      `suppress ${command} needs Redis (--redis <url> or REDIS_URL): the do-not-call list lives in the Redis the workers share (${SUPPRESSION_LIST_KEY})`,
    );
  }
  return connectRedis(checkRedisUrl(target.url, target.source), target.source);
}

/** A number and the entry to write for it. */
export interface NewEntry {
  readonly e164: string;
  readonly entry: SuppressionEntry;
}

/**
 * Writes each entry whose number is not listed yet (HSETNX, one pipelined round trip for the
 * lot): an entry already there keeps its reason, source and added_at. Answers, per entry in
 * order, whether it was added. Throws Redis's own error when it fails (callers say what was done: redisFailure).
 */
export async function addIfAbsent(redis: Redis, entries: readonly NewEntry[]): Promise<boolean[]> {
  if (entries.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const { e164, entry } of entries) pipeline.hsetnx(SUPPRESSION_LIST_KEY, e164, JSON.stringify(entry));
  return (await execPipeline(pipeline)).map((result) => result === 1);
}

/** Deletes the numbers (HDEL, one round trip); answers, per number in order, whether it was listed. */
export async function removeNumbers(redis: Redis, numbers: readonly string[]): Promise<boolean[]> {
  if (numbers.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const number of numbers) pipeline.hdel(SUPPRESSION_LIST_KEY, number);
  return (await execPipeline(pipeline)).map((result) => result === 1);
}

/** The entries of the given numbers (HMGET), `undefined` for one that is not listed. */
export async function readEntries(redis: Redis, numbers: readonly string[]): Promise<(ListedValue | undefined)[]> {
  if (numbers.length === 0) return [];
  const values = await redis.hmget(SUPPRESSION_LIST_KEY, ...numbers);
  return values.map((value) => (value === null ? undefined : readEntry(value)));
}

/** A field's value: the entry, or `undefined` when it is not a SuppressionEntry's JSON (the number is still listed). */
export type ListedValue = SuppressionEntry | undefined;

/** One listed number as HSCAN returns it. */
export interface Listed {
  readonly number: string;
  readonly entry: ListedValue;
}

/**
 * The whole list, a page (about `count` numbers, HSCAN's COUNT hint) at a time, so a list of
 * millions is never one reply (no HGETALL). HSCAN's guarantee: every number listed for the
 * whole scan is returned, a number may come twice while the hash is resized, and numbers added
 * or removed during the scan may or may not appear. Stops early (returning) when `signal` aborts.
 */
export async function* scanList(redis: Redis, signal: AbortSignal, count = 1_000): AsyncGenerator<Listed[]> {
  let cursor = "0";
  do {
    if (signal.aborted) return;
    const [next, flat] = await redis.hscan(SUPPRESSION_LIST_KEY, cursor, "COUNT", count);
    cursor = next;
    const page: Listed[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) page.push({ number: flat[i] as string, entry: readEntry(flat[i + 1] as string) });
    if (page.length > 0) yield page;
  } while (cursor !== "0");
}

/** A field's text as a SuppressionEntry, or `undefined` when it is something else. */
function readEntry(value: string): ListedValue {
  try {
    const parsed = SuppressionEntry.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Redis failure in the middle of a command as one line (exit 1): what was being done and
 * what is already done, so the operator knows whether to run it again.
 */
export function redisFailure(error: unknown, doing: string, done: string): CliError {
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new CliError(`Redis failed while ${doing}: ${detail}; ${done}`);
}

async function execPipeline(pipeline: ReturnType<Redis["pipeline"]>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}
