import { isTalkoverError, type TalkoverClient } from "@callbridge/talkover-client";

export type TokenCheck =
  | { readonly kind: "accepted" }
  | { readonly kind: "refused" }
  | { readonly kind: "unreachable"; readonly detail: string };

/**
 * Whether the API takes the token, asked without placing a call: a read of a campaign that need
 * not exist (`GET /api/v1/campaigns/callbridge-token-check`). Any answer but 401 (a 404 included)
 * means the token is accepted; no answer at all says nothing about it.
 */
export async function checkToken(client: Pick<TalkoverClient, "getCampaign">): Promise<TokenCheck> {
  try {
    await client.getCampaign("callbridge-token-check");
    return { kind: "accepted" };
  } catch (error) {
    if (!isTalkoverError(error)) return { kind: "unreachable", detail: String(error) };
    if (error.kind === "unauthorized") return { kind: "refused" };
    return error.status === undefined ? { kind: "unreachable", detail: error.message } : { kind: "accepted" };
  }
}
