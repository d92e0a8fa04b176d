import { SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import { Redis } from "ioredis";
import { runCli } from "../../run.js";

/** What a command line did: its exit code, stdout (the pieces joined by line breaks) and stderr. */
export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface RunOptions {
  /** Whether stderr is a terminal (the progress line is redrawn in place). */
  readonly interactive?: boolean;
  /** The clock, ms; a fixed `now` when not given. */
  readonly nowMs?: () => number;
}

/** Runs `callbridge ...args` in-process, as main.ts runs it. */
export async function callbridge(args: readonly string[], options: RunOptions & { now?: number } = {}): Promise<Run> {
  const out: string[] = [];
  let err = "";
  const now = options.now ?? Date.parse("2026-03-01T12:00:00.000Z");
  const code = await runCli(args, {
    env: process.env,
    out: (text) => out.push(text),
    err: (text) => {
      err += text;
    },
    interactive: options.interactive ?? false,
    nowMs: options.nowMs ?? (() => now),
    signal: new AbortController().signal,
  });
  return { code, out: out.join("\n"), err };
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
