import { describe, expect, it } from "vitest";
import { CreateCampaignCallRequest, CreateCampaignCallResponse } from "./campaign-call.js";
import { TALKOVER_ERROR_CODES, TalkoverErrorBody } from "./errors.js";

// The example bodies of the Talkover API documentation, as docs/talkover-api.md describes them.
const documented201 = {
  campaign_call: {
    id: "call-uuid-1",
    campaign_id: "campaign-uuid-1",
    to: "+1234567890",
    status: "queued",
    scheduled_at: "2024-01-15T10:30:00Z",
    created_at: "2024-01-15T10:30:00Z",
  },
  campaign: { id: "campaign-uuid-1", name: "Q1 Outreach", status: "active" },
};

const documented409 = {
  success: false,
  message: "A call to this number already exists in this campaign",
  existing_call: {
    id: "call-uuid-existing",
    campaign_id: "campaign-uuid-1",
    to: "+1234567890",
    status: "queued",
    created_at: "2024-01-15T09:50:00Z",
  },
};

describe("Talkover schemas against the documented example bodies", () => {
  it("accepts the three example requests", () => {
    for (const body of [
      { to: "+1234567890" },
      { to: "+1234567890", is_testing: true },
      {
        to: "+1987654321",
        payload: { customer_name: "John Doe", order_id: "12345", product_name: "Premium Plan" },
        context: { user_id: "user_123", source: "web_app", campaign_batch: "2024_Q1" },
      },
    ]) {
      expect(CreateCampaignCallRequest.parse(body)).toEqual(body);
    }
  });

  it("rejects a request without `to` or with a non-E.164 one", () => {
    expect(CreateCampaignCallRequest.safeParse({}).success).toBe(false);
    expect(CreateCampaignCallRequest.safeParse({ to: "555-0100" }).success).toBe(false);
  });

  it("accepts the 201 body", () => {
    expect(CreateCampaignCallResponse.parse(documented201)).toEqual(documented201);
  });

  it("accepts the 409 body with its existing call", () => {
    expect(TalkoverErrorBody.parse(documented409).existing_call?.id).toBe("call-uuid-existing");
  });

  it("accepts every example error body", () => {
    for (const info of Object.values(TALKOVER_ERROR_CODES)) {
      expect(TalkoverErrorBody.safeParse({ success: false, message: info.message }).success).toBe(true);
    }
    const documented422 = {
      success: false,
      message: "The given data was invalid.",
      errors: { to: ["The to must be a valid phone number."] },
    };
    expect(TalkoverErrorBody.parse(documented422).errors).toEqual({ to: ["The to must be a valid phone number."] });
  });

  it("does not take a success body for an error body", () => {
    expect(TalkoverErrorBody.safeParse(documented201).success).toBe(false);
  });

  it("keeps the status of every code as the documented error codes give it", () => {
    const statuses = Object.fromEntries(Object.entries(TALKOVER_ERROR_CODES).map(([code, info]) => [code, info.status]));
    expect(statuses).toEqual({
      CAMPAIGN_NOT_FOUND: 404,
      VALIDATION_ERROR: 422,
      CAMPAIGN_NOT_ACTIVE: 400,
      DUPLICATE_CALL: 409,
      INVALID_TOKEN: 401,
      FORBIDDEN: 403,
      RATE_LIMIT_EXCEEDED: 429,
      SERVER_ERROR: 500,
    });
  });
});
