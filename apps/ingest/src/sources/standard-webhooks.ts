import { Webhook } from "standardwebhooks";
import { constantTimeEqual } from "./constant-time.js";
import { header, type InboundWebhook, jsonReplies, parseJson, type Source, type VerifyResult } from "./source.js";

/** The spec's reference libraries refuse timestamps more than 5 minutes old or ahead. */
export const STANDARD_WEBHOOKS_TOLERANCE_S = 5 * 60;

export interface StandardWebhooksSourceConfig {
  readonly id: string;
  /** `whsec_...` secrets; several while rotating. */
  readonly secrets: readonly string[];
}

/**
 * The Standard Webhooks spec: `webhook-id`, `webhook-timestamp` (seconds), and
 * `webhook-signature`, a space-separated list of `v1,<base64>` entries of which any may match.
 * The signature itself comes from the `standardwebhooks` package; the timestamp is checked
 * against our clock so tests can inject one.
 */
export function standardWebhooksSource(config: StandardWebhooksSourceConfig): Source {
  const signers = config.secrets.map((secret) => new Webhook(secret));
  return {
    id: config.id,
    kind: "standard-webhooks",
    acceptsContentType: (mediaType) => mediaType === "application/json",
    ...jsonReplies,
    verify(webhook: InboundWebhook, nowMs: number): VerifyResult {
      const id = header(webhook.headers, "webhook-id");
      const timestamp = header(webhook.headers, "webhook-timestamp");
      const signatures = header(webhook.headers, "webhook-signature");
      if (!id || !timestamp || !signatures) return { ok: false, rejection: { status: 401, reason: "missing_credentials" } };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, rejection: { status: 401, reason: "missing_credentials" } };
      const seconds = Number(timestamp);
      if (Math.abs(nowMs / 1000 - seconds) > STANDARD_WEBHOOKS_TOLERANCE_S)
        return { ok: false, rejection: { status: 401, reason: "stale_timestamp" } };

      const offered = signatures
        .split(" ")
        .map((entry) => entry.split(","))
        .filter(([version, value]) => version === "v1" && value !== undefined)
        .map(([, value]) => value as string);
      const valid = signers.some((signer) => {
        const expected = signer.sign(id, new Date(seconds * 1000), webhook.rawBody).split(",")[1] ?? "";
        return offered.some((signature) => constantTimeEqual(expected, signature));
      });
      if (!valid) return { ok: false, rejection: { status: 401, reason: "bad_signature" } };

      const json = parseJson(webhook.rawBody);
      if (!json.ok) return { ok: false, rejection: { status: 400, reason: "the body is not valid JSON" } };
      return { ok: true, events: [{ id, fields: json.value }] };
    },
  };
}
