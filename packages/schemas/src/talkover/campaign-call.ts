import { z } from "zod";
import { E164PhoneNumber } from "../phone.js";
import { CampaignSummary } from "./campaign.js";

/** JSON object of template variables or opaque context; values are whatever JSON allows. */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

/** Body of `POST /api/v1/campaigns/{campaign_id}/call`. */
export const CreateCampaignCallRequest = z.object({
  /** Phone number to call, E.164. */
  to: E164PhoneNumber,
  /** Replacement variables for the campaign agent prompt. */
  payload: JsonObject.optional(),
  /** Echoed back in every webhook event of this call; not used in the conversation. */
  context: JsonObject.optional(),
  /** Test calls consume no credits and are left out of analytics. Default false. */
  is_testing: z.boolean().optional(),
  /** Place the call even if the number has a queued or active call in the campaign. Default false. */
  allow_duplicates: z.boolean().optional(),
});
export type CreateCampaignCallRequest = z.infer<typeof CreateCampaignCallRequest>;

/**
 * The documentation shows only `queued` (docs/talkover-api.md#where-the-documentation-is-silent);
 * the simulator moves calls queued -> active -> completed. The client accepts any string so
 * that a status the API adds later cannot make a placed call look like a failure.
 */
export const CampaignCallStatus = z.enum(["queued", "active", "completed"]);
export type CampaignCallStatus = z.infer<typeof CampaignCallStatus>;

export const CampaignCall = z.object({
  id: z.string(),
  campaign_id: z.string(),
  to: z.string(),
  status: z.string(),
  scheduled_at: z.string().nullable(),
  created_at: z.string(),
});
export type CampaignCall = z.infer<typeof CampaignCall>;

/** 201 Created. */
export const CreateCampaignCallResponse = z.object({
  campaign_call: CampaignCall,
  campaign: CampaignSummary,
});
export type CreateCampaignCallResponse = z.infer<typeof CreateCampaignCallResponse>;

/** `existing_call` of a 409: the queued or active call that blocks this one. */
export const ExistingCall = z.object({
  id: z.string(),
  campaign_id: z.string(),
  to: z.string(),
  status: z.string(),
  created_at: z.string(),
});
export type ExistingCall = z.infer<typeof ExistingCall>;
