import { afterEach, describe, expect, it } from "vitest";
import { CallLimiter, type CallLimiterConfig, LimiterAbortedError } from "./call-limiter.js";
import { maxInWindow, StartRecorder, silentLogger, sleep, waitFor } from "./test-support/limiter-harness.js";

const limiters: CallLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

function localLimiter(config: Partial<CallLimiterConfig> = {}, observer = {}): CallLimiter {
  const limiter = new CallLimiter(
    { id: "local", global: { ratePerSecond: 20, burst: 5 }, maxConcurrent: 100, campaigns: new Map(), ...config },
    { logger: silentLogger(), observer },
  );
  limiters.push(limiter);
  return limiter;
}

describe("CallLimiter (in-process)", () => {
  it("never starts more than rate × window + burst calls, and runs them all", async () => {
    const recorder = new StartRecorder();
    const limiter = localLimiter();
    const results = await Promise.all(
      Array.from({ length: 65 }, (_, i) =>
        limiter.run(
          "c",
          recorder.task("c", `t${i}`, () => i),
        ),
      ),
    );

    expect(results).toEqual(Array.from({ length: 65 }, (_, i) => i));
    expect(maxInWindow(recorder.starts, 1000)).toBeLessThanOrEqual(25);
    expect(recorder.starts.length).toBeLessThanOrEqual(20 * recorder.elapsedSeconds() + 5);
    expect(limiter.queued).toBe(0);
    expect(limiter.running).toBe(0);
  });

  it("never runs more than maxConcurrent calls at once", async () => {
    const recorder = new StartRecorder();
    const limiter = localLimiter({ global: { ratePerSecond: 1000, burst: 1000 }, maxConcurrent: 3 });
    let peakSeen = 0;
    const tasks = Array.from({ length: 15 }, (_, i) =>
      limiter.run(
        "c",
        recorder.task("c", `t${i}`, async () => {
          peakSeen = Math.max(peakSeen, limiter.running);
          await sleep(40);
        }),
      ),
    );
    await Promise.all(tasks);

    expect(recorder.maxRunning).toBeLessThanOrEqual(3);
    expect(peakSeen).toBeLessThanOrEqual(3);
    expect(recorder.invocations.size).toBe(15);
  });

  it("holds a campaign to its own bucket while another campaign proceeds at the global rate", async () => {
    const recorder = new StartRecorder();
    const limiter = localLimiter({ campaigns: new Map([["slow", { ratePerSecond: 2, burst: 1 }]]) });
    const slow = Array.from({ length: 7 }, (_, i) => limiter.run("slow", recorder.task("slow", `s${i}`)));
    const fast = Array.from({ length: 25 }, (_, i) => limiter.run("fast", recorder.task("fast", `f${i}`)));
    await Promise.all([...slow, ...fast]);

    const slowStarts = recorder.byKey.get("slow") ?? [];
    const fastStarts = recorder.byKey.get("fast") ?? [];
    expect(slowStarts).toHaveLength(7);
    expect(maxInWindow(slowStarts, 1000)).toBeLessThanOrEqual(2 * 1 + 1);
    expect(maxInWindow(recorder.starts, 1000)).toBeLessThanOrEqual(25);
    // The slow campaign's 5th token exists 2 s after start at the earliest; by then the global bucket has had
    // room for all 25 fast calls (5 + 20/s), so none of them waited behind the slow campaign.
    const fifthSlow = [...slowStarts].sort((a, b) => a - b)[4] ?? 0;
    expect(Math.max(...fastStarts)).toBeLessThan(fifthSlow);
  });

  it("rejects a task whose signal aborts while it waits, and never runs it", async () => {
    const limiter = localLimiter({ global: { ratePerSecond: 2, burst: 1 } });
    let ran = false;
    const first = limiter.run("c", async () => "first");
    const controller = new AbortController();
    const aborted = limiter.run(
      "c",
      async () => {
        ran = true;
      },
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error("caller gave up")), 50);

    await expect(first).resolves.toBe("first");
    await expect(aborted).rejects.toBeInstanceOf(LimiterAbortedError);
    await expect(aborted).rejects.toMatchObject({ kind: "limiter_aborted" });
    // Long enough for a token to arrive: the stale job may fire, the task must not.
    expect(await limiter.run("c", async () => "after")).toBe("after");
    await sleep(600);
    expect(ran).toBe(false);
    expect(limiter.queued).toBe(0);
  });

  it("rejects at once when the signal has already aborted", async () => {
    const limiter = localLimiter();
    let ran = false;
    const run = limiter.run(
      "c",
      async () => {
        ran = true;
      },
      AbortSignal.abort(),
    );
    await expect(run).rejects.toBeInstanceOf(LimiterAbortedError);
    await sleep(50);
    expect(ran).toBe(false);
  });

  it("passes a task's own error through unchanged", async () => {
    const limiter = localLimiter();
    const failure = new TypeError("boom");
    await expect(limiter.run("c", () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      limiter.run("c", () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(limiter.running).toBe(0);
  });

  it("close() rejects waiting tasks, lets running ones finish, and can be called twice", async () => {
    const limiter = localLimiter({ global: { ratePerSecond: 1, burst: 1 } });
    let finished = false;
    const ran: string[] = [];
    const running = limiter.run("c", async () => {
      ran.push("running");
      await sleep(300);
      finished = true;
      return "done";
    });
    await waitFor(() => limiter.running === 1, 2_000, "the first call to start");
    const waiting = [limiter.run("c", async () => ran.push("w1")), limiter.run("c", async () => ran.push("w2"))];
    expect(limiter.queued).toBe(2);

    const closed = limiter.close();
    await expect(
      Promise.all(
        waiting.map((p) =>
          p.then(
            () => "ran",
            (e: unknown) => e,
          ),
        ),
      ),
    ).resolves.toEqual([expect.any(LimiterAbortedError), expect.any(LimiterAbortedError)]);
    await closed;
    expect(finished).toBe(true);
    await expect(running).resolves.toBe("done");
    await limiter.close();
    await expect(limiter.run("c", async () => ran.push("late"))).rejects.toBeInstanceOf(LimiterAbortedError);
    await sleep(1_200);
    expect(ran).toEqual(["running"]);
  });

  it("reports waits and queue depth", async () => {
    const waits: number[] = [];
    const depths: number[] = [];
    const limiter = localLimiter(
      { global: { ratePerSecond: 10, burst: 1 } },
      { onWait: (s: number) => waits.push(s), onQueued: (q: number) => depths.push(q) },
    );
    await Promise.all([limiter.run("c", async () => 1), limiter.run("c", async () => 2), limiter.run("c", async () => 3)]);
    expect(waits).toHaveLength(3);
    // The third call needs two refills at 10/s.
    expect(Math.max(...waits)).toBeGreaterThan(0.1);
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(2);
    expect(depths.at(-1)).toBe(0);
  });
});
