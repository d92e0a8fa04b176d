// What a Redis server says about itself, read with redis-cli (installed with redis-server), so
// the bench needs no Redis client of its own: command counts (INFO commandstats counts the
// commands a Lua script runs as well as the EVALSHA that ran it), CPU, memory and keys.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { maxBuffer: 64 * 2 ** 20 });
  return stdout;
}

/** One reading of a server: calls per command so far, CPU seconds used so far, memory, keys. */
export interface RedisReading {
  readonly calls: Record<string, number>;
  readonly cpuSeconds: number;
  readonly usedMemoryBytes: number;
  readonly keys: number;
}

export async function readRedis(port: number): Promise<RedisReading> {
  const text = await cli(port, "INFO", "everything");
  const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, "m").exec(text)?.[1] ?? Number.NaN);
  const calls: Record<string, number> = {};
  for (const [, command, count] of text.matchAll(/^cmdstat_(\S+?):calls=(\d+)/gm)) calls[command as string] = Number(count);
  const keys = Number(/^db0:keys=(\d+)/m.exec(text)?.[1] ?? 0);
  return {
    calls,
    cpuSeconds: field("used_cpu_sys") + field("used_cpu_user"),
    usedMemoryBytes: field("used_memory"),
    keys,
  };
}

/** Commands our readings themselves sent (redis-cli's INFO and SCAN), left out of the counts. */
const OURS = new Set(["info", "scan", "memory|usage", "command|docs", "command"]);

/** Calls per command between two readings, the bench's own left out, most frequent first. */
export function callsBetween(before: RedisReading, after: RedisReading): Record<string, number> {
  const entries = Object.entries(after.calls)
    .filter(([command]) => !OURS.has(command))
    .map(([command, count]) => [command, count - (before.calls[command] ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(entries);
}

/**
 * Keys by what they are for (each run of digits, and whatever follows the third segment, left
 * out: `callbridge:ledger:placed:<key>` is one kind), with the memory one of them takes.
 */
export async function keysByKind(port: number): Promise<Record<string, { keys: number; bytesOfOne: number }>> {
  const kinds = new Map<string, { keys: number; sample: string }>();
  for (const key of (await cli(port, "--scan")).split("\n")) {
    if (key === "") continue;
    const kind = key
      .split(":")
      .slice(0, 3)
      .join(":")
      .replace(/\+?\d{4,}/g, "<n>");
    const seen = kinds.get(kind);
    kinds.set(kind, { keys: (seen?.keys ?? 0) + 1, sample: seen?.sample ?? key });
  }
  const result: Record<string, { keys: number; bytesOfOne: number }> = {};
  for (const [kind, { keys, sample }] of kinds) {
    result[kind] = { keys, bytesOfOne: Number((await cli(port, "MEMORY", "USAGE", sample)).trim()) };
  }
  return result;
}
