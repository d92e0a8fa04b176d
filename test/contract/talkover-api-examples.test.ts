import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningSimulator, SIM_TOKEN, startSimulator } from "../support/simulator.js";

// The Talkover documentation's example requests, sent as its curl commands send them, answered
// with its example bodies (docs/talkover-api.md).

let running: RunningSimulator;
beforeAll(async () => {
  running = await startSimulator();
});
afterAll(() => running.sim.close());
beforeEach(async () => {
  await fetch(`${running.url}/_sim/reset`, { method: "POST" });
});

async function post(campaignId: string, body: unknown, token: string | null = SIM_TOKEN) {
  const res = await fetch(`${running.url}/api/v1/campaigns/${campaignId}/call`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const isoSeconds = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

describe("Success Response (201 Created)", () => {
  it.each([
    ["Request 1: a regular campaign call", { to: "+1234567890" }],
    ["Request 2: a test campaign call", { to: "+1234567890", is_testing: true }],
    [
      "Request 3: payload and context",
      {
        to: "+1987654321",
        payload: { customer_name: "John Doe", order_id: "12345", product_name: "Premium Plan" },
        context: { user_id: "user_123", source: "web_app", campaign_batch: "2024_Q1" },
      },
    ],
  ])("%s", async (_name, body) => {
    const res = await post("campaign-uuid-1", body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      campaign_call: {
        id: expect.any(String),
        campaign_id: "campaign-uuid-1",
        to: body.to,
        status: "queued",
        scheduled_at: isoSeconds,
        created_at: isoSeconds,
      },
      campaign: { id: "campaign-uuid-1", name: "Q1 Outreach", status: "active" },
    });
    // Key order as the documentation prints it.
    expect(Object.keys(res.body.campaign_call as object)).toEqual(["id", "campaign_id", "to", "status", "scheduled_at", "created_at"]);
  });
});

describe("Error responses", () => {
  it("409 Conflict — Duplicate Call, with the existing call's details", async () => {
    const first = await post("campaign-uuid-1", { to: "+1234567890" });
    const res = await post("campaign-uuid-1", { to: "+1234567890" });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      success: false,
      message: "A call to this number already exists in this campaign",
      existing_call: {
        id: (first.body.campaign_call as { id: string }).id,
        campaign_id: "campaign-uuid-1",
        to: "+1234567890",
        status: "queued",
        created_at: isoSeconds,
      },
    });
  });

  it("409 is overridden by allow_duplicates: true", async () => {
    await post("campaign-uuid-1", { to: "+1234567890" });
    expect((await post("campaign-uuid-1", { to: "+1234567890", allow_duplicates: true })).status).toBe(201);
  });

  it("404 Not Found", async () => {
    expect(await post("campaign-nope", { to: "+1234567890" })).toEqual({
      status: 404,
      body: { success: false, message: "Campaign not found" },
    });
  });

  it("422 Validation Error: the to field is required", async () => {
    expect(await post("campaign-uuid-1", {})).toEqual({
      status: 422,
      body: { success: false, message: "The given data was invalid.", errors: { to: ["The to field is required."] } },
    });
  });

  it("422 Validation Error: the to must be a valid phone number", async () => {
    expect(await post("campaign-uuid-1", { to: "1234567890" })).toEqual({
      status: 422,
      body: { success: false, message: "The given data was invalid.", errors: { to: ["The to must be a valid phone number."] } },
    });
  });

  it("400 Bad Request", async () => {
    expect(await post("campaign-paused", { to: "+1234567890" })).toEqual({
      status: 400,
      body: { success: false, message: "Campaign is not active" },
    });
  });

  it.each([
    ["no token", null],
    ["an unknown token", "talq_your_environment_token_here"],
    ["a token of the wrong form", "sk_live_abc"],
  ])("401 Unauthorized with %s", async (_name, token) => {
    expect(await post("campaign-uuid-1", { to: "+1234567890" }, token)).toEqual({
      status: 401,
      body: { success: false, message: "Unauthorized" },
    });
  });

  it("403 Forbidden", async () => {
    expect(await post("campaign-forbidden", { to: "+1234567890" })).toEqual({
      status: 403,
      body: { success: false, message: "Cannot make calls for this campaign" },
    });
  });

  it("429 Too Many Requests", async () => {
    await running.setFaults({ throttle_rate: 1 });
    expect(await post("campaign-uuid-1", { to: "+1234567890" })).toEqual({
      status: 429,
      body: { success: false, message: "Rate limit exceeded" },
    });
    await running.setFaults({});
  });

  it("500 Server Error", async () => {
    await running.setFaults({ error_rate: 1 });
    expect(await post("campaign-uuid-1", { to: "+1234567890" })).toEqual({
      status: 500,
      body: { success: false, message: "Internal server error." },
    });
    await running.setFaults({});
  });
});

describe("Campaign Status Requirements", () => {
  it.each([
    ["campaign-draft", "draft", 400],
    ["campaign-uuid-1", "active", 201],
    ["campaign-paused", "paused", 400],
    ["campaign-completed", "completed", 400],
    ["campaign-cancelled", "cancelled", 400],
  ])("%s (%s) answers %i", async (campaignId, status, expected) => {
    const campaign = await fetch(`${running.url}/api/v1/campaigns/${campaignId}`, { headers: { Authorization: `Bearer ${SIM_TOKEN}` } });
    expect(((await campaign.json()) as { campaign: { status: string } }).campaign.status).toBe(status);
    expect((await post(campaignId, { to: "+1234567890" })).status).toBe(expected);
  });

  it("a campaign activated with PATCH .../status takes calls", async () => {
    const patched = await fetch(`${running.url}/api/v1/campaigns/campaign-paused/status`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${SIM_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ status: "active" }),
    });
    expect(patched.status).toBe(200);
    expect((await post("campaign-paused", { to: "+1234567890" })).status).toBe(201);
  });
});
