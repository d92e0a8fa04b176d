import { SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import { Redis } from "ioredis";
import { type CliRun, runCallbridge } from "../../test-support/run-cli.js";

/** What a command line did: its exit code, stdout (the pieces joined by line breaks) and stderr. */
export type Run = CliRun;

export interface RunOptions {
  /** Whether stderr is a terminal (the progress line is redrawn in place). */
  readonly interactive?: boolean;
  /** The clock, ms; a fixed `now` when not given. */
  readonly nowMs?: () => number;
}

/** Runs `callbridge ...args` in-process with this process's environment (REDIS_URL), as main.ts runs it. */
export async function callbridge(args: readonly string[], options: RunOptions & { now?: number } = {}): Promise<Run> {
  const now = options.now ?? Date.parse("2026-03-01T12:00:00.000Z");
  const run = await runCallbridge(args, {
    env: process.env,
    interactive: options.interactive ?? false,
    nowMs: options.nowMs ?? (() => now),
  });
  return { ...run, out: run.out.endsWith("\n") ? run.out.slice(0, -1) : run.out };
}

/**
 * The test Redis with database `db` selected, so a test file's list (the one key every CLI
 * writes, SUPPRESSION_LIST_KEY) is its own while the files run in parallel against one Redis.
 */
export function databaseUrl(redisUrl: string, db: number): string {
  const url = new URL(redisUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

/** A client of that database, and the list as it stands: number -> parsed entry. */
export function listClient(url: string): { redis: Redis; entries: () => Promise<Record<string, unknown>> } {
  const redis = new Redis(url);
  return {
    redis,
    entries: async () =>
      Object.fromEntries(Object.entries(await redis.hgetall(SUPPRESSION_LIST_KEY)).map(([number, value]) => [number, JSON.parse(value)])),
  };
}
