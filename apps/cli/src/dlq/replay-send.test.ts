import { KafkaOperationError, type TopicRecords } from "@callbridge/kafka";
import { describe, expect, it } from "vitest";
import { classifySendFailure, type Outgoing, sendLetters } from "./replay-send.js";

const brokerError = (code: string, permanent: boolean) =>
  new KafkaOperationError("produce", !permanent, `Kafka produce failed: ${code}`, { cause: new Error(code) }, code, permanent);

const letter = (id: string): Outgoing => ({
  id,
  bucket: "http_4xx/X",
  request: { key: id, value: id },
  note: { key: `dlq:${id}`, value: "{}" },
});

/** A sender that fails every request holding one of `refused` with `error`, and records what it was sent (requests by key, notes as "notes"). */
function sender(error: unknown, refused: readonly string[] = []) {
  const sent: string[][] = [];
  return {
    sent,
    async sendBatch(batches: readonly TopicRecords[]) {
      expect(batches).toHaveLength(1);
      const batch = batches[0] as TopicRecords;
      const ids = batch.records.map((r) => String(r.key));
      sent.push(batch.topic === "replays" ? ["notes", ...ids] : ids);
      if (ids.some((id) => refused.includes(id))) throw error;
    },
  };
}

describe("classifySendFailure", () => {
  it.each([
    [brokerError("MESSAGE_TOO_LARGE", true), "too_large"],
    [brokerError("RECORD_LIST_TOO_LARGE", true), "too_large"],
    [brokerError("TOPIC_AUTHORIZATION_FAILED", true), "permanent"],
    [brokerError("INVALID_RECORD", true), "permanent"],
    [brokerError("NOT_ENOUGH_REPLICAS", false), "transient"],
    [new Error("Connection timeout"), "transient"],
    ["a string", "transient"],
  ])("%s is %s", (error, kind) => {
    expect(classifySendFailure(error).kind).toBe(kind);
  });

  it("names the broker's code", () => {
    expect(
      classifySendFailure(new KafkaOperationError("produce", false, "denied", { cause: null }, "TOPIC_AUTHORIZATION_FAILED", true)),
    ).toEqual({
      kind: "permanent",
      message: "TOPIC_AUTHORIZATION_FAILED: denied",
    });
  });
});

describe("sendLetters", () => {
  const letters = ["a", "b", "c"].map(letter);

  it("sends the requests in one produce request, then their notes in another", async () => {
    const s = sender(undefined);
    const outcome = await sendLetters(s, "requests", "replays", letters);
    expect(outcome.acknowledged.map((l) => l.id)).toEqual(["a", "b", "c"]);
    expect(outcome.stop).toBeUndefined();
    expect(s.sent).toEqual([
      ["a", "b", "c"],
      ["notes", "dlq:a", "dlq:b", "dlq:c"],
    ]);
  });

  it("records nothing as replayed when the notes fail after the requests landed", async () => {
    const s = sender(brokerError("NOT_ENOUGH_REPLICAS", false), ["dlq:a"]);
    const outcome = await sendLetters(s, "requests", "replays", letters);
    expect(outcome.acknowledged).toEqual([]);
    expect(outcome.stop).toMatchObject({ kind: "transient", unrecorded: 3 });
  });

  it("splits a batch refused for its size and skips only the letter refused alone, once", async () => {
    const s = sender(brokerError("MESSAGE_TOO_LARGE", true), ["b"]);
    const outcome = await sendLetters(s, "requests", "replays", letters);
    expect(outcome.acknowledged.map((l) => l.id)).toEqual(["a", "c"]);
    expect(outcome.refused.map((r) => r.letter.id)).toEqual(["b"]);
    expect(outcome.stop).toBeUndefined();
    expect(s.sent).toEqual([["a", "b", "c"], ["a"], ["b"], ["c"], ["notes", "dlq:a", "dlq:c"]]);
  });

  it("skips a lone letter refused for its size without sending it again", async () => {
    const s = sender(brokerError("MESSAGE_TOO_LARGE", true), ["a"]);
    const outcome = await sendLetters(s, "requests", "replays", [letter("a")]);
    expect(outcome.refused).toHaveLength(1);
    expect(s.sent).toEqual([["a"]]);
  });

  it.each([
    ["permanent", brokerError("TOPIC_AUTHORIZATION_FAILED", true)],
    ["transient", brokerError("NOT_ENOUGH_REPLICAS", false)],
  ])("stops at a %s failure after one try", async (kind, error) => {
    const s = sender(error, ["a"]);
    const outcome = await sendLetters(s, "requests", "replays", letters);
    expect(outcome.stop?.kind).toBe(kind);
    expect(outcome.acknowledged).toEqual([]);
    expect(s.sent).toHaveLength(1);
  });

  it("stops at a permanent failure met while sending letters alone", async () => {
    let calls = 0;
    const s = {
      async sendBatch() {
        calls += 1;
        if (calls === 1) throw brokerError("MESSAGE_TOO_LARGE", true);
        if (calls === 3) throw brokerError("TOPIC_AUTHORIZATION_FAILED", true);
      },
    };
    const outcome = await sendLetters(s, "requests", "replays", letters);
    // "a" landed alone, "b" met the permanent error, "c" was never sent; a's note is written.
    expect(outcome.acknowledged.map((l) => l.id)).toEqual(["a"]);
    expect(outcome.stop?.kind).toBe("permanent");
    expect(calls).toBe(4);
  });
});
