import { describe, expect, it } from "vitest";
import { parseTransforms, replayedRequestFrom } from "./transform.js";

const request = { idempotency_key: "k1", campaign_id: "campaign-paused", to: "+14155550142", is_testing: false };
const letterHeaders = {
  "content-type": "application/json",
  "callbridge.route": "r1",
  "callbridge.dlq.reason": "http_4xx",
  "callbridge.dlq.replay_count": "1",
  "callbridge.original.topic": "t",
  "__connect.errors.topic": "t",
};
const value = Buffer.from(JSON.stringify(request));

describe("replayedRequestFrom", () => {
  it("keeps the request, drops the letter's headers and counts the replay", () => {
    const result = replayedRequestFrom(value, letterHeaders, parseTransforms({}), "dlq:0:7", "2026-11-27T12:00:00.000Z");
    expect(result).toEqual({
      ok: true,
      key: "campaign-paused:+14155550142",
      value: JSON.stringify(request),
      headers: {
        "content-type": "application/json",
        "callbridge.route": "r1",
        "callbridge.dlq.replay_count": "2",
        "callbridge.replay.of": "dlq:0:7",
        "callbridge.replay.at": "2026-11-27T12:00:00.000Z",
      },
    });
  });

  it("applies --allow-duplicates, --set and --campaign-map, and re-keys a moved request", () => {
    const transforms = parseTransforms({
      allowDuplicates: true,
      set: ["is_testing=true"],
      campaignMap: ["campaign-paused=campaign-uuid-1"],
    });
    const result = replayedRequestFrom(value, {}, transforms, "x", "now");
    if (!result.ok) throw new Error(result.problem);
    expect(JSON.parse(result.value)).toMatchObject({ allow_duplicates: true, is_testing: true, campaign_id: "campaign-uuid-1" });
    expect(result.key).toBe("campaign-uuid-1:+14155550142");
  });

  it("refuses a letter that is not a valid call request, saying how to fix it", () => {
    const draft = Buffer.from(JSON.stringify({ ...request, to: null, original_event: {} }));
    expect(replayedRequestFrom(draft, {}, parseTransforms({}), "x", "now")).toEqual({
      ok: false,
      problem: "not a valid call request (to); fix it with --set",
    });
    const fixed = replayedRequestFrom(draft, {}, parseTransforms({ set: ["to=+14155550100"] }), "x", "now");
    expect(fixed.ok).toBe(true);
    expect(replayedRequestFrom(Buffer.from("nope"), {}, parseTransforms({}), "x", "now")).toEqual({
      ok: false,
      problem: "the value is not JSON",
    });
  });
});

describe("parseTransforms", () => {
  it.each([
    [{ set: ["priority=high"] }, /--set priority=high/],
    [{ set: ["is_testing=yes"] }, /is_testing is true or false/],
    [{ set: ["to=555"] }, /E.164/],
    [{ campaignMap: ["a"] }, /--campaign-map a/],
  ])("refuses %j", (options, message) => {
    expect(() => parseTransforms(options)).toThrow(message);
  });
});
