import type { ConsumedRecord } from "@callbridge/kafka";
import { DLQ_HEADERS } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { buildFilter } from "./filters.js";
import { type Letter, letterOf } from "./letter.js";
import { type DecisionState, decideLetter } from "./replay-decision.js";
import { parseTransforms } from "./transform.js";

const now = Date.parse("2026-11-27T12:00:00Z");
const request = { idempotency_key: "k1", campaign_id: "campaign-paused", to: "+14155550142" };

function letter(headers: Record<string, string> = {}, value: unknown = request, offset = "7"): Letter {
  const record: ConsumedRecord = {
    topic: "dlq",
    partition: 0,
    offset,
    key: Buffer.from("campaign-paused:+14155550142"),
    value: value === null ? null : Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
    headers: { [DLQ_HEADERS.reason]: "http_4xx", [DLQ_HEADERS.errorCode]: "CAMPAIGN_NOT_ACTIVE", ...headers },
    timestamp: String(now),
  };
  return letterOf(record);
}

function state(overrides: Partial<DecisionState> = {}): DecisionState {
  return {
    filter: buildFilter({ reason: ["http_4xx"] }, now),
    isReplayed: (l) => l.offset === "99",
    maxReplays: 3,
    transforms: parseTransforms({}),
    limitBytes: 1_048_588,
    noteLimitBytes: 1_048_588,
    replayOf: (l) => `dlq:${l.partition}:${l.offset}`,
    nowIso: "2026-11-27T12:00:00.000Z",
    ...overrides,
  };
}

describe("decideLetter", () => {
  it.each<[string, Letter, Partial<DecisionState>, string, RegExp?]>([
    ["a matching letter is replayed", letter(), {}, "replay"],
    ["another reason does not match", letter({ [DLQ_HEADERS.reason]: "invalid_phone" }), {}, "not_matching"],
    ["a letter replayed before is skipped", letter({}, request, "99"), {}, "already_replayed"],
    ["DUPLICATE_CALL unnamed is skipped", letter({ [DLQ_HEADERS.errorCode]: "DUPLICATE_CALL" }), {}, "duplicate_call"],
    [
      "DUPLICATE_CALL named is replayed",
      letter({ [DLQ_HEADERS.errorCode]: "DUPLICATE_CALL" }),
      { filter: buildFilter({ code: ["DUPLICATE_CALL"] }, now) },
      "replay",
    ],
    ["at --max-replays it is left alone", letter({ [DLQ_HEADERS.replayCount]: "3" }), {}, "loop_guard"],
    ["below --max-replays it goes", letter({ [DLQ_HEADERS.replayCount]: "2" }), {}, "replay"],
    [
      "a value cut to fit is never replayed",
      letter({ [DLQ_HEADERS.valueTruncated]: "true", [DLQ_HEADERS.originalValueBytes]: "2000000" }, '{"idempotency_key":"k1","campa'),
      {},
      "value_truncated",
      /cut to fit the dead-letter topic \(30 of 2000000 bytes kept\), so it is not the whole request/,
    ],
    [
      "a cut value is skipped even if it still parses",
      letter({ [DLQ_HEADERS.valueTruncated]: "true", [DLQ_HEADERS.originalValueBytes]: "2000000" }),
      {},
      "value_truncated",
    ],
    ["a value that is not JSON is invalid", letter({}, "nope"), {}, "invalid", /not JSON/],
    ["a request without a number is invalid", letter({}, { ...request, to: null }), {}, "invalid", /fix it with --set/],
    [
      "a request over the topic's limit is too large",
      letter({}, { ...request, payload: { notes: "x".repeat(5_000) } }),
      { limitBytes: 4_096 },
      "too_large",
      /over the requests topic's max.message.bytes of 4096/,
    ],
    [
      "a request just under the limit goes",
      letter({}, { ...request, payload: { notes: "x".repeat(3_500) } }),
      { limitBytes: 4_096 },
      "replay",
    ],
    ["a note over the replays topic's limit is too large", letter(), { noteLimitBytes: 100 }, "too_large", /replays topic/],
  ])("%s", (_name, input, overrides, kind, problem) => {
    const decision = decideLetter(input, state(overrides));
    expect(decision.kind).toBe(kind);
    if (problem) expect("problem" in decision ? decision.problem : "").toMatch(problem);
  });

  it("replays the request with its replay note keyed by the letter", () => {
    const decision = decideLetter(letter(), state());
    if (decision.kind !== "replay") throw new Error(decision.kind);
    expect(decision.bucket).toBe("http_4xx/CAMPAIGN_NOT_ACTIVE");
    expect(decision.record.key).toBe("campaign-paused:+14155550142");
    expect(decision.note.key).toBe("dlq:0:7");
    expect(JSON.parse(String(decision.note.value))).toEqual({
      replayed_at: "2026-11-27T12:00:00.000Z",
      key: "campaign-paused:+14155550142",
    });
  });
});
