import { Webhook } from "standardwebhooks";
import type { SignedWebhook } from "./signed-webhook.js";

export interface StandardWebhookSample {
  readonly sourceId: string;
  readonly secret: string;
  /** `webhook-id`: the sender keeps it across retries. */
  readonly id: string;
  readonly payload: unknown;
  readonly now?: Date;
}

/** A webhook signed per the Standard Webhooks spec, with the reference `standardwebhooks` library. */
export function standardWebhook(sample: StandardWebhookSample): SignedWebhook {
  const body = JSON.stringify(sample.payload);
  const now = sample.now ?? new Date();
  return {
    sourceId: sample.sourceId,
    path: `/webhooks/${sample.sourceId}`,
    body,
    headers: {
      "content-type": "application/json",
      "webhook-id": sample.id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": new Webhook(sample.secret).sign(sample.id, now, body),
    },
  };
}
