import { createHmac } from "node:crypto";
import type { SignedWebhook } from "./signed-webhook.js";

export interface HubSpotPhoneChange {
  readonly portalId?: number;
  readonly subscriptionId?: number;
  readonly eventId: number;
  readonly objectId: number;
  readonly phone: string;
  readonly propertyName?: "phone" | "mobilephone";
  readonly occurredAt?: number;
}

/** One `contact.propertyChange` event of a HubSpot app webhook: the only place it sends a phone. */
export function hubspotPhoneChangeEvent(change: HubSpotPhoneChange): Record<string, unknown> {
  return {
    eventId: change.eventId,
    subscriptionId: change.subscriptionId ?? 4001,
    portalId: change.portalId ?? 62515,
    appId: 54321,
    occurredAt: change.occurredAt ?? 1_795_000_000_000,
    subscriptionType: "contact.propertyChange",
    attemptNumber: 0,
    objectId: change.objectId,
    propertyName: change.propertyName ?? "phone",
    propertyValue: change.phone,
    changeSource: "CRM_UI",
    sourceId: "userId:1",
  };
}

export interface HubSpotSigning {
  readonly sourceId: string;
  readonly clientSecret: string;
  /** The public base URL of the ingest: HubSpot signs the full URL it calls. */
  readonly baseUrl: string;
  readonly nowMs?: number;
}

/** A v3-signed HubSpot webhook (app events array, or a workflow's record object). */
export function hubspotWebhook(signing: HubSpotSigning, body: unknown): SignedWebhook {
  const path = `/webhooks/${signing.sourceId}`;
  const text = JSON.stringify(body);
  const timestamp = String(signing.nowMs ?? Date.now());
  const signature = createHmac("sha256", signing.clientSecret).update(`POST${signing.baseUrl}${path}${text}${timestamp}`).digest("base64");
  return {
    sourceId: signing.sourceId,
    path,
    body: text,
    headers: {
      "content-type": "application/json",
      "x-hubspot-signature-v3": signature,
      "x-hubspot-request-timestamp": timestamp,
    },
  };
}
