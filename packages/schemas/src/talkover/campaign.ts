import { z } from "zod";

/** Campaign statuses (docs/talkover-api.md#campaign-statuses): only `active` campaigns can take calls. */
export const CampaignStatus = z.enum(["draft", "active", "paused", "completed", "cancelled"]);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

export const CAMPAIGN_STATUS_CAN_MAKE_CALLS: Record<CampaignStatus, boolean> = {
  draft: false,
  active: true,
  paused: false,
  completed: false,
  cancelled: false,
};

/** `campaign` in the 201 body: the parent campaign at the time the call was queued. */
export const CampaignSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: CampaignStatus,
});
export type CampaignSummary = z.infer<typeof CampaignSummary>;

/**
 * `GET /api/v1/campaigns/{id}` and `PATCH .../status` exist, but the Talkover documentation does
 * not give their bodies (docs/talkover-api.md#where-the-documentation-is-silent); this is the
 * shape the simulator answers with and the client accepts.
 */
export const Campaign = CampaignSummary.extend({
  created_at: z.string(),
  updated_at: z.string(),
});
export type Campaign = z.infer<typeof Campaign>;

export const GetCampaignResponse = z.object({ campaign: Campaign });
export type GetCampaignResponse = z.infer<typeof GetCampaignResponse>;

export const UpdateCampaignStatusRequest = z.object({ status: CampaignStatus });
export type UpdateCampaignStatusRequest = z.infer<typeof UpdateCampaignStatusRequest>;

export const UpdateCampaignStatusResponse = z.object({ campaign: Campaign });
export type UpdateCampaignStatusResponse = z.infer<typeof UpdateCampaignStatusResponse>;
