import { isTalkoverError, type TalkoverClient } from "@callbridge/talkover-client";

export type TokenCheck = "accepted" | "refused" | "unreachable";

/**
 * Whether the API takes the token, asked without placing a call: a read of a campaign that need
 * not exist. Any answer but 401 (a 404 included) means the token is accepted; no answer at all
 * says nothing.
 */
export async function checkToken(client: Pick<TalkoverClient, "getCampaign">): Promise<TokenCheck> {
  try {
    await client.getCampaign("callbridge-token-check");
    return "accepted";
  } catch (error) {
    if (!isTalkoverError(error)) return "unreachable";
    if (error.kind === "unauthorized") return "refused";
    return error.status === undefined ? "unreachable" : "accepted";
  }
}
