import { describe, expect, it } from "vitest";
import { type BatchObserver, type BatchSender, ProduceBatcher, type TopicRecord } from "./produce-batcher.js";
import type { TopicRecords } from "./producer.js";

interface Deferred {
  readonly promise: Promise<unknown>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = () => res(undefined);
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A producer whose every `sendBatch` waits until the test settles it. */
class FakeSender implements BatchSender {
  readonly calls: { batches: readonly TopicRecords[]; reply: Deferred }[] = [];

  sendBatch(batches: readonly TopicRecords[]): Promise<unknown> {
    const reply = deferred();
    this.calls.push({ batches, reply });
    return reply.promise;
  }

  call(i: number) {
    const call = this.calls[i];
    if (!call) throw new Error(`sendBatch was called ${this.calls.length} times, not ${i + 1}`);
    return call;
  }

  /** Record keys per topic of call i, in the order sent. */
  keys(i: number): Record<string, (string | Buffer | null)[]> {
    return Object.fromEntries(this.call(i).batches.map(({ topic, records }) => [topic, records.map((record) => record.key)]));
  }
}

class RecordingObserver implements BatchObserver {
  readonly batches: { records: number; ok: boolean }[] = [];
  onBatch(records: number, seconds: number, ok: boolean): void {
    expect(seconds).toBeGreaterThanOrEqual(0);
    this.batches.push({ records, ok });
  }
}

type State = "pending" | "resolved" | "rejected";

/** Follows a promise's state without leaving a rejection unhandled. */
function track(promise: Promise<void>): { readonly state: State; readonly error: unknown; readonly promise: Promise<void> } {
  const tracked = { state: "pending" as State, error: undefined as unknown, promise };
  promise.then(
    () => {
      tracked.state = "resolved";
    },
    (error: unknown) => {
      tracked.state = "rejected";
      tracked.error = error;
    },
  );
  return tracked;
}

/** Lets every promise continuation that is ready run; no timers are involved. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

function records(topic: string, ...keys: string[]): TopicRecord[] {
  return keys.map((key) => ({ topic, record: { key, value: `{"key":"${key}"}` } }));
}

const REQUESTS = "callbridge.call-requests.v1";
const DLQ = "callbridge.call-requests.v1.dlq";

describe("ProduceBatcher", () => {
  it("sends a lone request at once, without waiting to fill a batch", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100 });
    const sent = track(batcher.send(records(REQUESTS, "a1", "a2")));
    await settle();
    expect(sender.calls).toHaveLength(1);
    expect(sender.call(0).batches).toEqual([
      {
        topic: REQUESTS,
        records: [
          { key: "a1", value: '{"key":"a1"}' },
          { key: "a2", value: '{"key":"a2"}' },
        ],
      },
    ]);
    expect(sent.state).toBe("pending");
    sender.call(0).reply.resolve();
    await settle();
    expect(sent.state).toBe("resolved");
  });

  it("with a linger, waits that long for more records and sends them together", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 10, lingerMs: 30 });
    const first = batcher.send(records("t", "a"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = batcher.send(records("t", "b"));
    expect(sender.calls).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sender.calls).toHaveLength(1);
    expect(sender.keys(0)).toEqual({ t: ["a", "b"] });
    sender.call(0).reply.resolve();
    await Promise.all([first, second]);
  });

  it("with a linger, sends at once when a full batch is waiting", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 2, lingerMs: 60_000 });
    const sent = batcher.send(records("t", "a", "b"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sender.calls).toHaveLength(1);
    sender.call(0).reply.resolve();
    await sent;
  });

  it("keeps a produce call within the byte budget, and sends a request larger than it alone", async () => {
    const sender = new FakeSender();
    const big = (key: string) => [{ topic: REQUESTS, record: { key, value: "x".repeat(400) } }];
    // Room for two 400-byte records per call, not three.
    const batcher = new ProduceBatcher(sender, { maxRecords: 100, maxBytes: 1_000 });
    const first = batcher.send(big("a"));
    const rest = [batcher.send(big("b")), batcher.send(big("c")), batcher.send(big("d"))];
    const huge = batcher.send([{ topic: REQUESTS, record: { key: "h", value: "y".repeat(5_000) } }]);
    await settle();
    sender.call(0).reply.resolve();
    await first;
    await settle();
    expect(sender.keys(1)).toEqual({ [REQUESTS]: ["b", "c"] });
    sender.call(1).reply.resolve();
    await settle();
    expect(sender.keys(2)).toEqual({ [REQUESTS]: ["d"] });
    sender.call(2).reply.resolve();
    await settle();
    expect(sender.keys(3)).toEqual({ [REQUESTS]: ["h"] });
    sender.call(3).reply.resolve();
    await Promise.all([...rest, huge]);
  });

  it("after a permanent failure of a shared call, sends each request alone: only the one at fault fails", async () => {
    const tooLarge = Object.assign(new Error("MESSAGE_TOO_LARGE"), { permanent: true });
    const sent: string[][] = [];
    const batcher = new ProduceBatcher(
      {
        sendBatch: async (batches) => {
          const keys = batches.flatMap(({ records }) => records.map((r) => String(r.key)));
          sent.push(keys);
          if (keys.includes("bad")) throw tooLarge;
        },
      },
      { maxRecords: 100, lingerMs: 5 },
    );
    const outcomes = await Promise.allSettled([
      batcher.send(records(REQUESTS, "a")),
      batcher.send(records(REQUESTS, "bad")),
      batcher.send(records(REQUESTS, "c")),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(sent).toEqual([["a", "bad", "c"], ["a"], ["bad"], ["c"]]);
  });

  it("fails every caller of a call that failed for a passing reason (the broker away): they retry themselves", async () => {
    const away = Object.assign(new Error("retries exhausted: connection refused"), { retriable: false, permanent: false });
    let calls = 0;
    const batcher = new ProduceBatcher(
      {
        sendBatch: async () => {
          calls += 1;
          throw away;
        },
      },
      { maxRecords: 100, lingerMs: 5 },
    );
    const outcomes = await Promise.allSettled([batcher.send(records(REQUESTS, "a")), batcher.send(records(REQUESTS, "b"))]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(calls).toBe(1);
  });

  it("resolves an empty request without producing anything", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100 });
    await batcher.send([]);
    await batcher.flush();
    expect(sender.calls).toHaveLength(0);
  });

  it("combines requests that arrive during a send into one next send, grouped by topic", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100 });
    const first = track(batcher.send(records(REQUESTS, "a1")));
    await settle();
    const second = track(batcher.send([...records(REQUESTS, "b1"), ...records(DLQ, "b2")]));
    const third = track(batcher.send(records(DLQ, "c1")));
    const fourth = track(batcher.send(records(REQUESTS, "d1", "d2")));
    await settle();
    expect(sender.calls).toHaveLength(1);

    sender.call(0).reply.resolve();
    await settle();
    expect(first.state).toBe("resolved");
    expect(sender.calls).toHaveLength(2);
    expect(sender.keys(1)).toEqual({ [REQUESTS]: ["b1", "d1", "d2"], [DLQ]: ["b2", "c1"] });
    expect(sender.call(1).batches.map((batch) => batch.topic)).toEqual([REQUESTS, DLQ]);
    expect([second.state, third.state, fourth.state]).toEqual(["pending", "pending", "pending"]);

    sender.call(1).reply.resolve();
    await settle();
    expect([second.state, third.state, fourth.state]).toEqual(["resolved", "resolved", "resolved"]);
    expect(sender.calls).toHaveLength(2);
  });

  it("rejects exactly the callers of a failed send, with its error, and keeps sending afterwards", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100 });
    const first = track(batcher.send(records(REQUESTS, "a1")));
    await settle();
    const second = track(batcher.send(records(REQUESTS, "b1")));
    const third = track(batcher.send(records(REQUESTS, "c1")));

    const brokerDown = new Error("KafkaJSNumberOfRetriesExceeded");
    sender.call(0).reply.reject(brokerDown);
    await settle();
    expect(first.state).toBe("rejected");
    expect(first.error).toBe(brokerDown);
    expect([second.state, third.state]).toEqual(["pending", "pending"]);

    expect(sender.keys(1)).toEqual({ [REQUESTS]: ["b1", "c1"] });
    const notLeader = new Error("NOT_LEADER_FOR_PARTITION");
    sender.call(1).reply.reject(notLeader);
    await settle();
    expect([second.state, third.state]).toEqual(["rejected", "rejected"]);
    expect([second.error, third.error]).toEqual([notLeader, notLeader]);

    const later = track(batcher.send(records(REQUESTS, "d1")));
    await settle();
    expect(sender.keys(2)).toEqual({ [REQUESTS]: ["d1"] });
    sender.call(2).reply.resolve();
    await settle();
    expect(later.state).toBe("resolved");
  });

  it("rejects the callers when the sender throws instead of returning a promise", async () => {
    const boom = new Error("producer is disconnected");
    const batcher = new ProduceBatcher(
      {
        sendBatch: () => {
          throw boom;
        },
      },
      { maxRecords: 100 },
    );
    await expect(batcher.send(records(REQUESTS, "a1"))).rejects.toBe(boom);
    await expect(batcher.send(records(REQUESTS, "b1"))).rejects.toBe(boom);
  });

  it("splits queued requests at the record limit without splitting a request, and sends an oversized request alone", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 4 });
    const sends = [track(batcher.send(records(REQUESTS, "a1")))];
    await settle();
    sends.push(
      track(batcher.send(records(REQUESTS, "b1", "b2"))),
      track(batcher.send(records(REQUESTS, "c1", "c2"))),
      track(batcher.send(records(REQUESTS, "d1", "d2", "d3", "d4", "d5"))),
      track(batcher.send(records(REQUESTS, "e1"))),
      track(batcher.send(records(REQUESTS, "f1", "f2"))),
    );
    const expected = [["a1"], ["b1", "b2", "c1", "c2"], ["d1", "d2", "d3", "d4", "d5"], ["e1", "f1", "f2"]];
    for (const [i, keys] of expected.entries()) {
      await settle();
      expect(sender.calls).toHaveLength(i + 1);
      expect(sender.keys(i)).toEqual({ [REQUESTS]: keys });
      sender.call(i).reply.resolve();
    }
    await settle();
    expect(sender.calls).toHaveLength(4);
    expect(sends.map((send) => send.state)).toEqual(Array(6).fill("resolved"));
  });

  it("sends an oversized request alone even when nothing else is queued", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 2 });
    const sent = track(batcher.send(records(REQUESTS, "a1", "a2", "a3")));
    await settle();
    expect(sender.keys(0)).toEqual({ [REQUESTS]: ["a1", "a2", "a3"] });
    sender.call(0).reply.resolve();
    await settle();
    expect(sent.state).toBe("resolved");
  });

  it("sends a request made right after the previous one was acknowledged", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100 });
    const first = batcher.send(records(REQUESTS, "a1"));
    await settle();
    sender.call(0).reply.resolve();
    await first;
    const second = track(batcher.send(records(DLQ, "b1")));
    await settle();
    expect(sender.calls).toHaveLength(2);
    expect(sender.keys(1)).toEqual({ [DLQ]: ["b1"] });
    sender.call(1).reply.resolve();
    await settle();
    expect(second.state).toBe("resolved");
  });

  it("flush waits until every queued request has been produced", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100 });
    const first = track(batcher.send(records(REQUESTS, "a1")));
    await settle();
    const second = track(batcher.send(records(REQUESTS, "b1")));
    const flushed = track(batcher.flush());

    sender.call(0).reply.resolve();
    await settle();
    expect(first.state).toBe("resolved");
    expect(flushed.state).toBe("pending");

    sender.call(1).reply.resolve();
    await settle();
    expect(second.state).toBe("resolved");
    expect(flushed.state).toBe("resolved");
  });

  it("flush settles even when the last send failed", async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100 });
    const sent = track(batcher.send(records(REQUESTS, "a1")));
    const flushed = track(batcher.flush());
    await settle();
    sender.call(0).reply.reject(new Error("broker down"));
    await settle();
    expect(sent.state).toBe("rejected");
    expect(flushed.state).toBe("resolved");
  });

  it("flush resolves at once when nothing is queued", async () => {
    const sender = new FakeSender();
    const flushed = track(new ProduceBatcher(sender, { maxRecords: 100 }).flush());
    await settle();
    expect(flushed.state).toBe("resolved");
    expect(sender.calls).toHaveLength(0);
  });

  it("tells the observer how many records each send carried and whether it worked", async () => {
    const sender = new FakeSender();
    const observer = new RecordingObserver();
    const batcher = new ProduceBatcher(sender, { maxRecords: 100, observer });
    const first = track(batcher.send(records(REQUESTS, "a1", "a2")));
    await settle();
    const second = track(batcher.send(records(REQUESTS, "b1")));
    const third = track(batcher.send(records(DLQ, "c1", "c2")));
    sender.call(0).reply.resolve();
    await settle();
    expect(observer.batches).toEqual([{ records: 2, ok: true }]);
    sender.call(1).reply.reject(new Error("broker down"));
    await settle();
    expect(observer.batches).toEqual([
      { records: 2, ok: true },
      { records: 3, ok: false },
    ]);
    expect([first.state, second.state, third.state]).toEqual(["resolved", "rejected", "rejected"]);
  });
});
