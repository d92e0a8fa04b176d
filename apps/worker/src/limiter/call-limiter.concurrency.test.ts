import { describe, expect, it } from "vitest";
import { CallLimiter } from "./call-limiter.js";
import { LimiterAbortedError } from "./errors.js";
import { silentLogger } from "./test-support/limiter-harness.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RATE_LIMIT_PER_SECOND=0: no bucket, only the cap on calls at once. */
function capOnly(maxConcurrent: number): CallLimiter {
  return new CallLimiter({ id: "cap", global: null, maxConcurrent, campaigns: new Map() }, { logger: silentLogger() });
}

describe("CallLimiter without a rate limit", () => {
  it("never runs more than the cap at once, and runs everything", async () => {
    const limiter = capOnly(3);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run("c", async () => {
          running += 1;
          most = Math.max(most, running);
          await sleep(5);
          running -= 1;
          return i;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("gives up a waiting task whose signal aborts, without running it, and rejects waiters on close", async () => {
    const limiter = capOnly(1);
    const ran: string[] = [];
    const blocker = limiter.run("c", async () => {
      await sleep(30);
      ran.push("blocker");
    });
    const controller = new AbortController();
    const aborted = limiter.run("c", async () => void ran.push("aborted"), controller.signal);
    const closedOut = limiter.run("c", async () => void ran.push("closed"));
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(LimiterAbortedError);
    const closing = limiter.close();
    await expect(closedOut).rejects.toBeInstanceOf(LimiterAbortedError);
    await closing;
    await blocker;
    expect(ran).toEqual(["blocker"]);
  });
});
