import { CAMPAIGN_STATUS_CAN_MAKE_CALLS } from "@callbridge/schemas";
import type { ApiRequest } from "../http/api-request.js";
import { CAMPAIGN_NOT_FOUND, errorReply, type Reply, SERVER_ERROR, UNAUTHORIZED, validationReply } from "../http/reply.js";
import { CampaignStore } from "../state/campaigns.js";
import type { SimulatorState } from "../state/simulator-state.js";
import { validateCreateCall } from "../validation.js";
import { authenticate } from "./auth.js";
import { jsonBodyOf } from "./json-body.js";
import { retryAfterHeader } from "./retry-after.js";

/** A reply, or the instruction to cut the connection after the call was accepted. */
export type CallReply = Reply & { readonly drop?: boolean };

/**
 * `POST /api/v1/campaigns/{campaign_id}/call`. Checks run in the order a Laravel API runs
 * them: auth, throttling, the campaign (404, then 403), validation (422), the campaign's
 * status (400), then the duplicate rule (409).
 */
export function createCall(state: SimulatorState, req: ApiRequest): CallReply {
  const token = authenticate(req.headers, state.tokens);
  if (token === undefined) return UNAUTHORIZED;

  const { faults, clock } = state;
  const waitMs = state.takeToken();
  if (waitMs !== undefined) return rateLimited(retryAfterHeader(waitMs, clock.nowMs(), faults.retry_after_format));
  if (faults.throttle_rate > 0 && clock.random() < faults.throttle_rate) {
    return rateLimited(retryAfterHeader(faults.retry_after_seconds * 1000, clock.nowMs(), faults.retry_after_format));
  }
  if (faults.error_rate > 0 && clock.random() < faults.error_rate) return SERVER_ERROR;

  const campaign = state.campaigns.get(req.params.campaign_id ?? "");
  if (!campaign) return CAMPAIGN_NOT_FOUND;
  if (!CampaignStore.mayCall(campaign, token)) return errorReply(403, "Cannot make calls for this campaign");

  const json = jsonBodyOf(req);
  if (!json.ok) return json.reply;
  const validated = validateCreateCall(json.value);
  if (!validated.ok) return validationReply(validated.errors);
  const body = validated.value;

  if (!CAMPAIGN_STATUS_CAN_MAKE_CALLS[campaign.status]) return errorReply(400, "Campaign is not active");

  if (body.allow_duplicates !== true) {
    const existing = state.calls.findOpen(campaign.id, body.to);
    if (existing) {
      return errorReply(409, "A call to this number already exists in this campaign", { existing_call: existing });
    }
  }

  const call = state.calls.add({
    campaignId: campaign.id,
    to: body.to,
    payload: body.payload ?? {},
    context: body.context ?? {},
    isTesting: body.is_testing ?? false,
    allowDuplicates: body.allow_duplicates ?? false,
    traceparent: headerText(req.headers.traceparent),
  });
  const drop = faults.drop_rate > 0 && clock.random() < faults.drop_rate;
  return {
    status: 201,
    body: { campaign_call: call, campaign: { id: campaign.id, name: campaign.name, status: campaign.status } },
    drop,
  };
}

/** A header as received; a repeated one joined as Node joins most headers. */
function headerText(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}

function rateLimited(retryAfter: string): Reply {
  return errorReply(429, "Rate limit exceeded", {}, { "retry-after": retryAfter });
}
