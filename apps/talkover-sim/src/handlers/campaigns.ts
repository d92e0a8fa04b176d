import type { ApiRequest } from "../http/api-request.js";
import { CAMPAIGN_NOT_FOUND, type Reply, UNAUTHORIZED, validationReply } from "../http/reply.js";
import { CampaignStore } from "../state/campaigns.js";
import type { SimulatorState } from "../state/simulator-state.js";
import { validateStatusUpdate } from "../validation.js";
import { authenticate } from "./auth.js";
import { jsonBodyOf } from "./json-body.js";

/** `GET /api/v1/campaigns/{campaign_id}`. */
export function getCampaign(state: SimulatorState, req: ApiRequest): Reply {
  if (authenticate(req.headers, state.tokens) === undefined) return UNAUTHORIZED;
  const campaign = state.campaigns.get(req.params.campaign_id ?? "");
  if (!campaign) return CAMPAIGN_NOT_FOUND;
  return { status: 200, body: { campaign: CampaignStore.toApi(campaign) } };
}

/** `PATCH /api/v1/campaigns/{campaign_id}/status` with `{"status": ...}`. */
export function updateCampaignStatus(state: SimulatorState, req: ApiRequest): Reply {
  if (authenticate(req.headers, state.tokens) === undefined) return UNAUTHORIZED;
  const campaign = state.campaigns.get(req.params.campaign_id ?? "");
  if (!campaign) return CAMPAIGN_NOT_FOUND;
  const json = jsonBodyOf(req);
  if (!json.ok) return json.reply;
  const status = validateStatusUpdate(json.value);
  if (!status.ok) return validationReply(status.errors);
  state.campaigns.setStatus(campaign, status.value);
  return { status: 200, body: { campaign: CampaignStore.toApi(campaign) } };
}
