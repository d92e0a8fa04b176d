import { describe, expect, it } from "vitest";
import { CallResult } from "./call-result.js";

const base = {
  version: 1,
  idempotency_key: "k1",
  campaign_id: "campaign-uuid-1",
  to: "+14155550123",
  is_testing: false,
  attempts: 1,
  decided_at: "2026-11-27T10:00:01Z",
};

describe("CallResult", () => {
  it("requires the placed call on a `placed` outcome", () => {
    expect(CallResult.safeParse({ ...base, outcome: "placed" }).success).toBe(false);
    const call = {
      id: "call-1",
      campaign_id: "campaign-uuid-1",
      to: "+14155550123",
      status: "queued",
      scheduled_at: "2026-11-27T10:00:01Z",
      created_at: "2026-11-27T10:00:01Z",
    };
    expect(CallResult.parse({ ...base, outcome: "placed", call }).outcome).toBe("placed");
  });

  it("requires a known reason on a `dead_lettered` outcome", () => {
    const letter = { ...base, outcome: "dead_lettered", error_message: "Campaign is not active", http_status: 400 };
    expect(CallResult.safeParse({ ...letter, reason: "http_4xx" }).success).toBe(true);
    expect(CallResult.safeParse({ ...letter, reason: "it broke" }).success).toBe(false);
  });

  it("rejects an outcome it does not know", () => {
    expect(CallResult.safeParse({ ...base, outcome: "maybe" }).success).toBe(false);
  });
});
